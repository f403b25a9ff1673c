/**
 * Golden files: each folder of testdata/ (except compose-spec/) is a factory
 * root with project TOMLs, an optional `.env`, the process environment in
 * env.json, and the expected output in docker-compose.yml.golden.
 * UPDATE_GOLDEN=1 rewrites the goldens. Every golden validates against the
 * compose-spec schema, and generation gives the same bytes whatever the
 * order of the plugin registry.
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testContext } from "../../core/context.ts";
import { runCli } from "../../core/cli/run.ts";
import { plugins } from "../mod.ts";
import { composeSchemaErrors } from "./schema_check.ts";
import process from "node:process";

const testdata = fileURLToPath(new URL("./testdata/", import.meta.url));
const update = process.env.UPDATE_GOLDEN === "1";

async function cases(): Promise<string[]> {
  const entries = await readdir(testdata, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory() && entry.name !== "compose-spec")
    .map((entry) => entry.name).sort();
}

async function generate(root: string, registry: typeof plugins): Promise<string> {
  const env = JSON.parse(await readFile(join(root, "env.json"), "utf8"));
  const context = testContext({ argv: ["compose", "generate", "--stdout"], cwd: root, env });
  const code = await runCli(context, registry);
  assert.equal(code, 0, context.stderr.text);
  assert.equal(context.stderr.text, "");
  return context.stdout.text;
}

for (const name of await cases()) {
  Deno.test(`golden ${name}: output matches, validates, and ignores registry order`, async () => {
    const root = join(testdata, name);
    const golden = join(root, "docker-compose.yml.golden");
    const output = await generate(root, plugins);
    if (update) await writeFile(golden, output);
    assert.equal(output, await readFile(golden, "utf8"));
    assert.deepEqual(composeSchemaErrors(output), []);
    assert.equal(await generate(root, [...plugins].reverse()), output);
  });
}

Deno.test("goldens exist for at least the three cases", async () => {
  assert.deepEqual(await cases(), ["ci-two-agents", "claude-env", "minimal"]);
});
