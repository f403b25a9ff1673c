/**
 * Formulas on the compiled binary, run from a directory with no formulas/ in
 * reach: the built-ins come from the binary itself (text imports embedded by
 * `bun build --compile`), and render gives the same prompt as the source does.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../core/cli/run.ts";
import { testContext } from "../../core/context.ts";
import { plugins } from "../../plugins/mod.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";

Deno.test("binary: formula list, render and validate use the embedded built-ins", async () => {
  requireBinary();
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-formula-"));
  try {
    await mkdir(join(root, "projects"));
    await mkdir(join(root, "app"));
    await writeFile(
      join(root, "projects", "app.toml"),
      'name = "app"\nrepo = "acme/app"\nforge_url = "http://127.0.0.1:3000"\nrepo_root = "app"\n',
    );
    await writeFile(join(root, "app", "README.md"), "# app\nRun `make test`.\n");
    const run = (args: string[]) => runBinary(["--root", root, ...args], { cwd: root });

    const list = await run(["formula", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const formulas = JSON.parse(list.stdout) as { name: string; origin: string }[];
    assert.deepEqual(formulas.map(({ name, origin }) => `${name}:${origin}`), [
      "dev:built-in",
      "release:built-in",
      "review-pr:built-in",
    ]);

    const args = ["formula", "render", "dev", "--var", "issue=1", "--project", "app"];
    const render = await run(args);
    assert.equal(render.code, 0, render.stderr);
    assert.equal(render.stderr, "");
    assert.match(render.stdout, /^You are a dev agent .* issue #1 of acme\/app /m);
    assert.match(render.stdout, /^### README\.md\n\n```\n# app\nRun `make test`\.\n```$/m);
    assert.match(render.stdout, /`fix\/issue-1`/);
    const inProcess = testContext({ argv: ["--root", root, ...args], cwd: root });
    assert.equal(await runCli(inProcess, plugins), 0, inProcess.stderr.text);
    assert.equal(
      render.stdout,
      inProcess.stdout.text,
      "the binary renders what the source renders",
    );

    const missing = await run(["formula", "render", "dev", "--project", "app"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "");
    assert.match(
      missing.stderr,
      /^disinto: built-in:dev\.toml: variable "issue" is required .*\n$/,
    );

    await writeFile(join(root, "bad.toml"), 'name = "bad"\nversion = 1\n');
    const bad = await run(["formula", "validate", "bad.toml"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "disinto: bad.toml: description: required (expected string)\n");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
