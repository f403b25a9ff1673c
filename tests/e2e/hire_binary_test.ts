/**
 * `hire-an-agent` end to end on the compiled binary, after `disinto init`,
 * against the Forgejo emulator served from this test process on 127.0.0.1
 * and a model server on 127.0.0.1: the agent's own identity (checked through
 * the forge's API with the agent's own token and password), its table and
 * compose service; a re-hire and a re-init write nothing on the forge; a down
 * model server is a warning; bad input writes nothing anywhere.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { parseEnv } from "../../core/config/env_file.ts";
import {
  agentOnForge,
  closedLoopbackUrl,
  startModelServer,
} from "../../plugins/agents_llama/_emulator_checks.ts";
import { composeSchemaErrors } from "../../plugins/compose/schema_check.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startEmulator } from "../helpers/emulator.ts";

type Agents = Record<string, Record<string, unknown>>;

async function factory() {
  requireBinary();
  const emulator = await startEmulator();
  const model = await startModelServer();
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-hire-"));
  const env = {
    PATH: "/usr/bin:/bin",
    HOME: "/home/op",
    FORGE_URL: emulator.url,
    FORGE_ADMIN_PASS: emulator.admin.pass,
  };
  return {
    emulator,
    model,
    root,
    run: (args: string[]) => runBinary(["--root", root, ...args], { env }),
    read: (...path: string[]) => readFile(join(root, ...path), "utf8"),
    async dispose() {
      await model.shutdown();
      await emulator.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
}

Deno.test("binary: init, then hire a local-model agent with its own identity", async () => {
  const f = await factory();
  try {
    const init = await f.run(["init", "acme/app", "--yes"]);
    assert.equal(init.code, 0, init.stderr);
    const projectBefore = await f.read("projects", "app.toml");
    f.emulator.clearRequestLog();
    const hire = await f.run([
      "hire-an-agent",
      "dev-qwen",
      "dev",
      "--local-model",
      f.model.url,
      "--model",
      "Qwen3-Coder",
      "--poll-interval",
      "45",
    ]);
    assert.equal(hire.code, 0, hire.stderr);
    assert.equal(hire.stderr, "");
    assert.match(hire.stdout, /model server .*: up/);
    assert.match(hire.stdout, /start it: disinto up/);
    assert.deepEqual(f.model.probes, ["/health"]);

    // .env: the agent's own token and password, not dev-bot's.
    const dotenv = parseEnv(await f.read(".env"));
    const token = dotenv.get("FORGE_TOKEN_DEV_QWEN") ?? "";
    const password = dotenv.get("FORGE_PASS_DEV_QWEN") ?? "";
    assert.ok(token.length >= 32 && password.length > 0);
    assert.notEqual(token, dotenv.get("FORGE_TOKEN"));
    assert.ok(!hire.stdout.includes(token) && !hire.stdout.includes(password));
    // The forge: the user exists, its token and password sign in as itself, write collaborator.
    assert.deepEqual(await agentOnForge(f.emulator, "acme/app", "dev-qwen", { token, password }), {
      userStatus: 200,
      tokenLogin: "dev-qwen",
      passwordLogin: "dev-qwen",
      permission: "write",
      collaborator: "write",
    });

    // The project TOML: the table appended, every byte before it kept.
    const projectText = await f.read("projects", "app.toml");
    assert.ok(projectText.startsWith(projectBefore));
    const agents = (parseToml(projectText) as { agents: Agents }).agents;
    assert.equal(agents["dev-qwen"]!.poll_interval, 45);
    assert.equal(agents["dev-qwen"]!.compact_pct, 60);
    assert.equal(agents["dev-qwen"]!.model, "Qwen3-Coder");

    const compose = await f.read("docker-compose.yml");
    assert.deepEqual(composeSchemaErrors(compose), []);
    assert.ok(!compose.includes(token) && !compose.includes(password));
    const service = parseYaml(compose).services["agents-dev-qwen"];
    assert.equal(service.environment.FORGE_TOKEN, "${FORGE_TOKEN_DEV_QWEN}");
    assert.equal(service.environment.FORGE_PASS, "${FORGE_PASS_DEV_QWEN}");
    assert.equal(service.environment.POLL_INTERVAL, "45");
    assert.equal(service.environment.CLAUDE_AUTOCOMPACT_PCT_OVERRIDE, "60");
    assert.equal(service.environment.CLAUDE_MODEL, "Qwen3-Coder");

    // Re-running init puts the dev agent in the primary branch's merge whitelist: its only write.
    f.emulator.clearRequestLog();
    assert.equal((await f.run(["init", "acme/app", "--yes"])).code, 0);
    assert.deepEqual(f.emulator.writes().map((w) => `${w.method} ${w.path}`), [
      "PATCH /api/v1/repos/acme/app/branch_protections/main",
    ]);

    // Hiring again and re-running init: no write on the forge, .env unchanged, one table.
    const envText = await f.read(".env");
    f.emulator.clearRequestLog();
    const again = await f.run(["hire-an-agent", "dev-qwen", "dev", "--local-model", f.model.url]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await f.run(["init", "acme/app", "--yes"])).code, 0);
    assert.deepEqual(f.emulator.writes(), []);
    assert.ok(f.emulator.requestLog().length > 0, "the forge was asked");
    assert.equal(await f.read(".env"), envText);
    const rehired = await f.read("projects", "app.toml");
    assert.equal(rehired.match(/^\[agents\.dev-qwen\]$/gm)?.length, 1);
    assert.ok(rehired.startsWith(projectBefore));
  } finally {
    await f.dispose();
  }
});

Deno.test("binary: a second agent on a down model server is hired with a warning", async () => {
  const f = await factory();
  try {
    assert.equal((await f.run(["init", "acme/app", "--yes"])).code, 0);
    assert.equal(
      (await f.run(["hire-an-agent", "dev-qwen", "dev", "--local-model", f.model.url])).code,
      0,
    );
    const down = await closedLoopbackUrl();
    const hire = await f.run(["hire-an-agent", "review-llama", "review", "--local-model", down]);
    assert.equal(hire.code, 0, hire.stderr);
    assert.match(hire.stderr, new RegExp(`^warning: model server ${down}: not answering`));
    assert.equal(hire.stderr.trim().split("\n").length, 1);

    const dotenv = parseEnv(await f.read(".env"));
    const seen = await agentOnForge(f.emulator, "acme/app", "review-llama", {
      token: dotenv.get("FORGE_TOKEN_REVIEW_LLAMA") ?? "",
      password: dotenv.get("FORGE_PASS_REVIEW_LLAMA") ?? "",
    });
    assert.equal(seen.tokenLogin, "review-llama");
    assert.equal(seen.collaborator, "write");
    const services = parseYaml(await f.read("docker-compose.yml")).services;
    assert.equal(services["agents-dev-qwen"].environment.FORGE_TOKEN, "${FORGE_TOKEN_DEV_QWEN}");
    assert.equal(
      services["agents-review-llama"].environment.FORGE_TOKEN,
      "${FORGE_TOKEN_REVIEW_LLAMA}",
    );
    assert.ok(services["agents-review-llama"].volumes.includes(
      "agents-review-llama-data:/home/agent/data",
    ));
  } finally {
    await f.dispose();
  }
});

Deno.test("binary: hire-an-agent bad input exits 2, one line, nothing written anywhere", async () => {
  const f = await factory();
  try {
    assert.equal((await f.run(["init", "acme/app", "--yes"])).code, 0);
    const model = f.model.url;
    const cases: Array<{ args: string[]; project?: string; expected: RegExp }> = [
      { args: ["dev qwen", "dev", "--local-model", model], expected: /agent name: "dev qwen"/ },
      {
        args: ["dev-qwen", "dev", "--local-model", model, "--poll-interval", "0"],
        expected: /--poll-interval: "0"/,
      },
      {
        args: ["dev-qwen", "dev", "--local-model", model, "--poll-interval", "2.5"],
        expected: /--poll-interval: "2\.5"/,
      },
      { args: ["dev-qwen", "dev", "--local-model", "file:///x"], expected: /--local-model/ },
      // dev-bot exists after init: hiring it would replace its token and password.
      {
        args: ["dev-bot", "dev", "--local-model", model],
        expected: /"dev-bot" is one of the factory's own identities/,
      },
      { args: ["dev-qwen", "dev", "--local-model", "ftp://m:21"], expected: /--local-model/ },
      {
        args: ["dev-qwen", "dev", "--local-model", model],
        project: "\n[agents.x]\nbase_url = 3\n",
        expected: /app\.toml: agents\.x/,
      },
      {
        args: ["dev-qwen", "dev", "--local-model", model],
        project: "\n[agents.x\n",
        expected: /app\.toml: line \d+: invalid TOML/,
      },
    ];
    const initial = await f.read("projects", "app.toml");
    for (const { args, project, expected } of cases) {
      const text = initial + (project ?? "");
      await writeFile(join(f.root, "projects", "app.toml"), text);
      const before = await snapshot(f.root);
      f.emulator.clearRequestLog();
      const result = await f.run(["hire-an-agent", ...args]);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\bat\b.*:\d+:\d+/);
      assert.equal(result.stdout, "");
      assert.deepEqual(await snapshot(f.root), before, args.join(" "));
      assert.deepEqual(f.emulator.writes(), [], args.join(" "));
    }
    assert.equal(f.emulator.forge.state.user("dev-qwen"), undefined);
    assert.deepEqual(f.model.probes, []);
    const devBot = await fetch(`${f.emulator.url}/api/v1/user`, {
      headers: { authorization: `token ${parseEnv(await f.read(".env")).get("FORGE_TOKEN")}` },
    });
    assert.equal((await devBot.json()).login, "dev-bot");
  } finally {
    await f.dispose();
  }
});

/** Every file under `root` (outside .git) with its content. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out[path.slice(root.length)] = await readFile(path, "utf8");
    }
  };
  await walk(root);
  return out;
}
