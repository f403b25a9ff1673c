/**
 * The runtime seam stays in one place: outside core/runtime/ no source calls
 * Deno.* or Bun.*, so the same code runs under deno, deno compile and the Bun
 * binary. `Deno.test` is the test runner itself and the one allowed name.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".bench"]);
const RUNTIME_CALL = /\b(?:Deno\.(?!test\b)|Bun\.)\w+/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) found.push(...await sourceFiles(path));
    } else if (entry.name.endsWith(".ts")) {
      found.push(path);
    }
  }
  return found;
}

/** "file:line: Deno.xyz" for every runtime call outside core/runtime/ in `files`. */
export async function runtimeCallsOutsideSeam(files: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    const name = relative(ROOT, file);
    if (name.startsWith(join("core", "runtime"))) continue;
    const lines = (await readFile(file, "utf8")).split("\n");
    lines.forEach((line, index) => {
      const code = line.replace(/^\s*(\/\/|\*|\/\*\*).*$/, "");
      for (const match of code.matchAll(RUNTIME_CALL)) {
        found.push(`${name}:${index + 1}: ${match[0]}`);
      }
    });
  }
  return found;
}

Deno.test("no Deno.* or Bun.* call outside core/runtime/", async () => {
  const files = await sourceFiles(ROOT);
  assert.ok(files.length > 100, "the scan found the sources");
  assert.deepEqual(await runtimeCallsOutsideSeam(files), []);
});

Deno.test("the seam check names a runtime call, and lets Deno.test and comments pass", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-seam-"));
  try {
    const file = join(dir, "sample.ts");
    // Built from parts so that this file does not trip its own check.
    const [deno, bun] = ["Deno", "Bun"];
    await writeFile(
      file,
      [
        `${deno}.test("fine", () => {});`,
        `// ${deno}.env is mentioned in a comment`,
        `const home = ${deno}.env.get("HOME");`,
        `const port = ${bun}.serve;`,
      ].join("\n"),
    );
    const found = (await runtimeCallsOutsideSeam([file])).map((f) =>
      f.replace(/^.*sample\.ts/, "")
    );
    assert.deepEqual(found, [`:3: ${deno}.env`, `:4: ${bun}.serve`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
