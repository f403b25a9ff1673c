import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { BUILTIN_FORMULAS } from "./builtin.ts";
import { loadFormula } from "./catalogue.ts";
import { renderFormula } from "./render.ts";

const formulasDir = fileURLToPath(new URL("../../formulas/", import.meta.url));

Deno.test("built-ins: every formulas/*.toml is embedded, byte for byte", async () => {
  const files = (await readdir(formulasDir)).filter((name) => name.endsWith(".toml")).sort();
  assert.deepEqual(BUILTIN_FORMULAS.map((builtin) => `${builtin.name}.toml`), files);
  for (const builtin of BUILTIN_FORMULAS) {
    assert.equal(builtin.text, await readFile(`${formulasDir}${builtin.name}.toml`, "utf8"));
  }
  assert.ok(
    ["dev", "review-pr", "release"].every((name) =>
      BUILTIN_FORMULAS.some((builtin) => builtin.name === name)
    ),
  );
});

Deno.test("built-ins: every one validates and renders with its required vars", async () => {
  for (const builtin of BUILTIN_FORMULAS) {
    const { formula } = loadFormula({ ...builtin, origin: "built-in", overrides: false });
    const vars = Object.fromEntries(
      Object.entries(formula.vars).filter(([, spec]) => spec.required).map(([name]) => [
        name,
        `<${name}>`,
      ]),
    );
    const prompt = await renderFormula(formula, builtin.file, {
      vars,
      repoRoot: "/repo",
      readText: (path) => Promise.resolve(path === "/repo/README.md" ? "readme text" : null),
    });
    assert.ok(!/\{\{/.test(prompt), `${builtin.name}: a placeholder is left in the prompt`);
    for (const step of formula.steps) assert.ok(prompt.includes(`. ${step.id}: `), step.id);
    assert.ok(prompt.includes("readme text"), `${builtin.name}: README.md inlined`);
  }
});

Deno.test("built-ins: dev covers its workflow on fix/issue-<n> with at most 3 CI attempts", async () => {
  const dev = BUILTIN_FORMULAS.find((builtin) => builtin.name === "dev")!;
  const { formula } = loadFormula({ ...dev, origin: "built-in", overrides: false });
  assert.deepEqual(formula.steps.map((step) => step.id), [
    "claim",
    "worktree",
    "implement",
    "test",
    "commit",
    "push",
    "pull-request",
    "ci-fix",
    "merge",
  ]);
  const prompt = await renderFormula(formula, dev.file, { vars: { issue: "42", repo: "a/b" } });
  assert.match(prompt, /fix\/issue-42/);
  assert.match(prompt, /Closes #42/);
  assert.match(prompt, /third failed attempt/);
});
