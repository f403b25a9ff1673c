import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { runCli } from "../../core/cli/run.ts";
import { testContext } from "../../core/context.ts";
import { plugins } from "../mod.ts";
import { backendLockFile } from "./compose_service.ts";

const agent = (section: string, user: string, url: string) =>
  `\n[agents.${section}]\nbase_url = "${url}"\nroles = ["dev"]\nforge_user = "${user}"\n`;

async function generate(files: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), "disinto-llama-"));
  await mkdir(join(root, "projects"));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(root, "projects", name), text);
  }
  const context = testContext({
    argv: ["--root", root, "compose", "generate", "--stdout"],
    env: { HOME: "/home/op" },
  });
  const code = await runCli(context, plugins);
  await rm(root, { recursive: true });
  return { code, stdout: context.stdout.text, stderr: context.stderr.text };
}

const project = (name: string) =>
  `name = "${name}"\nrepo = "acme/${name}"\nforge_url = "http://localhost:3000"\n`;

Deno.test("agents of several projects each get a service with their project's name", async () => {
  const result = await generate({
    "a.toml": project("a") + agent("qwen", "dev-qwen", "http://m1:8081"),
    "b.toml": project("b") + agent("llama", "dev-llama", "http://m2:8081"),
  });
  assert.equal(result.code, 0, result.stderr);
  const doc = parse(result.stdout);
  assert.equal(doc.name, "disinto");
  assert.equal(doc.services["agents-qwen"].environment.PROJECT_NAME, "a");
  assert.equal(doc.services["agents-llama"].environment.PROJECT_NAME, "b");
  assert.notEqual(
    doc.services["agents-qwen"].environment.AGENT_LOCK_FILE,
    doc.services["agents-llama"].environment.AGENT_LOCK_FILE,
  );
});

Deno.test("one section used by two projects is bad input naming it", async () => {
  const result = await generate({
    "a.toml": project("a") + agent("qwen", "dev-qwen", "http://m1:8081"),
    "b.toml": project("b") + agent("qwen", "dev-qwen2", "http://m2:8081"),
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /agents\.qwen: the section is also used by another project/);
});

Deno.test("one lock per model backend", () => {
  assert.equal(backendLockFile("/c", "http://10.0.0.1:8081"), "/c/backend-10.0.0.1-8081.lock");
  assert.equal(backendLockFile("/c", "https://M.example"), "/c/backend-m.example-443.lock");
  assert.equal(backendLockFile("/c", "http://[::1]:9/"), "/c/backend----1--9.lock");
});
