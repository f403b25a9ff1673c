import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import { plugins } from "../../mod.ts";
import { composeSchemaErrors } from "../schema_check.ts";

const PROJECT = `name = "demo"\nrepo = "acme/demo"\nforge_url = "http://localhost:3000"\n`;

async function factory(project = PROJECT): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "disinto-compose-"));
  await mkdir(join(root, "projects"));
  await writeFile(join(root, "projects", "demo.toml"), project);
  return root;
}

async function cli(root: string, argv: string[], env: Record<string, string> = {}) {
  const context = testContext({
    argv: ["--root", root, ...argv],
    cwd: root,
    env: { HOME: "/home/op", ...env },
  });
  const code = await runCli(context, plugins);
  return { code, stdout: context.stdout.text, stderr: context.stderr.text };
}

Deno.test("compose generate writes a valid file, then refuses to replace it without --force", async () => {
  const root = await factory();
  try {
    const first = await cli(root, ["compose", "generate"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /docker-compose\.yml: created/);
    const file = join(root, "docker-compose.yml");
    const yaml = await readFile(file, "utf8");
    assert.deepEqual(composeSchemaErrors(yaml), []);
    assert.equal((await stat(file)).mode & 0o777, 0o644);

    // The same content again: nothing to replace.
    assert.match((await cli(root, ["compose", "generate"])).stdout, /unchanged/);

    await writeFile(file, "# hand edited\n");
    const refused = await cli(root, ["compose", "generate"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^disinto: .*docker-compose\.yml: already exists .* --force/);
    assert.equal(refused.stderr.trim().split("\n").length, 1);
    assert.equal(await readFile(file, "utf8"), "# hand edited\n");

    // Atomic: a new file renamed into place (a reader of the old one keeps it), no temp left.
    const edited = await stat(file);
    const forced = await cli(root, ["compose", "generate", "--force"]);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /replaced/);
    assert.equal(await readFile(file, "utf8"), yaml);
    assert.notEqual((await stat(file)).ino, edited.ino);
    // state/ holds config.lock, the lock compose writers share with hire and init.
    assert.deepEqual((await readdir(root)).sort(), ["docker-compose.yml", "projects", "state"]);
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("compose generate --stdout prints and writes nothing", async () => {
  const root = await factory();
  try {
    const result = await cli(root, ["compose", "generate", "--stdout"]);
    assert.equal(result.code, 0);
    const doc = parse(result.stdout);
    assert.equal(doc.services.forgejo.image, "codeberg.org/forgejo/forgejo:11");
    assert.deepEqual(doc.services.forgejo.ports, ["3000:3000"]);
    assert.equal(doc.services.woodpecker, undefined);
    assert.deepEqual(doc.services.agents.entrypoint, ["/usr/local/bin/disinto"]);
    assert.deepEqual(doc.services.agents.command, ["agents", "run"]);
    assert.deepEqual(doc.services.chat.command, ["chat", "serve", "--port", "8080"]);
    await assert.rejects(stat(join(root, "docker-compose.yml")));
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("bad input exits 2 with one line and writes nothing", async () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [PROJECT + "bogus = 1\n", {}, /demo\.toml: bogus: unknown key/],
    ["name = \n", {}, /demo\.toml: line 1: invalid TOML/],
    [
      PROJECT + '[agents.q]\nbase_url = "ftp://x"\nroles = ["dev"]\nforge_user = "q"\n',
      {},
      /agents\.q\.base_url/,
    ],
    [PROJECT, { HOME: "" }, /CLAUDE_BIN: not set and HOME/],
    [
      PROJECT,
      { CHAT_CLAUDE_CONFIG_DIR: "/home/op/.claude" },
      /service "chat": mounts the agents' shared Claude config/,
    ],
    [PROJECT, { CHAT_CLAUDE_CONFIG_DIR: "/home/op" }, /service "chat"/],
    [PROJECT, { CHAT_CLAUDE_CONFIG_DIR: "chat" }, /CHAT_CLAUDE_CONFIG_DIR: "chat"/],
  ];
  for (const [project, env, expected] of cases) {
    const root = await factory(project);
    try {
      const result = await cli(root, ["compose", "generate"], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split("\n").length, 1);
      assert.equal(result.stdout, "");
      await assert.rejects(stat(join(root, "docker-compose.yml")));
    } finally {
      await rm(root, { recursive: true });
    }
  }
});

Deno.test("a factory without projects is bad input", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-compose-"));
  try {
    const result = await cli(root, ["compose", "generate"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no project TOML/);
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("up, down and logs run docker compose on the factory's file", async () => {
  const root = await factory();
  const bin = join(root, "bin");
  await mkdir(bin);
  const argvFile = join(root, "argv.txt");
  await writeFile(
    join(bin, "docker"),
    `#!/bin/sh\nprintf '%s\\n' "$@" >> "$ARGV_FILE"\necho "---" >> "$ARGV_FILE"\n` +
      `echo "fake docker says hi"\necho "to stderr" >&2\nexit "\${FAKE_EXIT:-0}"\n`,
  );
  await chmod(join(bin, "docker"), 0o755);
  const env = { PATH: `${bin}:/usr/bin:/bin`, ARGV_FILE: argvFile };
  try {
    const missing = await cli(root, ["up"], env);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /docker-compose\.yml: missing; expected 'disinto compose generate'/,
    );

    assert.equal((await cli(root, ["compose", "generate"], env)).code, 0);
    const up = await cli(root, ["up"], env);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, "fake docker says hi\n");
    assert.equal(up.stderr, "to stderr\n");
    assert.equal((await cli(root, ["down"], env)).code, 0);
    assert.equal((await cli(root, ["logs", "agents-qwen"], env)).code, 0);
    assert.equal((await cli(root, ["logs"], { ...env, FAKE_EXIT: "3" })).code, 3);
    const file = join(root, "docker-compose.yml");
    const calls = (await readFile(argvFile, "utf8")).split("---\n").filter(Boolean)
      .map((call) => call.trim().split("\n"));
    assert.deepEqual(calls, [
      ["compose", "-f", file, "up", "-d"],
      ["compose", "-f", file, "down"],
      ["compose", "-f", file, "logs", "-f", "agents-qwen"],
      ["compose", "-f", file, "logs", "-f"],
    ]);
    const bad = await cli(root, ["logs", "Bad;rm"], env);
    assert.equal(bad.code, 2);
    assert.equal((await readFile(argvFile, "utf8")).split("---\n").filter(Boolean).length, 4);

    // No docker on PATH: one line, exit 1 (a runtime failure, not the shell's 127).
    const noDocker = await cli(root, ["down"], { PATH: join(root, "empty") });
    assert.equal(noDocker.code, 1);
    assert.equal(
      noDocker.stderr,
      "disinto: docker: not found on PATH; expected Docker with its compose plugin installed\n",
    );
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("Claude: the agents share the config dir at one absolute path; local-model agents and chat have their own", async () => {
  const agent =
    '[agents.dev-qwen]\nbase_url = "http://m:8081"\nroles = ["dev"]\nforge_user = "dev-qwen"\n';
  const root = await factory(PROJECT + agent);
  try {
    for (
      const [env, chatDir] of [
        [{}, "/home/agent/.claude-chat"],
        [{ CLAUDE_CONFIG_DIR: "/srv/claude", CHAT_CLAUDE_CONFIG_DIR: "/srv/chat" }, "/srv/chat"],
      ] as const
    ) {
      const result = await cli(root, ["compose", "generate", "--stdout"], env);
      assert.equal(result.code, 0, result.stderr);
      const services = parse(result.stdout).services;
      const shared = "CLAUDE_CONFIG_DIR" in env ? env.CLAUDE_CONFIG_DIR : "/home/op/.claude";
      assert.equal(services.agents.environment.CLAUDE_CONFIG_DIR, shared);
      assert.ok(services.agents.volumes.includes(`${shared}:${shared}`));
      // A local-model agent has no OAuth login to share: the CLI, never the shared config.
      const local = services["agents-dev-qwen"];
      assert.notEqual(local.environment.CLAUDE_CONFIG_DIR, shared);
      assert.ok(!local.volumes.some((v: string) => v.startsWith(`${shared}:`)));
      for (const name of ["agents", "agents-dev-qwen"]) {
        assert.equal(services[name].environment.CLAUDE_BIN, "/home/op/.local/bin/claude");
      }
      const chat = services.chat;
      assert.equal(chat.environment.CLAUDE_CONFIG_DIR, chatDir);
      assert.ok(chat.volumes.some((v: string) => v.endsWith(`:${chatDir}`)));
      for (const volume of chat.volumes as string[]) {
        const source = volume.split(":")[0]!;
        assert.ok(!source.startsWith(shared) && !shared.startsWith(source + "/"), volume);
      }
    }
  } finally {
    await rm(root, { recursive: true });
  }
});
