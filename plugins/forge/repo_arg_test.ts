import assert from "node:assert/strict";
import { BadInputError } from "../../core/errors.ts";
import { parseForgeUrl, parseRepoArg } from "./repo_arg.ts";

Deno.test("parseRepoArg accepts slugs and strips host and .git from URLs", () => {
  assert.deepEqual(parseRepoArg("acme/app"), { slug: "acme/app", owner: "acme", name: "app" });
  assert.deepEqual(parseRepoArg("https://github.com/acme/my.app.git"), {
    slug: "acme/my.app",
    owner: "acme",
    name: "my.app",
    cloneUrl: "https://github.com/acme/my.app.git",
  });
  assert.equal(
    parseRepoArg("git@codeberg.org:acme/app.git").cloneUrl,
    "git@codeberg.org:acme/app.git",
  );
  assert.equal(parseRepoArg("git@codeberg.org:acme/app.git").slug, "acme/app");
  // A URL on the forge itself is just the slug there.
  assert.deepEqual(parseRepoArg("http://localhost:3000/acme/app", "http://localhost:3000"), {
    slug: "acme/app",
    owner: "acme",
    name: "app",
  });
});

Deno.test("parseRepoArg rejects anything else with one bad-input line", () => {
  for (
    const bad of [
      "",
      "acme",
      "acme/app/extra",
      "acme/ap p",
      "../etc",
      "acme/..",
      "ftp://x/acme/app",
      "https://github.com/acme",
      "acme/app;rm",
      "ac$me/app",
      "https://x/%zz/y",
    ]
  ) {
    assert.throws(() => parseRepoArg(bad), (error: unknown) => {
      assert.ok(error instanceof BadInputError, bad);
      assert.match(error.message, /^<repo-url-or-slug>: .* expected owner\/repo/);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("parseForgeUrl accepts http(s) only", () => {
  assert.equal(parseForgeUrl("http://127.0.0.1:3000/", "--forge-url"), "http://127.0.0.1:3000");
  assert.throws(() => parseForgeUrl("ftp://x", "--forge-url"), /not http\(s\)/);
  assert.throws(() => parseForgeUrl("localhost:3000", "--forge-url"), BadInputError);
  assert.throws(() => parseForgeUrl("nonsense", "FORGE_URL"), /FORGE_URL: "nonsense"/);
  assert.throws(() => parseForgeUrl("http://u:p@host", "--forge-url"), /credentials/);
});
