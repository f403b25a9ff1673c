import assert from "node:assert/strict";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_PASS, harness } from "./harness.ts";

/** A fake executable on PATH that appends its arguments to a log file. */
async function fakeTool(
  dir: string,
  name: string,
  script = 'echo "$@" >> "$FAKE_LOG"',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), `#!/bin/sh\n${script}\n`);
  await chmod(join(dir, name), 0o755);
}

Deno.test("a compose-managed forge that does not answer is started with docker compose", async () => {
  const h = await harness({ noAdmin: true });
  try {
    const bin = join(h.root, "bin");
    const log = join(h.root, "docker.log");
    await fakeTool(bin, "docker");
    await writeFile(
      join(h.root, "docker-compose.yml"),
      "services:\n  forgejo:\n    image: forgejo\n",
    );
    const calls = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    h.fetchOverride = (input, init) => {
      if (!calls().includes("up -d forgejo")) {
        return Promise.reject(new TypeError("connection refused"));
      }
      if (calls().includes("admin user create") && !h.forge.users.has("disinto-admin")) {
        h.forge.addAdmin("disinto-admin", ADMIN_PASS);
      }
      return h.forge.fetch(input, init);
    };
    const result = await h.run(["init", "acme/app", "--yes"], {
      PATH: `${bin}:/usr/bin:/bin`,
      FAKE_LOG: log,
    });
    assert.equal(result.code, 0, calls() + result.stderr.slice(-300) + result.stdout);
    const lines = calls().trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^compose -f .*docker-compose\.yml up -d forgejo$/);
    assert.match(
      lines[1]!,
      /^compose -f .*docker-compose\.yml exec -T -u git forgejo forgejo admin user create --admin --username disinto-admin --password \S+ --email \S+ --must-change-password=false$/,
    );
    assert.match(result.stdout, /created +forge/);
    assert.match(result.stdout, /created +admin/);
    assert.ok(!result.stdout.includes(ADMIN_PASS) && !result.stderr.includes(ADMIN_PASS));
  } finally {
    await h.dispose();
  }
});

Deno.test("a forge that never answers and is not ours to start: exit 1 with a clear message", async () => {
  const h = await harness();
  try {
    h.fetchOverride = () => Promise.reject(new TypeError("connection refused"));
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /does not answer GET \/api\/v1\/version after 60 attempts/);
    assert.match(result.stderr, /waiting for the forge .* \(attempt 1\/60\)/);
    await assert.rejects(readFile(join(h.root, ".env")));
  } finally {
    await h.dispose();
  }
});

Deno.test("--install-cron without crontab on PATH is a warning, never fatal", async () => {
  const h = await harness();
  try {
    const result = await h.run(["init", "acme/app", "--yes", "--install-cron"], {
      PATH: join(h.root, "empty-bin"),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^WARNING: crontab is not installed/m);
    assert.match(result.stdout, /skipped +cron/);
  } finally {
    await h.dispose();
  }
});

Deno.test("--install-cron adds one poll line and leaves it alone on re-run", async () => {
  const h = await harness();
  try {
    const bin = join(h.root, "bin");
    const table = join(h.root, "crontab.txt");
    await fakeTool(
      bin,
      "crontab",
      `if [ "$1" = "-l" ]; then cat "$FAKE_TABLE" 2>/dev/null || exit 1; else cat > "$FAKE_TABLE"; fi`,
    );
    const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_TABLE: table };
    assert.equal((await h.run(["init", "acme/app", "--yes", "--install-cron"], env)).code, 0);
    const first = await readFile(table, "utf8");
    assert.match(first, /agents poll dev --once # disinto:app\n$/);
    const again = await h.run(["init", "acme/app", "--yes", "--install-cron"], env);
    assert.match(again.stdout, /unchanged +cron/);
    assert.equal(await readFile(table, "utf8"), first);
  } finally {
    await h.dispose();
  }
});

Deno.test("a forge that requires sign-in: every request of init and the issue verbs carries credentials", async () => {
  const h = await harness({ requireSignin: true });
  try {
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 0, result.stderr);
    const n = h.forge.addIssue("acme/app", "x", ["backlog"]);
    assert.equal((await h.run(["issue", "claim", String(n)])).code, 0);
    assert.equal((await h.run(["issue", "sweep"])).code, 0);
    assert.equal((await h.run(["status"])).code, 0);
    assert.ok(h.forge.log.length > 50);
    assert.deepEqual(h.forge.log.filter((r) => r.user === null), []);
  } finally {
    await h.dispose();
  }
});
