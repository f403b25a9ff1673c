import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { runCli } from "../../core/cli/run.ts";
import { parseEnv } from "../../core/config/env_file.ts";
import { testContext } from "../../core/context.ts";
import type { Plugin } from "../../core/plugin.ts";
import { plugins } from "../mod.ts";
import { composeSchemaErrors } from "../compose/schema_check.ts";
import { FakeForge } from "./_fake_forge.ts";

const PROJECT = `# The demo project.
name = "demo"
repo = "acme/demo"
forge_url = "http://127.0.0.1:3000"  # the forge

[ci]
woodpecker_repo_id = 0

# Mirrors stay exactly as they are.
[mirrors]
github = "git@example.test:acme/demo.git"
`;
const ADMIN = { user: "disinto-admin", pass: "admin-pass-123" };
const MODEL = "http://10.10.10.1:8081";

interface Factory {
  root: string;
  forge: FakeForge;
  hire(args: string[], registry?: readonly Plugin[]): Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>;
  toml(): Promise<string>;
  compose(): Promise<string>;
  env(): Promise<Map<string, string>>;
}

async function factory(project = PROJECT): Promise<Factory> {
  const root = await mkdtemp(join(tmpdir(), "disinto-hire-"));
  await mkdir(join(root, "projects"));
  await writeFile(join(root, "projects", "demo.toml"), project);
  await writeFile(join(root, ".env"), `FORGE_ADMIN_PASS=${ADMIN.pass}\n`, { mode: 0o600 });
  const forge = new FakeForge({ admin: ADMIN, repo: "acme/demo", modelServers: [MODEL] });
  return {
    root,
    forge,
    async hire(args, registry = plugins) {
      const context = testContext({
        argv: ["--root", root, "hire-an-agent", ...args],
        cwd: root,
        env: { HOME: "/home/op" },
        fetch: forge.fetch,
      });
      const code = await runCli(context, registry);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    },
    toml: () => readFile(join(root, "projects", "demo.toml"), "utf8"),
    compose: () => readFile(join(root, "docker-compose.yml"), "utf8"),
    env: async () => parseEnv(await readFile(join(root, ".env"), "utf8")),
  };
}

Deno.test("hire --poll-interval 45: separate keys in the TOML and the compose file", async () => {
  const f = await factory();
  try {
    const result = await f.hire([
      "dev-qwen",
      "dev",
      "--local-model",
      MODEL,
      "--poll-interval",
      "45",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const toml = await f.toml();
    const agent = (parseToml(toml) as { agents: Record<string, Record<string, unknown>> }).agents[
      "dev-qwen"
    ]!;
    assert.deepEqual({ ...agent }, {
      base_url: MODEL,
      model: "local-model",
      api_key: "sk-no-key-required",
      roles: ["dev"],
      forge_user: "dev-qwen",
      compact_pct: 60,
      poll_interval: 45,
    });
    // Key order as documented, and the rest of the file byte for byte.
    assert.ok(toml.startsWith(PROJECT));
    assert.deepEqual(
      toml.slice(PROJECT.length).split("\n").filter((l) => l.includes("=")).map((l) =>
        l.split(" ")[0]
      ),
      ["base_url", "model", "api_key", "roles", "forge_user", "compact_pct", "poll_interval"],
    );

    const yaml = await f.compose();
    assert.match(yaml, /^ {6}POLL_INTERVAL: "45"$/m);
    assert.match(yaml, /^ {6}CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "60"$/m);
    assert.match(yaml, /^ {6}FORGE_TOKEN: \$\{FORGE_TOKEN_DEV_QWEN\}$/m);
    assert.match(yaml, /^ {6}FORGE_PASS: \$\{FORGE_PASS_DEV_QWEN\}$/m);
    assert.deepEqual(composeSchemaErrors(yaml), []);
    const service = parseYaml(yaml).services["agents-dev-qwen"];
    assert.equal(service.environment.AGENT_ROLES, "dev");
    assert.equal(service.environment.ANTHROPIC_BASE_URL, MODEL);
    assert.deepEqual(service.command, ["agents", "run"]);

    // Its own identity: user, password, token, write collaborator.
    const env = await f.env();
    assert.ok(f.forge.users.has("dev-qwen"));
    assert.equal(f.forge.users.get("dev-qwen")!.password, env.get("FORGE_PASS_DEV_QWEN"));
    const token = env.get("FORGE_TOKEN_DEV_QWEN")!;
    assert.equal(f.forge.tokens.get(token)?.user, "dev-qwen");
    assert.equal(f.forge.collaborators.get("acme/demo dev-qwen"), "write");
    assert.equal((await stat(join(f.root, ".env"))).mode & 0o777, 0o600);
    // No secret in the output.
    assert.ok(!result.stdout.includes(token));
    assert.ok(!result.stdout.includes(env.get("FORGE_PASS_DEV_QWEN")!));
    assert.match(result.stdout, /start it: disinto up/);
    assert.match(result.stdout, /model server .*: up/);
  } finally {
    await rm(f.root, { recursive: true });
  }
});

Deno.test("hiring the same name twice leaves one valid table and keeps the identity", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", MODEL])).code, 0);
    const envBefore = await f.env();
    const second = await f.hire([
      "dev-qwen",
      "review",
      "--local-model",
      "http://10.10.10.2:9000/",
      "--model",
      "Qwen3",
      "--poll-interval",
      "30",
    ]);
    assert.equal(second.code, 0, second.stderr);
    const toml = await f.toml();
    assert.equal(toml.match(/^\[agents\.dev-qwen\]$/gm)?.length, 1);
    const agents = (parseToml(toml) as { agents: Record<string, Record<string, unknown>> }).agents;
    assert.deepEqual(Object.keys(agents), ["dev-qwen"]);
    assert.equal(agents["dev-qwen"]!.base_url, "http://10.10.10.2:9000");
    assert.deepEqual(agents["dev-qwen"]!.roles, ["review"]);
    assert.equal(agents["dev-qwen"]!.poll_interval, 30);
    assert.equal(agents["dev-qwen"]!.compact_pct, 60);
    assert.ok(toml.startsWith(PROJECT));
    // No rotation: the password and token stay.
    assert.deepEqual(await f.env(), envBefore);
    // The server at the new URL does not answer: a warning, not an error.
    assert.match(
      second.stderr,
      /^warning: model server http:\/\/10\.10\.10\.2:9000: not answering/,
    );
    // --json: the same facts as data.
    const third = await f.hire(["--json", "dev-qwen", "review", "--local-model", MODEL]);
    assert.equal(third.code, 0, third.stderr);
    const report = JSON.parse(third.stdout);
    assert.equal(report.service, "agents-dev-qwen");
    assert.deepEqual(report.identity, {
      account: "unchanged",
      password: "unchanged",
      token: "unchanged",
      collaborator: "unchanged",
    });
    assert.equal(report.model_server.up, true);
  } finally {
    await rm(f.root, { recursive: true });
  }
});

Deno.test("two local-model agents: two services, each with its own identity and volumes", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", MODEL])).code, 0);
    assert.equal((await f.hire(["Review.Llama", "review", "--local-model", MODEL])).code, 0);
    const doc = parseYaml(await f.compose());
    const qwen = doc.services["agents-dev-qwen"];
    const llama = doc.services["agents-review-llama"];
    assert.equal(qwen.environment.FORGE_TOKEN, "${FORGE_TOKEN_DEV_QWEN}");
    assert.equal(llama.environment.FORGE_TOKEN, "${FORGE_TOKEN_REVIEW_LLAMA}");
    assert.equal(llama.environment.FORGE_PASS, "${FORGE_PASS_REVIEW_LLAMA}");
    assert.ok(qwen.volumes.includes("agents-dev-qwen-data:/home/agent/data"));
    assert.ok(llama.volumes.includes("agents-review-llama-repos:/home/agent/repos"));
    assert.ok(!llama.volumes.some((v: string) => v.startsWith("agents-dev-qwen")));
    for (const name of ["dev-qwen", "review-llama"]) {
      assert.ok(`agents-${name}-data` in doc.volumes && `agents-${name}-repos` in doc.volumes);
    }
    // Both share one backend, so one lock file.
    assert.equal(qwen.environment.AGENT_LOCK_FILE, llama.environment.AGENT_LOCK_FILE);
    const env = await f.env();
    assert.ok(env.has("FORGE_TOKEN_REVIEW_LLAMA") && env.has("FORGE_TOKEN_DEV_QWEN"));
    assert.notEqual(env.get("FORGE_TOKEN_REVIEW_LLAMA"), env.get("FORGE_TOKEN_DEV_QWEN"));
  } finally {
    await rm(f.root, { recursive: true });
  }
});

Deno.test("the compose file is the same whatever the registry order", async () => {
  const forward = await factory();
  const reversed = await factory();
  try {
    for (const f of [forward, reversed]) {
      const registry = f === forward ? plugins : [...plugins].reverse();
      assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", MODEL], registry)).code, 0);
      assert.equal((await f.hire(["other", "review", "--local-model", MODEL], registry)).code, 0);
    }
    const yaml = await forward.compose();
    assert.equal(await reversed.compose(), yaml);
    assert.doesNotMatch(yaml, /\{\{|@@|(?<!\$)\$(?![{$])/);
  } finally {
    await rm(forward.root, { recursive: true });
    await rm(reversed.root, { recursive: true });
  }
});

Deno.test("bad input exits 2 with one line and writes nothing", async () => {
  const cases: Array<[string[], RegExp, string?]> = [
    [["dev qwen", "dev", "--local-model", MODEL], /^disinto: agent name: "dev qwen" is not valid/],
    [["-dev", "dev", "--local-model", MODEL], /./],
    [["dev-qwen", "Dev!", "--local-model", MODEL], /role: "Dev!"/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "0"], /--poll-interval: "0"/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "-5"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "1.5"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "abc"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", "ftp://host/"], /--local-model: "ftp:\/\/host\/"/],
    [["dev-qwen", "dev", "--local-model", "localhost:8081"], /--local-model/],
    [["dev-qwen", "dev", "--poll-interval", "45"], /--poll-interval: only for a local-model/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--model", ""], /--model/],
    [
      ["dev-qwen", "dev", "--local-model", MODEL],
      /demo\.toml: bogus: unknown key/,
      "[bogus]\nx = 1\n",
    ],
    [["dev-qwen", "dev", "--local-model", MODEL], /demo\.toml: line \d+: invalid TOML/, "x = \n"],
    [
      ["dev-qwen", "dev", "--local-model", MODEL],
      /agents\.dev-qwen: cannot replace the table/,
      '[agents]\ndev-qwen = { base_url = "http://x", roles = ["dev"], forge_user = "dev-qwen" }\n',
    ],
    [
      ["dev-qwen", "dev", "--local-model", MODEL],
      /agents\.old\.compact_pct/,
      '[agents.old]\nbase_url = "http://x"\nroles = ["dev"]\nforge_user = "old"\ncompact_pct = 500\n',
    ],
  ];
  for (const [args, expected, extra] of cases) {
    const f = await factory(PROJECT + (extra ?? ""));
    try {
      const before = await snapshot(f.root);
      const result = await f.hire(args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.equal(result.stdout, "");
      assert.deepEqual(await snapshot(f.root), before, args.join(" "));
      assert.deepEqual(f.forge.requests, [], "no forge request");
    } finally {
      await rm(f.root, { recursive: true });
    }
  }
});

Deno.test("a missing admin password is bad input; a forge failure exits 1", async () => {
  const f = await factory();
  try {
    await writeFile(join(f.root, ".env"), "");
    const missing = await f.hire(["dev-qwen", "dev", "--local-model", MODEL]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /FORGE_ADMIN_PASS: not set/);
    await writeFile(join(f.root, ".env"), "FORGE_ADMIN_PASS=wrong-password\n");
    const before = await f.toml();
    const refused = await f.hire(["dev-qwen", "dev", "--local-model", MODEL]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^disinto: GET \/api\/v1\/users\/dev-qwen: HTTP 401/);
    assert.ok(!refused.stderr.includes("wrong-password"));
    assert.equal(await f.toml(), before);
  } finally {
    await rm(f.root, { recursive: true });
  }
});

/** Every file under `root` with its content. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[path.slice(root.length)] = await readFile(path, "utf8");
    }
  };
  await walk(root);
  return out;
}

Deno.test("without --local-model only the identity is created", async () => {
  const f = await factory();
  try {
    const before = await f.toml();
    const result = await f.hire(["--json", "architect-2", "architect"]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.user, "architect-2");
    assert.equal(report.identity.account, "created");
    assert.equal(report.service, undefined);
    assert.equal(await f.toml(), before);
    await assert.rejects(stat(join(f.root, "docker-compose.yml")));
    const env = await f.env();
    assert.equal(f.forge.tokens.get(env.get("FORGE_TOKEN_ARCHITECT_2")!)?.user, "architect-2");
    assert.equal(f.forge.collaborators.get("acme/demo architect-2"), "write");
  } finally {
    await rm(f.root, { recursive: true });
  }
});
