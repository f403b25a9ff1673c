import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import { plugins } from "../../mod.ts";

const TRIAGE = `
name = "triage"
description = "Triage issue #{{issue}} of {{repo}} for {{project}}."
version = 2
[vars.issue]
description = "the issue"
required = true
[vars.repo]
description = "the repo"
required = true
[vars.project]
description = "the project name"
required = true
[vars.label]
description = "the label to add"
default = "needs-triage"
[context]
files = ["README.md", "ops:knowledge/triage.md"]
[[steps]]
id = "read"
title = "Read #{{issue}}"
description = "Read it."
[[steps]]
id = "label"
title = "Label"
description = "Add {{label}}."
needs = ["read"]
`;

interface Factory {
  root: string;
  run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function withFactory(test: (factory: Factory) => Promise<void>) {
  const root = await mkdtemp(join(tmpdir(), "disinto-formula-cmd-"));
  try {
    await mkdir(join(root, "projects"));
    await mkdir(join(root, "formulas"));
    await mkdir(join(root, "work", "app"), { recursive: true });
    await mkdir(join(root, "work", "app-ops", "knowledge"), { recursive: true });
    await writeFile(
      join(root, "projects", "app.toml"),
      'name = "app"\nrepo = "acme/app"\nops_repo = "admin/app-ops"\n' +
        'forge_url = "http://127.0.0.1:3000"\nrepo_root = "work/app"\n',
    );
    await writeFile(join(root, "work", "app", "README.md"), "app readme\n");
    await writeFile(join(root, "work", "app-ops", "knowledge", "triage.md"), "triage notes\n");
    await writeFile(join(root, "formulas", "triage.toml"), TRIAGE);
    await test({
      root,
      async run(argv) {
        const context = testContext({ argv, cwd: root });
        const code = await runCli(context, plugins);
        return { code, stdout: context.stdout.text, stderr: context.stderr.text };
      },
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

Deno.test("formula list: built-ins and the factory's formulas, as text and JSON", async () => {
  await withFactory(async ({ run }) => {
    const text = await run(["formula", "list"]);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(text.stdout.split("\n").filter(Boolean).map((line) => line.split(/\s+/)[0]), [
      "dev",
      "release",
      "review-pr",
      "triage",
    ]);
    assert.match(text.stdout, /^triage {5}v2 {2}factory {3}Triage issue #\{\{issue\}\}/m);
    const json = await run(["formula", "list", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { name: string; origin: string; file: string }[];
    assert.deepEqual(list.map(({ name, origin, file }) => [name, origin, file]), [
      ["dev", "built-in", "built-in:dev.toml"],
      ["release", "built-in", "built-in:release.toml"],
      ["review-pr", "built-in", "built-in:review-pr.toml"],
      ["triage", "factory", "formulas/triage.toml"],
    ]);
  });
});

Deno.test("formula show: variables, context files and steps; --json is the formula", async () => {
  await withFactory(async ({ run }) => {
    const text = await run(["formula", "show", "triage"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^triage \(version 2, factory: formulas\/triage\.toml\)$/m);
    assert.match(text.stdout, /^ {2}label \(default "needs-triage"\): the label to add$/m);
    assert.match(text.stdout, /^context files: README\.md, ops:knowledge\/triage\.md$/m);
    assert.match(text.stdout, /^ {2}2\. label: Label \(needs read\)$/m);
    const json = await run(["--json", "formula", "show", "dev"]);
    const dev = JSON.parse(json.stdout) as { name: string; steps: unknown[]; origin: string };
    assert.equal(dev.name, "dev");
    assert.equal(dev.origin, "built-in");
    assert.equal(dev.steps.length, 9);
  });
});

Deno.test("formula validate: all listed formulas by default; a broken one exits 2 with one line", async () => {
  await withFactory(async ({ root, run }) => {
    const all = await run(["formula", "validate"]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(
      all.stdout,
      "ok built-in:dev.toml\nok built-in:release.toml\nok built-in:review-pr.toml\n" +
        "ok formulas/triage.toml\n",
    );
    await writeFile(join(root, "bad.toml"), TRIAGE.replace('needs = ["read"]', 'needs = ["raed"]'));
    const some = await run(["formula", "validate", "dev", "bad.toml", "nope"]);
    assert.equal(some.code, 2);
    assert.equal(some.stdout, "ok built-in:dev.toml\n");
    assert.equal(
      some.stderr,
      'disinto: bad.toml: step "label": needs unknown step "raed"\n' +
        'disinto: formula "nope": unknown formula; expected one of dev, release, review-pr, triage\n',
    );
    const json = await run(["formula", "validate", "bad.toml", "--json"]);
    assert.equal(json.code, 2);
    assert.deepEqual(JSON.parse(json.stdout.split("\n")[0]!), [
      { file: "bad.toml", error: 'bad.toml: step "label": needs unknown step "raed"' },
    ]);
  });
});

Deno.test("formula render: project vars, context from both checkouts, --var given", async () => {
  await withFactory(async ({ run }) => {
    const result = await run([
      "formula",
      "render",
      "triage",
      "--var",
      "issue=12",
      "--project",
      "app",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^Triage issue #12 of acme\/app for app\.$/m);
    assert.match(result.stdout, /^### README\.md\n\n```\napp readme\n```$/m);
    assert.match(result.stdout, /^### ops:knowledge\/triage\.md\n\n```\ntriage notes\n```$/m);
    assert.match(result.stdout, /^Add needs-triage\.$/m);
    const json = await run([
      "--json",
      "formula",
      "render",
      "triage",
      "--var",
      "issue=1",
      "--var",
      "label=x=y",
    ]);
    const data = JSON.parse(json.stdout) as { name: string; project: string; prompt: string };
    assert.equal(data.project, "app");
    assert.match(data.prompt, /^Add x=y\.$/m);
  });
});

Deno.test("formula render: bad input exits 2 with one line and prints nothing", async () => {
  await withFactory(async ({ root, run }) => {
    const cases: [string[], string][] = [
      [["--var", "issue"], 'disinto: --var "issue": expected name=value\n'],
      [["--var", "=1"], 'disinto: --var "=1": expected name=value\n'],
      [
        [],
        'disinto: formulas/triage.toml: variable "issue" is required (pass --var issue=…: the issue)\n',
      ],
      [
        ["--var", "issue=1", "--var", "lable=x"],
        'disinto: --var lable: formula "triage" (formulas/triage.toml) has no variable "lable"; ' +
        "expected one of issue, repo, project, label\n",
      ],
      [
        ["--var", "issue=1", "--project", "other"],
        `disinto: ${join(root, "projects", "other.toml")}: cannot read project file (ENOENT)\n`,
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await run(["formula", "render", "triage", ...args]);
      assert.deepEqual(
        [result.code, result.stdout, result.stderr],
        [2, "", stderr],
        args.join(" "),
      );
    }
    await rm(join(root, "work", "app", "README.md"));
    const missing = await run(["formula", "render", "triage", "--var", "issue=1"]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `disinto: formulas/triage.toml: context file "README.md" not found ` +
        `(looked for ${join(root, "work", "app", "README.md")})\n`,
    );
  });
});

Deno.test("formula render: without a project, vars come from --var and defaults only", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-formula-bare-"));
  try {
    const context = testContext({
      argv: ["--root", root, "formula", "render", "dev", "--var", "issue=3", "--var", "repo=a/b"],
      cwd: root,
    });
    assert.equal(await runCli(context, plugins), 0, context.stderr.text);
    assert.match(context.stdout.text, /^# dev \(formula version 1\)$/m);
    assert.match(context.stdout.text, /branch `fix\/issue-3`/);
    assert.ok(!context.stdout.text.includes("## Context"));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
