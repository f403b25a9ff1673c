import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { testContext } from "../context.ts";
import { runCli } from "./run.ts";
import { VERSION } from "./program.ts";
import { plugins } from "../../plugins/mod.ts";

function run(argv: string[], env: Record<string, string> = {}, cwd = "/") {
  const context = testContext({
    argv,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    cwd,
  });
  return runCli(context, plugins).then((code) => ({
    code,
    stdout: context.stdout.text,
    stderr: context.stderr.text,
  }));
}

Deno.test("--version prints the package version and exits 0", async () => {
  const result = await run(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), VERSION);
});

Deno.test("--help lists every plugin's commands and exits 0", async () => {
  const result = await run(["--help"]);
  assert.equal(result.code, 0);
  for (const word of ["lock", "completions", "--root", "--project", "--json"]) {
    assert.ok(result.stdout.includes(word), `help lacks ${word}`);
  }
});

Deno.test("no arguments: help on stderr, exit 2", async () => {
  const result = await run([]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Usage: disinto/);
});

Deno.test("an unknown flag: exit 2, one line naming it with a hint to help", async () => {
  const result = await run(["lock", "run", "--bogus", "f", "true"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "disinto lock run: unknown option '--bogus' (see 'disinto lock run --help')\n",
  );
});

Deno.test("an unknown command: exit 2, one line", async () => {
  const result = await run(["frobnicate"]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /unknown command 'frobnicate'/);
});

Deno.test("a bad option value: exit 2 naming the value and what was expected", async () => {
  const result = await run(["lock", "run", "--timeout", "soon", "f", "true"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--timeout.*expected a number of seconds >= 0, got "soon"/);
});

Deno.test("lock run passes the command's exit code and output through", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-cli-"));
  const result = await run(["lock", "run", "x.lock", "--", "sh", "-c", "echo hi; exit 7"], {}, dir);
  assert.equal(result.code, 7);
  assert.equal(result.stdout, "hi\n");
  const missing = await run(["lock", "run", "x.lock", "--", "no-such-command-xyz"], {}, dir);
  assert.equal(missing.code, 127);
  await rm(dir, { recursive: true });
});

Deno.test("secrets from the environment never reach the output", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-cli-"));
  const result = await run(
    ["lock", "run", "x.lock", "--", "sh", "-c", 'echo "token is $FORGE_TOKEN"'],
    { FORGE_TOKEN: "abcdef0123456789" },
    dir,
  );
  assert.equal(result.code, 0);
  assert.ok(!result.stdout.includes("abcdef0123456789"));
  assert.match(result.stdout, /token is \S+/);
  await rm(dir, { recursive: true });
});

Deno.test("completions are generated for bash, zsh and fish", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await run(["completions", shell]);
    assert.equal(result.code, 0, shell);
    assert.ok(result.stdout.includes("lock"), `${shell} completion lacks commands`);
  }
  assert.equal((await run(["completions", "tcsh"])).code, 2);
});
