import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { BadInputError } from "../errors.ts";
import { loadProjectFile, resolveProjectFile, validateProject } from "./project.ts";

const settings = [{
  table: "mirrors",
  description: "release mirrors",
  schema: z.record(z.string(), z.string()),
}];

const base = { name: "demo", repo: "acme/demo", forge_url: "http://127.0.0.1:3000" };

function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BadInputError, `not a bad-input error: ${error}`);
    return error.message;
  }
  throw new Error("expected a bad-input error");
}

Deno.test("a valid project gets its defaults and its plugin tables", () => {
  const project = validateProject({ ...base, mirrors: { gh: "git@x:y.git" } }, "p.toml", settings);
  assert.equal(project.primary_branch, "main");
  assert.deepEqual(project.tables, { mirrors: { gh: "git@x:y.git" } });
});

Deno.test("an unknown key names the file, the key path and the rule", () => {
  assert.equal(
    badInput(() => validateProject({ ...base, colour: "red" }, "p.toml", settings)),
    "p.toml: colour: unknown key",
  );
});

Deno.test("a wrong type names the key path", () => {
  assert.match(
    badInput(() => validateProject({ ...base, mirrors: { gh: 3 } }, "p.toml", settings)),
    /^p\.toml: mirrors\.gh: expected string/,
  );
});

Deno.test("a missing required key says so", () => {
  assert.match(
    badInput(() => validateProject({ name: "demo", repo: "acme/demo" }, "p.toml", settings)),
    /^p\.toml: forge_url: required/,
  );
});

Deno.test("a forge URL that is not http(s) is refused", () => {
  assert.match(
    badInput(() => validateProject({ ...base, forge_url: "ftp://x" }, "p.toml", settings)),
    /forge_url: expected an http\(s\) URL/,
  );
});

Deno.test("invalid TOML names the file and the line; a missing file is bad input", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-project-"));
  const file = join(dir, "p.toml");
  await writeFile(file, 'name = "demo"\nrepo = = "x"\n');
  await assert.rejects(loadProjectFile(file, settings), /p\.toml: line 2: invalid TOML/);
  await assert.rejects(loadProjectFile(join(dir, "none.toml"), settings), BadInputError);
  await rm(dir, { recursive: true });
});

Deno.test("the project is chosen by --project, PROJECT_NAME, or the only file", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-root-"));
  assert.equal(await resolveProjectFile(root, undefined, {}), null);
  await mkdir(join(root, "projects"));
  await writeFile(join(root, "projects", "a.toml"), "");
  assert.equal(await resolveProjectFile(root, undefined, {}), join(root, "projects", "a.toml"));
  await writeFile(join(root, "projects", "b.toml"), "");
  await assert.rejects(resolveProjectFile(root, undefined, {}), /several projects \(a, b\)/);
  assert.equal(
    await resolveProjectFile(root, undefined, { PROJECT_NAME: "b" }),
    join(root, "projects", "b.toml"),
  );
  assert.equal(await resolveProjectFile(root, "a", {}), join(root, "projects", "a.toml"));
  await rm(root, { recursive: true });
});
