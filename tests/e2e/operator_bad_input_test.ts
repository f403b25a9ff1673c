/**
 * Bad input a new operator types, on the compiled binary (SPEC §3): exit 2,
 * one line naming the input and what is expected, no stack trace, and nothing
 * written — not even a lock file or a directory.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BinaryResult, runBinary } from "../helpers/binary.ts";

/** Every path under `root`, sorted: what "nothing written" compares. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

function assertBadInput(result: BinaryResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\bat .*:\d+:\d+/);
}

async function withRoot(work: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-operator-"));
  try {
    await work(root);
  } finally {
    await rm(root, { recursive: true });
  }
}

const env = (root: string) => ({ PATH: "/usr/bin:/bin", HOME: root });

Deno.test("binary: compose generate with no project exits 2 and writes nothing (no state/ lock)", () =>
  withRoot(async (root) => {
    const result = await runBinary(["--root", root, "compose", "generate"], { env: env(root) });
    assertBadInput(result, /projects: no project TOML; expected at least one/);
    assert.deepEqual(await tree(root), []);
  }));

Deno.test("binary: lock run on a file in a missing directory exits 2 and creates no directory", () =>
  withRoot(async (root) => {
    const file = join(root, "no", "such", "dir", "x.lock");
    const result = await runBinary(["lock", "run", file, "--", "true"], { env: env(root) });
    assertBadInput(
      result,
      /no[/]such[/]dir: no such directory; expected the lock file's directory/,
    );
    assert.deepEqual(await tree(root), []);
  }));

for (const command of [["forge", "emulate"], ["model", "emulate", "--script", "s.toml"]]) {
  Deno.test(`binary: ${command.join(" ")} --host 999.1.1.1 exits 2 naming --host`, () =>
    withRoot(async (root) => {
      await writeFile(join(root, "s.toml"), 'conversations = [{ turns = [{ text = "hi" }] }]\n');
      const result = await runBinary([...command, "--port", "0", "--host", "999.1.1.1"], {
        env: env(root),
        cwd: root,
      });
      assertBadInput(result, /--host.*"999\.1\.1\.1".*expected an IP address or a host name/);
    }));

  Deno.test(`binary: ${command.join(" ")} on a port in use: exit 1, one line naming host and port`, () =>
    withRoot(async (root) => {
      await writeFile(join(root, "s.toml"), 'conversations = [{ turns = [{ text = "hi" }] }]\n');
      // A listener of our own holds the port.
      const held = createServer();
      await new Promise<void>((listening) => held.listen(0, "127.0.0.1", listening));
      try {
        const port = String((held.address() as AddressInfo).port);
        const result = await runBinary([...command, "--port", port], { env: env(root), cwd: root });
        assert.equal(result.code, 1, result.stderr);
        assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
        assert.match(result.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
      } finally {
        await new Promise((closed) => held.close(closed));
      }
    }));
}

Deno.test("binary: hire-an-agent --local-model for a role no agent plays exits 2, nothing written", () =>
  withRoot(async (root) => {
    await mkdir(join(root, "projects"));
    const toml = 'name = "app"\nrepo = "demo/app"\nforge_url = "http://127.0.0.1:9"\n';
    await writeFile(join(root, "projects", "app.toml"), toml);
    const before = await tree(root);
    const result = await runBinary([
      "--root",
      root,
      "hire-an-agent",
      "x",
      "tester",
      "--local-model",
      "http://127.0.0.1:9/v1",
    ], {
      env: env(root),
    });
    assertBadInput(
      result,
      /role: "tester" is not a role an agent plays; expected one of dev, review/,
    );
    assert.deepEqual(await tree(root), before);
  }));
