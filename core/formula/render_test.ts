import assert from "node:assert/strict";
import { BadInputError } from "../errors.ts";
import { parseFormula } from "./parse.ts";
import { renderFormula, resolveVars } from "./render.ts";

const FORMULA = parseFormula(
  `
name = "demo"
description = "Work on #{{issue}} of {{repo}}."
version = 3
[vars.issue]
description = "the issue"
required = true
[vars.repo]
description = "the repo"
required = true
[vars.branch]
description = "the branch"
default = "main"
[vars.note]
description = "an optional note"
[context]
files = ["README.md", "docs/missing.md?", "ops:journal.md"]
[[steps]]
id = "first"
title = "Start #{{issue}}"
description = """
Branch from {{branch}}.
Note: {{note}}"""
[[steps]]
id = "second"
title = "Finish"
description = "Literal \\\\{{braces}} stay."
needs = ["first"]
`,
  "demo.toml",
);

const FILES: Record<string, string> = {
  "/repo/README.md": "# App\nsome ``` fence {{not_a_var}}\n",
  "/ops/journal.md": "journal",
};
const readText = (path: string) => Promise.resolve(FILES[path] ?? null);

Deno.test("render: the exact prompt, context inlined and vars substituted", async () => {
  const prompt = await renderFormula(FORMULA, "demo.toml", {
    vars: { issue: "7" },
    projectVars: { repo: "acme/app", branch: "trunk", forge_url: "unused" },
    repoRoot: "/repo",
    opsRoot: "/ops",
    readText,
  });
  assert.equal(
    prompt,
    [
      "# demo (formula version 3)",
      "",
      "Work on #7 of acme/app.",
      "",
      "## Context",
      "",
      "### README.md",
      "",
      "````",
      "# App",
      "some ``` fence {{not_a_var}}",
      "````",
      "",
      "### ops:journal.md",
      "",
      "```",
      "journal",
      "```",
      "",
      "## Steps",
      "",
      "Do these steps in order; each starts when the steps it needs are done.",
      "",
      "### 1. first: Start #7",
      "",
      "Branch from trunk.",
      "Note:",
      "",
      "### 2. second: Finish",
      "",
      "Needs: first.",
      "",
      "Literal {{braces}} stay.",
      "",
    ].join("\n"),
  );
});

Deno.test("render vars: given beats project beats default; unknown and missing are bad input", () => {
  assert.deepEqual(
    resolveVars(FORMULA, "demo.toml", {
      vars: { issue: "1", branch: "given" },
      projectVars: { repo: "acme/app", branch: "project" },
    }),
    { issue: "1", repo: "acme/app", branch: "given", note: "" },
  );
  assert.throws(
    () => resolveVars(FORMULA, "demo.toml", { vars: { issue: "1", repo: "a/b", isue: "2" } }),
    (error: unknown) =>
      error instanceof BadInputError &&
      error.message ===
        '--var isue: formula "demo" (demo.toml) has no variable "isue"; ' +
          "expected one of issue, repo, branch, note",
  );
  assert.throws(
    () => resolveVars(FORMULA, "demo.toml", { vars: { repo: "a/b" } }),
    (error: unknown) =>
      error instanceof BadInputError &&
      error.message === 'demo.toml: variable "issue" is required (pass --var issue=…: the issue)',
  );
});

Deno.test("render: a missing required context file names the file and where it looked", async () => {
  await assert.rejects(
    renderFormula(FORMULA, "demo.toml", {
      vars: { issue: "1", repo: "a/b" },
      repoRoot: "/elsewhere",
      opsRoot: "/ops",
      readText,
    }),
    (error: unknown) =>
      error instanceof BadInputError &&
      error.message ===
        'demo.toml: context file "README.md" not found (looked for /elsewhere/README.md)',
  );
});

Deno.test("render: without a checkout, required files are an error and optional ones are left out", async () => {
  await assert.rejects(
    renderFormula(FORMULA, "demo.toml", { vars: { issue: "1", repo: "a/b" }, readText }),
    /demo\.toml: context file "README\.md" needs the project's repo checkout/,
  );
  const optionalOnly = parseFormula(
    'name = "o"\ndescription = "d"\nversion = 1\n[context]\nfiles = ["A.md?"]\n' +
      '[[steps]]\nid = "a"\ntitle = "A"\ndescription = "x"\n',
    "o.toml",
  );
  const prompt = await renderFormula(optionalOnly, "o.toml", { readText });
  assert.ok(!prompt.includes("## Context"), prompt);
});
