/**
 * The compiled binary generates the same compose file as every golden (each
 * checked against the compose-spec schema), keeps an existing file without
 * --force, prints with --stdout, refuses a chat service on the agents' shared
 * Claude config, and wraps docker compose (a fake `docker` on PATH).
 */
import assert from "node:assert/strict";
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { composeSchemaErrors } from "../../plugins/compose/schema_check.ts";
import { runBinary } from "../helpers/binary.ts";

const testdata = fileURLToPath(new URL("../../plugins/compose/testdata/", import.meta.url));
const goldens = (await readdir(testdata, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory() && entry.name !== "compose-spec")
  .map((entry) => entry.name).sort();

/** A factory root copied from a golden case: its projects and its .env, if any. */
async function copyCase(name: string): Promise<{ root: string; env: Record<string, string> }> {
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-compose-"));
  await cp(join(testdata, name, "projects"), join(root, "projects"), { recursive: true });
  await cp(join(testdata, name, ".env"), join(root, ".env")).catch(() => {});
  const env = JSON.parse(await readFile(join(testdata, name, "env.json"), "utf8"));
  return { root, env: { PATH: "/usr/bin:/bin", ...env } };
}

Deno.test("binary: a golden case for each testdata folder", () => {
  assert.ok(goldens.length >= 3, goldens.join(","));
});

for (const name of goldens) {
  Deno.test(`binary: compose generate matches the ${name} golden`, async () => {
    const { root, env } = await copyCase(name);
    try {
      const golden = await readFile(join(testdata, name, "docker-compose.yml.golden"), "utf8");
      const result = await runBinary(["--root", root, "compose", "generate"], { env });
      assert.equal(result.code, 0, result.stderr);
      const written = await readFile(join(root, "docker-compose.yml"), "utf8");
      assert.equal(written, golden);
      assert.deepEqual(composeSchemaErrors(written), []);
      const again = await runBinary(["--root", root, "compose", "generate", "--stdout"], { env });
      assert.equal(again.stdout, golden);
    } finally {
      await rm(root, { recursive: true });
    }
  });
}

Deno.test("binary: an existing file is kept without --force, replaced with it; --stdout writes nothing", async () => {
  const { root, env } = await copyCase("minimal");
  const file = join(root, "docker-compose.yml");
  try {
    const printed = await runBinary(["--root", root, "compose", "generate", "--stdout"], { env });
    assert.equal(printed.code, 0, printed.stderr);
    await assert.rejects(stat(file));

    await writeFile(file, "# edited by hand\n");
    const refused = await runBinary(["--root", root, "compose", "generate"], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /docker-compose\.yml: already exists.*--force/);
    assert.equal(refused.stderr.trim().split("\n").length, 1);
    assert.equal(await readFile(file, "utf8"), "# edited by hand\n");

    const forced = await runBinary(["--root", root, "compose", "generate", "--force"], { env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /docker-compose\.yml: replaced/);
    assert.equal(await readFile(file, "utf8"), printed.stdout);
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("binary: a chat service on the agents' shared Claude config is refused, by name", async () => {
  const { root, env } = await copyCase("minimal");
  try {
    for (const chatDir of ["/home/op/.claude", "/home/op", "/home/op/.claude/chat"]) {
      const result = await runBinary(["--root", root, "compose", "generate"], {
        env: { ...env, HOME: "/home/op", CHAT_CLAUDE_CONFIG_DIR: chatDir },
      });
      assert.equal(result.code, 2, `${chatDir}: ${result.stderr}`);
      assert.match(
        result.stderr,
        /^disinto: service "chat": mounts the agents' shared Claude config directory \/home\/op\/\.claude/,
      );
      assert.equal(result.stderr.trim().split("\n").length, 1);
      await assert.rejects(stat(join(root, "docker-compose.yml")));
    }
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("binary: up, down and logs run docker compose -f <root>/docker-compose.yml", async () => {
  const { root } = await copyCase("minimal");
  try {
    await mkdir(join(root, "bin"));
    await writeFile(
      join(root, "bin", "docker"),
      `#!/bin/sh\nprintf '%s\\n' "$@" >> "$ARGV_FILE"\necho "---" >> "$ARGV_FILE"\n` +
        `echo started\nexit "\${FAKE_EXIT:-0}"\n`,
    );
    await chmod(join(root, "bin", "docker"), 0o755);
    const env = {
      PATH: `${join(root, "bin")}:/usr/bin:/bin`,
      HOME: "/home/op",
      ARGV_FILE: join(root, "argv"),
    };
    const run = (args: string[], extra: Record<string, string> = {}) =>
      runBinary(["--root", root, ...args], { env: { ...env, ...extra } });
    assert.equal((await run(["compose", "generate"])).code, 0);
    const up = await run(["up"]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, "started\n");
    assert.equal((await run(["down"])).code, 0);
    assert.equal((await run(["logs", "agents"])).code, 0);
    assert.equal((await run(["logs"], { FAKE_EXIT: "4" })).code, 4);
    const file = join(root, "docker-compose.yml");
    const calls = (await readFile(join(root, "argv"), "utf8")).split("---\n").filter(Boolean)
      .map((call) => call.trim().split("\n"));
    assert.deepEqual(calls, [
      ["compose", "-f", file, "up", "-d"],
      ["compose", "-f", file, "down"],
      ["compose", "-f", file, "logs", "-f", "agents"],
      ["compose", "-f", file, "logs", "-f"],
    ]);
    const missing = await run(["up"], { PATH: "/nonexistent" });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^disinto: docker: not found on PATH/);
  } finally {
    await rm(root, { recursive: true });
  }
});
