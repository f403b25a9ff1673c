import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Project } from "../config/project.ts";
import { formulaPrompt } from "./prompt.ts";

Deno.test("formula prompt: factory override, project vars, a worktree instead of repo_root", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-formula-prompt-"));
  try {
    await mkdir(join(root, "formulas"));
    await mkdir(join(root, "checkout"));
    await mkdir(join(root, "worktree"));
    await writeFile(join(root, "checkout", "NOTES.md"), "from the checkout\n");
    await writeFile(join(root, "worktree", "NOTES.md"), "from the worktree\n");
    await writeFile(
      join(root, "formulas", "dev.toml"),
      'name = "dev"\ndescription = "Ours: #{{issue}} in {{repo}}"\nversion = 9\n' +
        '[vars.issue]\ndescription = "i"\nrequired = true\n' +
        '[vars.repo]\ndescription = "r"\nrequired = true\n' +
        '[context]\nfiles = ["NOTES.md"]\n' +
        '[[steps]]\nid = "a"\ntitle = "A"\ndescription = "x"\n',
    );
    const project: Project = {
      name: "app",
      repo: "acme/app",
      forge_url: "http://127.0.0.1:3000",
      primary_branch: "main",
      repo_root: "checkout",
      file: join(root, "projects", "app.toml"),
      tables: {},
    };
    const base = { root, formula: "dev", cwd: root, vars: { issue: "5" }, project };
    const fromCheckout = await formulaPrompt(base);
    assert.equal(fromCheckout.file, join(root, "formulas", "dev.toml"));
    assert.equal(fromCheckout.formula.version, 9);
    assert.match(fromCheckout.prompt, /^Ours: #5 in acme\/app$/m);
    assert.match(fromCheckout.prompt, /^from the checkout$/m);
    const fromWorktree = await formulaPrompt({ ...base, repoRoot: join(root, "worktree") });
    assert.match(fromWorktree.prompt, /^from the worktree$/m);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
