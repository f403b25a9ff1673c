/** `disinto init` bad input on the compiled binary: exit 2, one line, no stack trace, nothing written. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, runBinary } from "../helpers/binary.ts";

Deno.test("binary: init bad input exits 2 with one line and writes nothing", async () => {
  requireBinary();
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-bad-"));
  // Nothing listens here: a request would fail with exit 1, not 2.
  const base = { PATH: "/usr/bin:/bin", HOME: "/nonexistent", FORGE_URL: "http://127.0.0.1:9" };
  try {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [["init", "not/a/slug", "--yes"], { FORGE_ADMIN_PASS: "pw-123456" }, /<repo-url-or-slug>/],
      [["init", "bad slug", "--yes"], { FORGE_ADMIN_PASS: "pw-123456" }, /<repo-url-or-slug>/],
      [
        ["init", "acme/app", "--nope"],
        { FORGE_ADMIN_PASS: "pw-123456" },
        /unknown option '--nope'/,
      ],
      [["init", "acme/app", "--yes"], {}, /--yes: FORGE_ADMIN_PASS is not set/],
      [
        ["init", "acme/app", "--yes", "--forge-url", "ssh://forge"],
        { FORGE_ADMIN_PASS: "pw-123456" },
        /--forge-url: "ssh:\/\/forge" is not http\(s\)/,
      ],
    ];
    for (const [args, env, pattern] of cases) {
      const result = await runBinary(["--root", root, ...args], { env: { ...base, ...env } });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.equal(result.stdout, "");
    }
    assert.deepEqual(await readdir(root), []);
    await mkdir(join(root, "projects"));
    await writeFile(join(root, "projects/app.toml"), "name = \n");
    const result = await runBinary(["--root", root, "init", "acme/app", "--yes"], {
      env: { ...base, FORGE_ADMIN_PASS: "pw-123456" },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /projects\/app\.toml: line 1: invalid TOML/);
    assert.deepEqual((await readdir(root)).sort(), ["projects"]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
