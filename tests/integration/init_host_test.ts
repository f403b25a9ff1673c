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
  // The forge's only admin is "root": disinto-admin exists once the container made it.
  const h = await harness({ adminUser: "root" });
  try {
    const bin = join(h.root, "bin");
    const log = join(h.root, "docker.log");
    // The container's `forgejo admin user create --random-password` prints the password it made.
    const generated = "random-pass-0123456789";
    await fakeTool(
      bin,
      "docker",
      `echo "$@" >> "$FAKE_LOG"\ncase "$*" in *"admin user create"*) ` +
        `echo "generated random password is '${generated}'";; esac`,
    );
    await writeFile(
      join(h.root, "docker-compose.yml"),
      "services:\n  forgejo:\n    image: forgejo\n",
    );
    const calls = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    h.fetchOverride = async (input, init) => {
      if (!calls().includes("up -d forgejo")) throw new TypeError("connection refused");
      if (
        calls().includes("admin user create") && !h.emulator.forge.state.user("disinto-admin")
      ) {
        // What `forgejo admin user create --admin` does inside the container.
        await h.adminApi("POST", "/admin/users", {
          username: "disinto-admin",
          email: "disinto-admin@disinto.local",
          password: generated,
          must_change_password: false,
        });
        await h.adminApi("PATCH", "/admin/users/disinto-admin", { admin: true });
      }
      return await fetch(input, init);
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
      /^compose -f .*docker-compose\.yml exec -T -u git forgejo forgejo admin user create --admin --username disinto-admin --random-password --random-password-length 32 --email \S+ --must-change-password=false$/,
    );
    // The admin password is on no command line: the admin API set it, as the new admin.
    assert.ok(!calls().includes(ADMIN_PASS));
    const patch = h.emulator.requestLog().find((e) =>
      e.method === "PATCH" && e.path === "/api/v1/admin/users/disinto-admin" &&
      e.user === "disinto-admin"
    );
    assert.equal(patch?.status, 200);
    assert.match(result.stdout, /created +forge/);
    assert.match(result.stdout, /created +admin/);
    // The admin's first login was refused (401), then everything ran as disinto-admin.
    const log401 = h.emulator.requestLog().find((e) => e.path === "/api/v1/user");
    assert.equal(log401?.status, 401);
    assert.ok(h.repo("acme/app").protections.length === 1);
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
      `if [ "$1" = "-l" ]; then cat "$FAKE_TABLE" 2>/dev/null || ` +
        `{ echo "no crontab for op" >&2; exit 1; }; else cat > "$FAKE_TABLE"; fi`,
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

Deno.test("--install-cron: a crontab that cannot be written fails the step and init exits 1", async () => {
  const h = await harness();
  try {
    const bin = join(h.root, "bin");
    await fakeTool(
      bin,
      "crontab",
      `if [ "$1" = "-l" ]; then exit 0; else cat > /dev/null; echo "crontab: disk full" >&2; exit 1; fi`,
    );
    const result = await h.run(["init", "acme/app", "--yes", "--install-cron"], {
      PATH: `${bin}:/usr/bin:/bin`,
    });
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /failed +cron.*crontab -: crontab: disk full/);
  } finally {
    await h.dispose();
  }
});

Deno.test("a forge that requires sign-in: every request of init and the issue verbs carries credentials", async () => {
  const h = await harness({ requireSignin: true });
  try {
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 0, result.stderr);
    const n = await h.addIssue("acme/app", "x", ["backlog"]);
    const stale = await h.addIssue("acme/app", "y", ["in-progress"]);
    h.clock.advance(120);
    const claim = await h.run(["issue", "claim", String(n)]);
    assert.equal(claim.code, 0, claim.stderr);
    const sweep = await h.run(["--json", "issue", "sweep"]);
    assert.equal(sweep.code, 0, sweep.stderr);
    assert.deepEqual(h.labelNames("acme/app", stale), ["blocked"]);
    assert.equal((await h.run(["status"])).code, 0);
    const log = h.emulator.requestLog();
    assert.ok(log.length > 50, `${log.length} requests`);
    assert.deepEqual(log.filter((e) => e.user === null), []);
    // The forge would have refused any without: Forgejo's REQUIRE_SIGNIN_VIEW answers 403.
    const anonymous = await fetch(`${h.emulator.url}/api/v1/repos/acme/app/issues`);
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 403);
  } finally {
    await h.dispose();
  }
});
