/**
 * `--api-key` is a secret: it goes to `.env` (0600) as ANTHROPIC_API_KEY_<AGENT>
 * and the TOML and compose file (0644) name it as a runtime `${VAR}`. A table
 * that still holds a literal `api_key` (hand-written, or an older hire) keeps
 * working: its value is passed through as before.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { hireFactory } from "./_hire_factory.ts";
import { agentTable, apiKeyEnvKey, withAgentTable } from "./agent_table.ts";
import { localAgentService } from "./compose_service.ts";
import { runtime } from "../../core/compose/value.ts";
import type { Project } from "../../core/config/project.ts";
import type { ComposeHookInput } from "../../core/plugin.ts";

const SECRET = "sk-live-0123456789abcdef";

Deno.test("hire --api-key: the key is in .env only; TOML and compose name its ${VAR}", async () => {
  const f = await hireFactory();
  try {
    await f.hire({ name: "dev-a", role: "dev", apiKey: SECRET });
    const toml = await f.tomlText();
    const yaml = await readFile(join(f.root, "docker-compose.yml"), "utf8");
    assert.ok(!toml.includes(SECRET), "the key is in the project TOML");
    assert.ok(!yaml.includes(SECRET), "the key is in the compose file");
    const agents = (await f.toml()).agents as Record<string, Record<string, unknown>>;
    assert.equal(agents["dev-a"]!.api_key_env, "ANTHROPIC_API_KEY_DEV_A");
    assert.equal(agents["dev-a"]!.api_key, undefined);
    const service = (await f.compose()).services["agents-dev-a"]!;
    assert.equal(service.environment.ANTHROPIC_API_KEY, "${ANTHROPIC_API_KEY_DEV_A}");
    assert.match(await f.envText(), new RegExp(`^ANTHROPIC_API_KEY_DEV_A=${SECRET}$`, "m"));
    assert.equal((await stat(join(f.root, ".env"))).mode & 0o777, 0o600);
  } finally {
    await f.dispose();
  }
});

Deno.test("without --api-key the table keeps the default literal, which is no secret", () => {
  const agent = agentTable({ baseUrl: "http://m", role: "dev", forgeUser: "q" });
  assert.equal(agent.api_key, "sk-no-key-required");
  assert.equal(agent.api_key_env, undefined);
  assert.equal(apiKeyEnvKey("dev.qwen-2"), "ANTHROPIC_API_KEY_DEV_QWEN_2");
  const keyed = agentTable({ baseUrl: "http://m", role: "dev", forgeUser: "q", apiKey: "k" });
  assert.ok(!withAgentTable("", "q", keyed).includes('"k"'));
});

Deno.test("a table with a literal api_key still gets it in its service", () => {
  const project = { name: "p", file: "p.toml" } as unknown as Project;
  const input = { env: { HOME: "/home/op" } } as unknown as ComposeHookInput;
  const base = { base_url: "http://m", model: "m", roles: ["dev"], forge_user: "q" };
  const common = { ...base, compact_pct: 60, poll_interval: 60 };
  const literal = localAgentService(project, "q", { ...common, api_key: "sk-old" }, input);
  assert.equal(literal.environment!.ANTHROPIC_API_KEY, "sk-old");
  const byEnv = localAgentService(project, "q", {
    ...common,
    api_key: "sk-no-key-required",
    api_key_env: "ANTHROPIC_API_KEY_Q",
  }, input);
  assert.deepEqual(byEnv.environment!.ANTHROPIC_API_KEY, runtime("ANTHROPIC_API_KEY_Q"));
});
