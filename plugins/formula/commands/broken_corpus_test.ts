/**
 * The broken-formula corpus (core/formula/testdata/broken): each file, run
 * through `disinto formula validate` (or `render` when its header says
 * `# run: render`), exits 2 with one line naming the file, the step where
 * there is one, and the rule given in its `# expect:` header.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import { plugins } from "../../mod.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const corpus = "core/formula/testdata/broken";

Deno.test("formula corpus: every broken formula exits 2 with one line naming file, step and rule", async () => {
  const names = (await readdir(join(repoRoot, corpus))).filter((name) => name.endsWith(".toml"))
    .sort();
  assert.ok(names.length >= 10, `expected at least 10 broken formulas, found ${names.length}`);
  const factory = await mkdtemp(join(tmpdir(), "disinto-formula-corpus-"));
  try {
    await mkdir(join(factory, "projects"));
    await mkdir(join(factory, "checkout"));
    await writeFile(
      join(factory, "projects", "app.toml"),
      'name = "app"\nrepo = "acme/app"\nforge_url = "http://127.0.0.1:3000"\n' +
        'repo_root = "checkout"\n',
    );
    const failures: string[] = [];
    for (const name of names) {
      const file = `${corpus}/${name}`;
      const text = await readFile(join(repoRoot, file), "utf8");
      const expected = /^# expect: (.+)$/m.exec(text)?.[1];
      assert.ok(expected, `${file} has no "# expect:" header`);
      const verb = /^# run: render$/m.test(text) ? "render" : "validate";
      const context = testContext({
        argv: ["--root", factory, "formula", verb, file],
        cwd: repoRoot,
      });
      const code = await runCli(context, plugins);
      const stderr = context.stderr.text;
      const broken = [
        code === 2 ? "" : `exit ${code}`,
        context.stdout.text === "" ? "" : "wrote to stdout",
        stderr.split("\n").length === 2 ? "" : "not one line",
        stderr.startsWith(`disinto: ${file}: `) ? "" : "does not name the file",
        stderr.includes(expected) ? "" : `lacks "${expected}"`,
      ].filter(Boolean);
      if (broken.length > 0) failures.push(`${file}: ${broken.join(", ")}: ${stderr}`);
    }
    assert.deepEqual(failures, []);
  } finally {
    await rm(factory, { recursive: true, force: true });
  }
});
