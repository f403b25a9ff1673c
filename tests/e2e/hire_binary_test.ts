/**
 * `hire-an-agent --local-model` end to end on the compiled binary, after
 * `disinto init`, against the forge stand-in served on 127.0.0.1 and a model
 * server on 127.0.0.1: the agent's own identity on the forge and in `.env`,
 * its table and compose service; a re-hire and a re-init rotate nothing.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { parseEnv } from "../../core/config/env_file.ts";
import { serve } from "../../core/runtime/serve.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { serveFakeForge } from "../integration/served_forge.ts";

const ADMIN_PASS = "admin-pass-123";

Deno.test("binary: init, then hire a local-model agent with its own identity", async () => {
  requireBinary();
  const served = await serveFakeForge({ adminPass: ADMIN_PASS });
  const model = await serve((request) => {
    const path = new URL(request.url).pathname;
    return new Response(path === "/health" ? "{}" : "", { status: path === "/health" ? 200 : 404 });
  }, { hostname: "127.0.0.1", port: 0 });
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-hire-"));
  const env = {
    PATH: "/usr/bin:/bin",
    HOME: "/home/op",
    FORGE_URL: served.url,
    FORGE_ADMIN_PASS: ADMIN_PASS,
  };
  const run = (args: string[]) => runBinary(["--root", root, ...args], { env });
  try {
    assert.equal((await run(["init", "acme/app", "--yes"])).code, 0);
    const hire = await run([
      "hire-an-agent",
      "dev-qwen",
      "dev",
      "--local-model",
      model.url,
      "--model",
      "Qwen3-Coder",
      "--poll-interval",
      "45",
    ]);
    assert.equal(hire.code, 0, hire.stderr);
    assert.equal(hire.stderr, "");
    assert.match(hire.stdout, /model server .*: up/);

    const dotenv = parseEnv(await readFile(join(root, ".env"), "utf8"));
    const token = dotenv.get("FORGE_TOKEN_DEV_QWEN")!;
    assert.ok(token.length >= 32, "a token");
    assert.notEqual(token, dotenv.get("FORGE_TOKEN"));
    assert.ok(dotenv.get("FORGE_PASS_DEV_QWEN"));
    assert.ok(!hire.stdout.includes(token));
    assert.ok(served.forge.users.has("dev-qwen"));
    assert.equal(served.forge.repos.get("acme/app")?.collaborators.get("dev-qwen"), "write");

    const toml = parseToml(await readFile(join(root, "projects", "app.toml"), "utf8")) as {
      agents: Record<string, Record<string, unknown>>;
    };
    assert.equal(toml.agents["dev-qwen"]!.poll_interval, 45);
    assert.equal(toml.agents["dev-qwen"]!.compact_pct, 60);
    const compose = await readFile(join(root, "docker-compose.yml"), "utf8");
    const service = parseYaml(compose).services["agents-dev-qwen"];
    assert.equal(service.environment.FORGE_TOKEN, "${FORGE_TOKEN_DEV_QWEN}");
    assert.equal(service.environment.POLL_INTERVAL, "45");
    assert.equal(service.environment.CLAUDE_AUTOCOMPACT_PCT_OVERRIDE, "60");
    assert.equal(service.environment.CLAUDE_MODEL, "Qwen3-Coder");

    // Hiring again and re-running init leave the identity alone.
    const envText = await readFile(join(root, ".env"), "utf8");
    served.forge.log = [];
    assert.equal(
      (await run(["hire-an-agent", "dev-qwen", "dev", "--local-model", model.url])).code,
      0,
    );
    assert.equal((await run(["init", "acme/app", "--yes"])).code, 0);
    assert.deepEqual(served.forge.writes(), []);
    assert.equal(await readFile(join(root, ".env"), "utf8"), envText);
  } finally {
    await model.shutdown();
    await served.dispose();
    await rm(root, { recursive: true, force: true });
  }
});
