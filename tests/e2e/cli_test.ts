/** The compiled binary: version, help, usage errors. */
import assert from "node:assert/strict";
import pkg from "../../package.json" with { type: "json" };
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../helpers/binary.ts";

Deno.test("binary: --version prints the version, exit 0", async () => {
  const result = await runBinary(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), pkg.version);
});

Deno.test("binary: --help exits 0 and shows the global flags", async () => {
  const result = await runBinary(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--root <dir>/);
  assert.match(result.stdout, /lock/);
});

Deno.test("binary: a usage error exits 2 with one line and no stack trace", async () => {
  const result = await runBinary(["lock", "run", "--timeout", "-3", "f", "true"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, /^disinto lock run: .*--timeout.*expected a number of seconds/);
  assert.doesNotMatch(result.stderr, /\bat .*:\d+:\d+/);
});

Deno.test("binary: status with no project exits 2 naming the projects folder", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-status-"));
  try {
    const result = await runBinary(["--root", root, "status"], {
      env: { PATH: "/usr/bin:/bin", HOME: root },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /projects: no project TOML; expected one \(run disinto init\)/);
  } finally {
    await rm(root, { recursive: true });
  }
});
