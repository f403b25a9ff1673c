/**
 * `hire-an-agent` in process against the Forgejo emulator on loopback and a
 * model server on loopback: the agent's identity is checked through the
 * forge's API with the agent's own credentials, the writes through the
 * emulator's request log.
 */
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
import type { RunningServer } from "../../core/runtime/serve.ts";
import { type StartedEmulator, startEmulator } from "../../tests/helpers/emulator.ts";
import { plugins } from "../mod.ts";
import { composeSchemaErrors } from "../compose/schema_check.ts";
import {
  agentOnForge,
  closedLoopbackUrl,
  createProjectRepo,
  startModelServer,
} from "./_emulator_checks.ts";

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
const REPO = "acme/demo";

interface Factory {
  root: string;
  emulator: StartedEmulator;
  model: RunningServer & { probes: string[] };
  hire(args: string[], registry?: readonly Plugin[]): Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>;
  toml(): Promise<string>;
  compose(): Promise<string>;
  env(): Promise<Map<string, string>>;
  /** What the forge says about `user`, with the credentials `.env` holds for it. */
  agent(user: string, envKey: string): ReturnType<typeof agentOnForge>;
  dispose(): Promise<void>;
}

/** A factory root with the project TOML, its repo on a fresh emulator, a model server. */
async function factory(project = PROJECT): Promise<Factory> {
  const emulator = await startEmulator();
  const model = await startModelServer();
  await createProjectRepo(emulator, REPO);
  emulator.clearRequestLog();
  const root = await mkdtemp(join(tmpdir(), "disinto-hire-"));
  await mkdir(join(root, "projects"));
  await writeFile(join(root, "projects", "demo.toml"), project);
  await writeFile(
    join(root, ".env"),
    `FORGE_URL=${emulator.url}\nFORGE_ADMIN_PASS=${emulator.admin.pass}\n`,
    { mode: 0o600 },
  );
  const env = async () => parseEnv(await readFile(join(root, ".env"), "utf8"));
  return {
    root,
    emulator,
    model,
    async hire(args, registry = plugins) {
      const context = testContext({
        argv: ["--root", root, "hire-an-agent", ...args],
        cwd: root,
        env: { HOME: "/home/op" },
      });
      const code = await runCli(context, registry);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    },
    toml: () => readFile(join(root, "projects", "demo.toml"), "utf8"),
    compose: () => readFile(join(root, "docker-compose.yml"), "utf8"),
    env,
    async agent(user, envKey) {
      const values = await env();
      return agentOnForge(emulator, REPO, user, {
        token: values.get(`FORGE_TOKEN_${envKey}`) ?? "",
        password: values.get(`FORGE_PASS_${envKey}`) ?? "",
      });
    },
    async dispose() {
      await model.shutdown();
      await emulator.dispose();
      await rm(root, { recursive: true });
    },
  };
}

const agentsOf = (toml: string) =>
  (parseToml(toml) as { agents: Record<string, Record<string, unknown>> }).agents;

/** The forge sees the agent as itself: its user, token, password and write access. */
async function assertOwnIdentity(f: Factory, user: string, envKey: string) {
  assert.deepEqual(await f.agent(user, envKey), {
    userStatus: 200,
    tokenLogin: user,
    passwordLogin: user,
    permission: "write",
    collaborator: "write",
  });
}

Deno.test("hire --poll-interval 45: own identity, separate keys in the TOML and compose", async () => {
  const f = await factory();
  try {
    const result = await f.hire([
      "dev-qwen",
      "dev",
      "--local-model",
      f.model.url,
      "--poll-interval",
      "45",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.deepEqual(f.model.probes, ["/health"]);
    const toml = await f.toml();
    assert.deepEqual({ ...agentsOf(toml)["dev-qwen"] }, {
      base_url: f.model.url,
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
    assert.equal(service.environment.ANTHROPIC_BASE_URL, f.model.url);
    assert.equal(service.environment.FORGE_USER, "dev-qwen");
    assert.deepEqual(service.command, ["agents", "run"]);

    // Its own identity on the forge, used with its own credentials.
    await assertOwnIdentity(f, "dev-qwen", "DEV_QWEN");
    const env = await f.env();
    const token = env.get("FORGE_TOKEN_DEV_QWEN")!;
    const password = env.get("FORGE_PASS_DEV_QWEN")!;
    assert.equal((await stat(join(f.root, ".env"))).mode & 0o777, 0o600);
    // No secret in the output nor in the compose file (compose reads .env at runtime).
    for (const secret of [token, password]) {
      assert.ok(!result.stdout.includes(secret));
      assert.ok(!yaml.includes(secret));
    }
    assert.match(result.stdout, /start it: disinto up/);
    assert.match(result.stdout, /model server .*: up/);
  } finally {
    await f.dispose();
  }
});

Deno.test("the forge writes of a first hire: the admin creates the user and grants write, the agent its token", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", f.model.url])).code, 0);
    const writes = f.emulator.writes().map((e) => `${e.method} ${e.path} ${e.status} ${e.user}`);
    assert.deepEqual(writes, [
      "POST /api/v1/admin/users 201 disinto-admin",
      // Token routes need basic auth; the agent signs in with its new password.
      "POST /api/v1/users/dev-qwen/tokens 201 dev-qwen",
      "PUT /api/v1/repos/acme/demo/collaborators/dev-qwen 204 disinto-admin",
    ]);
    // One token, least privilege: dev work, nothing administrative.
    const state = f.emulator.forge.state;
    const user = state.user("dev-qwen")!;
    const tokens = state.data.tokens.filter((t) => t.userId === user.id);
    assert.deepEqual(tokens.map((t) => [t.name, [...t.scopes].sort()]), [
      ["disinto-dev-qwen-token", ["read:user", "write:issue", "write:repository"]],
    ]);
    assert.equal(user.isAdmin, false);
  } finally {
    await f.dispose();
  }
});

Deno.test("hiring the same name twice leaves one valid table and keeps the identity", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", f.model.url])).code, 0);
    const envBefore = await f.env();
    f.emulator.clearRequestLog();
    const down = await closedLoopbackUrl();
    const second = await f.hire([
      "dev-qwen",
      "review",
      "--local-model",
      `${down}/`,
      "--model",
      "Qwen3",
      "--poll-interval",
      "30",
    ]);
    assert.equal(second.code, 0, second.stderr);
    const toml = await f.toml();
    assert.equal(toml.match(/^\[agents\.dev-qwen\]$/gm)?.length, 1);
    const agents = agentsOf(toml);
    assert.deepEqual(Object.keys(agents), ["dev-qwen"]);
    assert.equal(agents["dev-qwen"]!.base_url, down);
    assert.deepEqual(agents["dev-qwen"]!.roles, ["review"]);
    assert.equal(agents["dev-qwen"]!.poll_interval, 30);
    assert.equal(agents["dev-qwen"]!.compact_pct, 60);
    assert.ok(toml.startsWith(PROJECT));
    // No rotation and no forge write: the password and token stay and still work.
    assert.deepEqual(await f.env(), envBefore);
    assert.deepEqual(f.emulator.writes(), []);
    await assertOwnIdentity(f, "dev-qwen", "DEV_QWEN");
    // The model server does not answer: a warning (one line), not an error.
    assert.match(
      second.stderr,
      new RegExp(`^warning: model server ${down}: not answering \\(/health: unreachable`),
    );
    assert.equal(second.stderr.trim().split("\n").length, 1);
    assert.equal(
      parseYaml(await f.compose()).services["agents-dev-qwen"].environment
        .CLAUDE_MODEL,
      "Qwen3",
    );
    // --json: the same facts as data.
    const third = await f.hire(["--json", "dev-qwen", "review", "--local-model", f.model.url]);
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
    assert.equal(report.table, "written");
    // The same hire again changes nothing, and says so.
    const fourth = await f.hire(["dev-qwen", "review", "--local-model", f.model.url]);
    assert.equal(fourth.code, 0, fourth.stderr);
    assert.match(
      fourth.stdout,
      /^projects\/demo\.toml: \[agents\.dev-qwen\] unchanged \(roles review,/m,
    );
    assert.match(fourth.stdout, /^docker-compose\.yml: service agents-dev-qwen unchanged$/m);
  } finally {
    await f.dispose();
  }
});

Deno.test("a table in the middle of the file is replaced whole; the bytes around it stay", async () => {
  const head = PROJECT.slice(0, PROJECT.indexOf("\n[ci]") + 1) + "# Hired before.\n";
  const table = '[agents.dev-qwen]\nbase_url = "http://old:1"  # old\nroles = ["dev"]\n' +
    'forge_user = "dev-qwen"\ncompact_pct = 45\n';
  const tail = "\n# The CI.\n[ci]\nwoodpecker_repo_id = 0\n";
  const f = await factory(head + table + tail);
  try {
    const result = await f.hire([
      "dev-qwen",
      "dev",
      "--local-model",
      f.model.url,
      "--poll-interval",
      "45",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const toml = await f.toml();
    assert.ok(toml.startsWith(head), toml);
    assert.ok(toml.endsWith(tail), toml);
    const middle = toml.slice(head.length, toml.length - tail.length);
    assert.equal(middle.match(/^\[/gm)?.length, 1, middle);
    assert.ok(!middle.includes("old"));
    // The past bug: the poll interval written into compact_pct. Re-hiring sets both right.
    assert.deepEqual(
      { ...(parseToml(middle) as { agents: Record<string, object> }).agents["dev-qwen"] },
      {
        base_url: f.model.url,
        model: "local-model",
        api_key: "sk-no-key-required",
        roles: ["dev"],
        forge_user: "dev-qwen",
        compact_pct: 60,
        poll_interval: 45,
      },
    );
  } finally {
    await f.dispose();
  }
});

Deno.test("with several projects, --project picks the TOML and the repo; the others stay", async () => {
  const f = await factory();
  try {
    await createProjectRepo(f.emulator, "acme/other", { orgExists: true });
    const other = 'name = "other"\nrepo = "acme/other"\nforge_url = "http://127.0.0.1:3000"\n';
    await writeFile(join(f.root, "projects", "other.toml"), other);
    const before = await snapshot(f.root);
    f.emulator.clearRequestLog();
    const ambiguous = await f.hire(["dev-qwen", "dev", "--local-model", f.model.url]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /--project: several projects \(demo, other\)/);
    assert.deepEqual(await snapshot(f.root), before);
    assert.deepEqual(f.emulator.requestLog(), []);

    const picked = await f.hire([
      "--project",
      "other",
      "dev-qwen",
      "dev",
      "--local-model",
      f.model.url,
    ]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.equal(await f.toml(), PROJECT);
    const otherText = await readFile(join(f.root, "projects", "other.toml"), "utf8");
    assert.ok(otherText.startsWith(other) && otherText.includes("[agents.dev-qwen]"));
    const repos = f.emulator.forge.state;
    assert.equal(repos.repo("acme", "other")!.collaborators["dev-qwen"], "write");
    assert.equal(repos.repo("acme", "demo")!.collaborators["dev-qwen"], undefined);
    const doc = parseYaml(await f.compose());
    assert.equal(doc.services["agents-dev-qwen"].environment.PROJECT_NAME, "other");
  } finally {
    await f.dispose();
  }
});

Deno.test("a re-hire repairs a collaborator the forge lost", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", f.model.url])).code, 0);
    delete f.emulator.forge.state.repo("acme", "demo")!.collaborators["dev-qwen"];
    f.emulator.clearRequestLog();
    const again = await f.hire(["--json", "dev-qwen", "dev", "--local-model", f.model.url]);
    assert.equal(again.code, 0, again.stderr);
    // Re-applied ("created" or "updated": on a public repo the agent still reads).
    assert.notEqual(JSON.parse(again.stdout).identity.collaborator, "unchanged");
    assert.deepEqual(f.emulator.writes().map((e) => `${e.method} ${e.path}`), [
      "PUT /api/v1/repos/acme/demo/collaborators/dev-qwen",
    ]);
    await assertOwnIdentity(f, "dev-qwen", "DEV_QWEN");
  } finally {
    await f.dispose();
  }
});

Deno.test("a name that maps onto another agent's table and keys is refused; that agent keeps working", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", f.model.url])).code, 0);
    const before = await snapshot(f.root);
    f.emulator.clearRequestLog();
    const clash = await f.hire(["dev_qwen", "review", "--local-model", f.model.url]);
    assert.equal(clash.code, 2, clash.stderr);
    assert.match(clash.stderr, /"dev_qwen": its \[agents\.dev-qwen\] belong to forge user/);
    assert.deepEqual(await snapshot(f.root), before);
    assert.deepEqual(f.emulator.writes(), []);
    assert.equal(f.emulator.forge.state.user("dev_qwen"), undefined);
    await assertOwnIdentity(f, "dev-qwen", "DEV_QWEN");
    // The same user in another case is the same Forgejo user: a re-hire.
    const recased = await f.hire(["Dev-Qwen", "dev", "--local-model", f.model.url]);
    assert.equal(recased.code, 0, recased.stderr);
    assert.equal(agentsOf(await f.toml())["dev-qwen"]!.forge_user, "Dev-Qwen");
  } finally {
    await f.dispose();
  }
});

Deno.test("two local-model agents: two services, each with its own identity and volumes", async () => {
  const f = await factory();
  try {
    assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", f.model.url])).code, 0);
    const second = await f.hire(["Review.Llama", "review", "--local-model", f.model.url]);
    assert.equal(second.code, 0, second.stderr);
    const yaml = await f.compose();
    assert.deepEqual(composeSchemaErrors(yaml), []);
    const doc = parseYaml(yaml);
    const qwen = doc.services["agents-dev-qwen"];
    const llama = doc.services["agents-review-llama"];
    assert.equal(qwen.environment.FORGE_TOKEN, "${FORGE_TOKEN_DEV_QWEN}");
    assert.equal(qwen.environment.FORGE_PASS, "${FORGE_PASS_DEV_QWEN}");
    assert.equal(llama.environment.FORGE_TOKEN, "${FORGE_TOKEN_REVIEW_LLAMA}");
    assert.equal(llama.environment.FORGE_PASS, "${FORGE_PASS_REVIEW_LLAMA}");
    assert.equal(llama.environment.FORGE_USER, "Review.Llama");
    assert.equal(llama.environment.AGENT_ROLES, "review");
    assert.deepEqual(
      qwen.volumes.filter((v: string) => v.startsWith("agents-")),
      ["agents-dev-qwen-data:/home/agent/data", "agents-dev-qwen-repos:/home/agent/repos"],
    );
    assert.deepEqual(
      llama.volumes.filter((v: string) => v.startsWith("agents-")),
      ["agents-review-llama-data:/home/agent/data", "agents-review-llama-repos:/home/agent/repos"],
    );
    for (const name of ["dev-qwen", "review-llama"]) {
      assert.ok(`agents-${name}-data` in doc.volumes && `agents-${name}-repos` in doc.volumes);
    }
    // Both share one backend, so one lock file.
    assert.equal(qwen.environment.AGENT_LOCK_FILE, llama.environment.AGENT_LOCK_FILE);
    // Two users on the forge, each acting as itself, neither as dev-bot.
    await assertOwnIdentity(f, "dev-qwen", "DEV_QWEN");
    await assertOwnIdentity(f, "Review.Llama", "REVIEW_LLAMA");
    const env = await f.env();
    assert.notEqual(env.get("FORGE_TOKEN_REVIEW_LLAMA"), env.get("FORGE_TOKEN_DEV_QWEN"));
    assert.equal(env.has("FORGE_TOKEN"), false);
    const tables = agentsOf(await f.toml());
    assert.deepEqual(Object.keys(tables), ["dev-qwen", "review-llama"]);
  } finally {
    await f.dispose();
  }
});

Deno.test("the compose file is the same whatever the registry order, with no marker left", async () => {
  const forward = await factory();
  const reversed = await factory();
  try {
    // One model server for both, so both files name the same URL.
    const url = forward.model.url;
    for (const [f, registry] of [[forward, plugins], [reversed, [...plugins].reverse()]] as const) {
      assert.equal((await f.hire(["dev-qwen", "dev", "--local-model", url], registry)).code, 0);
      const other = await f.hire(
        ["other", "review", "--local-model", url, "--model", "Q$wen", "--api-key", "k${X}"],
        registry,
      );
      assert.equal(other.code, 0, other.stderr);
    }
    const yaml = await forward.compose();
    assert.equal(await reversed.compose(), yaml);
    // Every `$` is a runtime `${VAR}` or an escaped `$$`; no template marker.
    assert.doesNotMatch(yaml, /\{\{|@@|%%|<[A-Z_]+>|(?<!\$)\$(?![{$])/);
    assert.doesNotMatch(yaml.replaceAll("$$", ""), /\$\{(?![A-Za-z_][A-Za-z0-9_]*(:-[^}$]*)?\})/);
    const other = parseYaml(yaml).services["agents-other"].environment;
    assert.equal(other.CLAUDE_MODEL, "Q$$wen");
    // The API key is a runtime reference to .env, where it is kept as given.
    assert.equal(other.ANTHROPIC_API_KEY, "${ANTHROPIC_API_KEY_OTHER}");
    assert.equal((await forward.env()).get("ANTHROPIC_API_KEY_OTHER"), "k${X}");
    assert.equal(agentsOf(await forward.toml()).other!.model, "Q$wen");
    assert.deepEqual(composeSchemaErrors(yaml), []);
  } finally {
    await forward.dispose();
    await reversed.dispose();
  }
});

Deno.test("bad input exits 2 with one line, writes nothing and asks nothing of the forge", async () => {
  const MODEL = "http://127.0.0.1:9";
  const cases: Array<[string[], RegExp, string?]> = [
    [["dev qwen", "dev", "--local-model", MODEL], /^disinto: agent name: "dev qwen" is not valid/],
    [["dev_-qwen", "dev", "--local-model", MODEL], /agent name: "dev_-qwen"/],
    [["-dev", "dev", "--local-model", MODEL], /./],
    [["dev-qwen", "Dev!", "--local-model", MODEL], /role: "Dev!"/],
    // A factory identity: hiring it would reset its password and replace its token.
    [["dev-bot", "dev", "--local-model", MODEL], /"dev-bot" is one of the factory's own/],
    [["Review-Bot", "review"], /"Review-Bot" is one of the factory's own identities/],
    [["disinto-admin", "dev", "--local-model", MODEL], /"disinto-admin" is one of/],
    [
      ["dev.qwen", "dev", "--local-model", MODEL],
      /"dev\.qwen": its \[agents\.dev-qwen\] belong to forge user "dev-qwen"/,
      '[agents.dev-qwen]\nbase_url = "http://x"\nroles = ["dev"]\nforge_user = "dev-qwen"\n',
    ],
    [
      ["dev.qwen", "dev"],
      /its \.env keys FORGE_TOKEN_DEV_QWEN \/ FORGE_PASS_DEV_QWEN belong to forge user "dev-qwen"/,
      '[agents.qwen]\nbase_url = "http://x"\nroles = ["dev"]\nforge_user = "dev-qwen"\n',
    ],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "0"], /--poll-interval: "0"/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "-5"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "1.5"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "abc"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", "045"], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--poll-interval", ""], /--poll-interval/],
    [["dev-qwen", "dev", "--local-model", "ftp://host/"], /--local-model: "ftp:\/\/host\/"/],
    [["dev-qwen", "dev", "--local-model", "file:///tmp/model"], /--local-model/],
    [["dev-qwen", "dev", "--local-model", "localhost:8081"], /--local-model/],
    [["dev-qwen", "dev", "--local-model", "http://"], /--local-model/],
    [
      ["dev-qwen", "dev", "--local-model", "http://m:8081/a b"],
      /--local-model: "http:\/\/m:8081\/a b"/,
    ],
    [
      ["dev-qwen", "dev", "--local-model", "http://u:s3cret@m:8081"],
      /^disinto: --local-model: the URL carries credentials; expected the server's URL/,
    ],
    [["dev-qwen", "dev", "--poll-interval", "45"], /--poll-interval: only for a local-model/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--model", ""], /--model/],
    [["dev-qwen", "dev", "--local-model", MODEL, "--api-key", "a\nb"], /--api-key/],
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
    [
      ["dev-qwen", "dev", "--local-model", MODEL],
      /agents\.old\.poll_interval/,
      '[agents.old]\nbase_url = "http://x"\nroles = ["dev"]\nforge_user = "old"\npoll_interval = 0\n',
    ],
  ];
  const emulator = await startEmulator();
  try {
    await createProjectRepo(emulator, REPO);
    for (const [args, expected, extra] of cases) {
      const root = await mkdtemp(join(tmpdir(), "disinto-hire-bad-"));
      try {
        await mkdir(join(root, "projects"));
        await writeFile(join(root, "projects", "demo.toml"), PROJECT + (extra ?? ""));
        await writeFile(
          join(root, ".env"),
          `FORGE_URL=${emulator.url}\nFORGE_ADMIN_PASS=${emulator.admin.pass}\n`,
        );
        const before = await snapshot(root);
        emulator.clearRequestLog();
        const context = testContext({
          argv: ["--root", root, "hire-an-agent", ...args],
          cwd: root,
          env: { HOME: "/home/op" },
        });
        const code = await runCli(context, plugins);
        const stderr = context.stderr.text;
        assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
        assert.match(stderr, expected);
        assert.equal(stderr.trim().split("\n").length, 1, stderr);
        assert.doesNotMatch(stderr, /\bat .*:\d+:\d+/);
        assert.ok(!stderr.includes("s3cret"), "no credential in the message");
        assert.equal(context.stdout.text, "");
        assert.deepEqual(await snapshot(root), before, args.join(" "));
        assert.deepEqual(emulator.requestLog(), [], `${args.join(" ")}: no forge request`);
      } finally {
        await rm(root, { recursive: true });
      }
    }
  } finally {
    await emulator.dispose();
  }
});

Deno.test("a missing admin password is bad input; a refused one exits 1, nothing written", async () => {
  const f = await factory();
  try {
    await writeFile(join(f.root, ".env"), `FORGE_URL=${f.emulator.url}\n`);
    const missing = await f.hire(["dev-qwen", "dev", "--local-model", f.model.url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /FORGE_ADMIN_PASS: not set/);
    assert.deepEqual(f.emulator.requestLog(), []);
    await writeFile(
      join(f.root, ".env"),
      `FORGE_URL=${f.emulator.url}\nFORGE_ADMIN_PASS=wrong-password\n`,
    );
    const before = await snapshot(f.root);
    const refused = await f.hire(["dev-qwen", "dev", "--local-model", f.model.url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^disinto: GET \/api\/v1\/users\/dev-qwen: HTTP 401/);
    assert.equal(refused.stderr.trim().split("\n").length, 1);
    assert.ok(!refused.stderr.includes("wrong-password"));
    assert.deepEqual(await snapshot(f.root), before);
    assert.deepEqual(f.emulator.writes(), []);
    assert.equal(f.emulator.forge.state.user("dev-qwen"), undefined);
  } finally {
    await f.dispose();
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
    assert.deepEqual(f.model.probes, []);
    await assertOwnIdentity(f, "architect-2", "ARCHITECT_2");
  } finally {
    await f.dispose();
  }
});
