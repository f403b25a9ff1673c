import assert from "node:assert/strict";
import { BadInputError } from "../../core/errors.ts";
import { mirrorApi, parseMirrorsMode, parseRemote, planMirrors } from "./mirrors.ts";

const MIRRORS = {
  github: "git@github.com:acme/demo.git",
  codeberg: "https://codeberg.org/acme/demo.git",
  local: "file:///srv/mirror.git",
};

Deno.test("parseRemote tells ssh, http and local URLs apart", () => {
  assert.deepEqual(parseRemote("git@github.com:acme/demo.git"), {
    kind: "ssh",
    host: "github.com",
    path: "acme/demo",
  });
  assert.deepEqual(parseRemote("ssh://git@Codeberg.org/acme/demo"), {
    kind: "ssh",
    host: "codeberg.org",
    path: "acme/demo",
  });
  assert.equal(parseRemote("https://codeberg.org/acme/demo.git").kind, "http");
  assert.equal(parseRemote("file:///tmp/x.git").kind, "local");
  assert.equal(parseRemote("/tmp/x.git").kind, "local");
});

Deno.test("mirrorApi maps hosts to their API and token, with a per-mirror base override", () => {
  assert.deepEqual(mirrorApi("gh", MIRRORS.github, {}), {
    flavor: "github",
    base: "https://api.github.com",
    tokenKey: "GITHUB_TOKEN",
    owner: "acme",
    repo: "demo",
  });
  const cb = mirrorApi("code-berg", MIRRORS.codeberg, {
    DISINTO_MIRROR_API_CODE_BERG: "http://127.0.0.1:9/api/v1/",
  });
  assert.equal(cb?.flavor, "forgejo");
  assert.equal(cb?.base, "http://127.0.0.1:9/api/v1");
  assert.equal(cb?.tokenKey, "CODEBERG_TOKEN");
  assert.equal(mirrorApi("l", MIRRORS.local, {}), null);
  assert.equal(mirrorApi("x", "https://example.org/acme/demo.git", {}), null);
});

Deno.test("default paths: ssh for git@ URLs, token where its token is set, else git push", () => {
  const withTokens = planMirrors(MIRRORS, undefined, {}, (key) => `${key}-value`);
  assert.deepEqual(withTokens.map((plan) => [plan.name, plan.paths]), [
    ["github", ["ssh"]],
    ["codeberg", ["token"]],
    ["local", ["ssh"]],
  ]);
  const none = planMirrors(MIRRORS, undefined, {}, () => undefined);
  assert.deepEqual(none.map((plan) => plan.paths), [["ssh"], ["ssh"], ["ssh"]]);
});

Deno.test("--mirrors token and both need an API and its token, else bad input before work", () => {
  const set = (key: string) => (key === "GITHUB_TOKEN" ? "ghp_secret" : undefined);
  assert.throws(
    () => planMirrors({ github: MIRRORS.github, codeberg: MIRRORS.codeberg }, "token", {}, set),
    (error: unknown) =>
      error instanceof BadInputError && /^CODEBERG_TOKEN: not set;/.test(error.message),
  );
  assert.throws(
    () => planMirrors({ local: MIRRORS.local }, "token", {}, set),
    (error: unknown) =>
      error instanceof BadInputError && /^mirrors\.local: no token path/.test(error.message),
  );
  const both = planMirrors({ github: MIRRORS.github, local: MIRRORS.local }, "both", {}, set);
  assert.deepEqual(both.map((plan) => plan.paths), [["token", "ssh"], ["ssh"]]);
  const ssh = planMirrors(MIRRORS, "ssh", {}, () => undefined);
  assert.ok(ssh.every((plan) => plan.paths.join() === "ssh" && plan.api === undefined));
});

Deno.test("parseMirrorsMode", () => {
  assert.equal(parseMirrorsMode(undefined), undefined);
  assert.equal(parseMirrorsMode("both"), "both");
  assert.throws(() => parseMirrorsMode("http"), /--mirrors "http": expected token, ssh or both/);
});
