import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BadInputError } from "../errors.ts";
import { findFormulaSource, formulaSources, loadFormula } from "./catalogue.ts";

const formulaText = (name: string, description = "d") =>
  `name = "${name}"\ndescription = "${description}"\nversion = 1\n` +
  `[[steps]]\nid = "a"\ntitle = "A"\ndescription = "x"\n`;

async function withRoot(run: (root: string) => Promise<void>) {
  const root = await mkdtemp(join(tmpdir(), "disinto-formula-catalogue-"));
  try {
    await run(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

Deno.test("catalogue: the built-ins when the factory has no formulas/", async () => {
  await withRoot(async (root) => {
    const sources = await formulaSources(root);
    assert.deepEqual(
      sources.map(({ name, origin, file }) => ({ name, origin, file })),
      [
        { name: "dev", origin: "built-in", file: "built-in:dev.toml" },
        { name: "release", origin: "built-in", file: "built-in:release.toml" },
        { name: "review-pr", origin: "built-in", file: "built-in:review-pr.toml" },
      ],
    );
  });
});

Deno.test("catalogue: formulas/ adds formulas and overrides a built-in by name", async () => {
  await withRoot(async (root) => {
    await mkdir(join(root, "formulas", "nested"), { recursive: true });
    await writeFile(join(root, "formulas", "dev.toml"), formulaText("dev", "ours"));
    await writeFile(join(root, "formulas", "triage.toml"), formulaText("triage"));
    await writeFile(join(root, "formulas", "notes.txt"), "not a formula");
    await writeFile(join(root, "formulas", "nested", "deep.toml"), formulaText("deep"));
    const label = (path: string) => path.replace(root, "<root>");
    const sources = await formulaSources(root, { label });
    assert.deepEqual(
      sources.map(({ name, origin, overrides, file }) => ({ name, origin, overrides, file })),
      [
        { name: "dev", origin: "factory", overrides: true, file: "<root>/formulas/dev.toml" },
        { name: "release", origin: "built-in", overrides: false, file: "built-in:release.toml" },
        {
          name: "review-pr",
          origin: "built-in",
          overrides: false,
          file: "built-in:review-pr.toml",
        },
        {
          name: "triage",
          origin: "factory",
          overrides: false,
          file: "<root>/formulas/triage.toml",
        },
      ],
    );
    const dev = loadFormula(await findFormulaSource(root, "dev", root));
    assert.equal(dev.formula.description, "ours");
  });
});

Deno.test("catalogue: a listed formula's name must match its file name", async () => {
  await withRoot(async (root) => {
    await mkdir(join(root, "formulas"));
    await writeFile(join(root, "formulas", "triage.toml"), formulaText("triaging"));
    const source = await findFormulaSource(root, "triage", root);
    assert.throws(
      () => loadFormula(source),
      (error: unknown) =>
        error instanceof BadInputError &&
        error.message ===
          `${
            join(root, "formulas", "triage.toml")
          }: name: "triaging" must match the file name "triage"`,
    );
  });
});

Deno.test("catalogue: by path (relative to cwd) any name goes; unknown names and files are bad input", async () => {
  await withRoot(async (root) => {
    await writeFile(join(root, "draft.toml"), formulaText("anything"));
    const source = await findFormulaSource("/nonexistent", "draft.toml", root);
    assert.equal(source.origin, "path");
    assert.equal(loadFormula(source).formula.name, "anything");
    await assert.rejects(
      findFormulaSource(root, "nope", root),
      /formula "nope": unknown formula; expected one of dev, release, review-pr/,
    );
    await assert.rejects(
      findFormulaSource(root, "./gone.toml", root),
      (error: unknown) =>
        error instanceof BadInputError &&
        error.message === `${join(root, "gone.toml")}: cannot read formula file (ENOENT)`,
    );
  });
});
