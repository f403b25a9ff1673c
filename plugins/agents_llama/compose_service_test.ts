import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { runCli } from "../../core/cli/run.ts";
import { testContext } from "../../core/context.ts";
import { plugins } from "../mod.ts";
import { backendLockPath } from "../../core/agent/backend_lock.ts";
import { LOCAL_AGENT_CLAUDE_DIR } from "./compose_service.ts";

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

Deno.test("one lock per model backend under the shared state/locks; the shared Claude config never mounted", async () => {
  const result = await generate({
    "a.toml": project("a") + agent("qwen", "dev-qwen", "http://m1:8081") +
      agent("qwen2", "dev-qwen2", "http://m1:8081") + agent("other", "dev-other", "http://m2:8081"),
  });
  assert.equal(result.code, 0, result.stderr);
  const services = parse(result.stdout).services;
  const [qwen, qwen2, other] = ["agents-qwen", "agents-qwen2", "agents-other"].map((name) =>
    services[name]
  );
  // The runner computes the same path from the factory root (core/agent/backend_lock.ts).
  assert.equal(qwen.environment.AGENT_LOCK_FILE, backendLockPath("/factory", "http://m1:8081"));
  assert.match(qwen.environment.AGENT_LOCK_FILE, /^\/factory\/state\/locks\/backend-m1-8081-/);
  assert.equal(qwen2.environment.AGENT_LOCK_FILE, qwen.environment.AGENT_LOCK_FILE);
  assert.notEqual(other.environment.AGENT_LOCK_FILE, qwen.environment.AGENT_LOCK_FILE);
  assert.ok(qwen.volumes.includes("./state:/factory/state"), "state/ is the shared mount");
  for (const service of [qwen, qwen2, other]) {
    assert.equal(service.environment.CLAUDE_CONFIG_DIR, LOCAL_AGENT_CLAUDE_DIR);
    assert.ok(
      !service.volumes.some((volume: string) => volume.includes("/home/op/.claude")),
      `a local-model agent mounts the shared config: ${service.volumes}`,
    );
    assert.ok(service.volumes.includes("/home/op/.local/bin/claude:/home/op/.local/bin/claude:ro"));
  }
  // The batch agents on the OAuth login still share it.
  assert.ok(services.agents.volumes.includes("/home/op/.claude:/home/op/.claude"));
});
