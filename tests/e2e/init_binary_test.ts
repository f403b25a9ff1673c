/**
 * `disinto init` end to end: the compiled binary is the client, the Forgejo
 * emulator runs in this process on 127.0.0.1. Assertions read the emulator's
 * request log, its model and real API answers: idempotent re-run, dry run,
 * token rotation, 20 % faults, SIGKILL at several moments, sign-in required,
 * and a primary branch that shows up late.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startChild } from "../helpers/child.ts";
import { type EmulatorOptions, type StartedEmulator, startEmulator } from "../helpers/emulator.ts";
import { readEndState } from "./forge_end_state.ts";

const INIT = ["init", "acme/app", "--yes"];

function envFor(emulator: StartedEmulator): Record<string, string> {
  return {
    PATH: "/usr/bin:/bin",
    HOME: "/nonexistent",
    FORGE_URL: emulator.url,
    FORGE_ADMIN_PASS: emulator.admin.pass,
  };
}

/** A fresh emulator and factory root for one test; removed by `dispose`. */
async function setUp(options: EmulatorOptions = {}) {
  const emulator = await startEmulator(options);
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-init-"));
  const init = (extra: string[] = [], timeoutMs = 30_000) =>
    runBinary(["--root", root, ...INIT, ...extra], { env: envFor(emulator), timeoutMs });
  return {
    emulator,
    root,
    init,
    readEnv: () => readFile(join(root, ".env"), "utf8"),
    async dispose() {
      await emulator.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The end state a fault-free, uninterrupted init leaves (and its .env keys). */
async function referenceRun() {
  const reference = await setUp();
  try {
    const result = await reference.init();
    assert.equal(result.code, 0, result.stderr + result.stdout);
    // Counted before the end state is read: reading it makes requests too.
    const requests = reference.emulator.requestLog().length;
    return {
      state: await readEndState(reference.emulator),
      envKeys: [...parseEnv(await reference.readEnv()).keys()].sort(),
      requests,
    };
  } finally {
    await reference.dispose();
  }
}

/** GET /api/v1/user with these credentials: the login, or the HTTP status when refused. */
async function whoAmI(url: string, authorization: string): Promise<string | number> {
  const response = await fetch(`${url}/api/v1/user`, { headers: { authorization } });
  const body = await response.text();
  return response.status === 200 ? (JSON.parse(body) as { login: string }).login : response.status;
}

const tokenAuth = (token: string) => `token ${token}`;
const basicAuth = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`;

/** Each identity's token and password pair of `.env`: FORGE_X_TOKEN goes with FORGE_X_PASS. */
function identityPairs(env: Map<string, string>): Array<{ tokenKey: string; passKey: string }> {
  return [...env.keys()].filter((key) => /^FORGE_(\w+_)?TOKEN(_\w+)?$/.test(key)).sort().map((
    tokenKey,
  ) => ({ tokenKey, passKey: tokenKey.replace("TOKEN", "PASS") }));
}

/** Every identity in `.env` authenticates with its token and, as the same user, its password. */
async function assertIdentitiesWork(url: string, env: Map<string, string>): Promise<string[]> {
  const users: string[] = [];
  for (const { tokenKey, passKey } of identityPairs(env)) {
    const login = await whoAmI(url, tokenAuth(env.get(tokenKey)!));
    assert.equal(typeof login, "string", `${tokenKey} is refused (${login})`);
    assert.equal(
      await whoAmI(url, basicAuth(login as string, env.get(passKey) ?? "")),
      login,
      `${passKey} does not sign in ${login}`,
    );
    users.push(login as string);
  }
  return users;
}

Deno.test("binary: a second init changes nothing and sends no write request", async () => {
  requireBinary();
  const t = await setUp();
  try {
    const first = await t.init();
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.ok(t.emulator.writes().length > 0, "the first run wrote nothing");
    const env = await t.readEnv();
    const toml = await readFile(join(t.root, "projects/app.toml"), "utf8");
    const state = await readEndState(t.emulator);
    t.emulator.clearRequestLog();

    const second = await t.init();
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.ok(t.emulator.requestLog().length > 0, "the second run did not read the forge");
    assert.deepEqual(t.emulator.writes(), []);
    assert.equal(await t.readEnv(), env);
    assert.equal(await readFile(join(t.root, "projects/app.toml"), "utf8"), toml);
    const lines = second.stdout.trim().split("\n");
    const steps = lines.slice(0, -1);
    assert.ok(steps.length >= 10, second.stdout);
    for (const line of steps) assert.match(line, /^unchanged /);
    assert.match(lines.at(-1)!, new RegExp(`^${steps.length} steps: ${steps.length} unchanged$`));
    assert.deepEqual(await readEndState(t.emulator), state);
  } finally {
    await t.dispose();
  }
});

Deno.test("binary: init --dry-run sends no write request and writes no file", async () => {
  requireBinary();
  const t = await setUp();
  try {
    const result = await t.init(["--dry-run"]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.ok(t.emulator.requestLog().length > 0, "the dry run did not read the forge");
    assert.deepEqual(t.emulator.writes(), []);
    assert.deepEqual(await readdir(t.root), []);
    // The plan names what a real run would create.
    assert.match(result.stdout, /repo acme\/app/);
    assert.match(result.stdout, /identity dev-bot/);
  } finally {
    await t.dispose();
  }
});

Deno.test("binary: init --rotate-tokens changes every token and password; the old ones stop working", async () => {
  requireBinary();
  const t = await setUp();
  try {
    assert.equal((await t.init()).code, 0);
    const before = parseEnv(await t.readEnv());
    const users = await assertIdentitiesWork(t.emulator.url, before);
    assert.ok(users.length >= 8, `only ${users.length} identities`);

    const rotated = await t.init(["--rotate-tokens"]);
    assert.equal(rotated.code, 0, rotated.stderr + rotated.stdout);
    const after = parseEnv(await t.readEnv());
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    assert.deepEqual(await assertIdentitiesWork(t.emulator.url, after), users);
    for (const { tokenKey, passKey } of identityPairs(before)) {
      assert.notEqual(after.get(tokenKey), before.get(tokenKey), `${tokenKey} kept`);
      assert.notEqual(after.get(passKey), before.get(passKey), `${passKey} kept`);
    }
    for (const [i, { tokenKey, passKey }] of identityPairs(before).entries()) {
      assert.equal(await whoAmI(t.emulator.url, tokenAuth(before.get(tokenKey)!)), 401, tokenKey);
      assert.equal(
        await whoAmI(t.emulator.url, basicAuth(users[i]!, before.get(passKey)!)),
        401,
        passKey,
      );
    }
    // The admin's own password is the operator's and is never rotated.
    assert.equal(after.get("FORGE_ADMIN_PASS"), t.emulator.admin.pass);
  } finally {
    await t.dispose();
  }
});

Deno.test("binary: with 20 % of answers failing, init converges to the fault-free end state", async () => {
  requireBinary();
  const reference = await referenceRun();
  const t = await setUp({ faultRate: 0.2 });
  try {
    const result = await t.init([], 45_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const log = t.emulator.requestLog();
    const dropped = log.filter((e) => e.status === 0).length;
    const failed = log.filter((e) => e.status >= 500).length;
    assert.ok(dropped > 0 && failed > 0, `faults: ${dropped} dropped, ${failed} 5xx`);
    t.emulator.control.setFaultRate(0);
    assert.deepEqual(await readEndState(t.emulator), reference.state);
    const env = parseEnv(await t.readEnv());
    assert.deepEqual([...env.keys()].sort(), reference.envKeys);
    await assertIdentitiesWork(t.emulator.url, env);
  } finally {
    await t.dispose();
  }
});

/** Resolve once `done()` holds, polling the in-process emulator; reject after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    // Yield to the emulator's request handlers; this is a poll tick, not a wait for time.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** `.env` as a reader sees it at any instant: whole lines of known keys with whole values. */
function assertEnvWhole(text: string, knownKeys: string[], moment: string): void {
  assert.ok(text === "" || text.endsWith("\n"), `.env cut short ${moment}`);
  for (const line of text.split("\n").filter(Boolean)) {
    const match = /^([A-Z0-9_]+)=(\S+)$/.exec(line);
    assert.ok(match, `.env line "${line.replace(/=.*/, "=…")}" ${moment}`);
    assert.ok(knownKeys.includes(match[1]!), `unexpected key ${match[1]} ${moment}`);
    if (/TOKEN/.test(match[1]!)) assert.match(match[2]!, /^[0-9a-f]{40}$/, `${match[1]} ${moment}`);
  }
}

Deno.test("binary: init killed with SIGKILL at several moments converges when run again", async () => {
  requireBinary();
  const reference = await referenceRun();
  // Kill once this many requests reached the forge: the first one, fixed
  // fractions of a fresh run's requests up to the protections, and one at random.
  const moments = [0, 0.15, 0.35, 0.55, 0.75, 0.9, 0.05 + Math.random() * 0.85].map((f) =>
    Math.max(1, Math.floor(reference.requests * f))
  );
  for (const moment of moments) {
    const when = `after ${moment} requests`;
    // A little latency gives the poll below a sharp edge to kill on.
    const t = await setUp({ latencyMs: 5 });
    try {
      const child = startChild(requireBinary(), ["--root", t.root, ...INIT], {
        env: envFor(t.emulator),
      });
      let exited = false;
      child.exited.then(() => exited = true);
      await until(() => exited || t.emulator.requestLog().length >= moment, 20_000, when);
      await child.stop("SIGKILL");
      const status = await child.exited;
      assert.equal(status.signal, "SIGKILL", `init finished before the kill ${when}`);
      const names = await readdir(t.root);
      if (names.includes(".env")) assertEnvWhole(await t.readEnv(), reference.envKeys, when);
      assert.notDeepEqual(await readEndState(t.emulator), reference.state, `nothing left ${when}`);
      t.emulator.control.setLatency(0);

      const rerun = await t.init();
      assert.equal(rerun.code, 0, `${when}: ${rerun.stderr}${rerun.stdout}`);
      assert.deepEqual(await readEndState(t.emulator), reference.state, when);
      const env = parseEnv(await t.readEnv());
      assert.deepEqual([...env.keys()].sort(), reference.envKeys, when);
      await assertIdentitiesWork(t.emulator.url, env);
    } finally {
      await t.dispose();
    }
  }
});

Deno.test("binary: when the forge requires sign-in, every request init makes carries credentials", async () => {
  requireBinary();
  const t = await setUp({ requireSignin: true });
  try {
    const result = await t.init();
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const log = t.emulator.requestLog();
    assert.ok(log.length > 0);
    assert.deepEqual(log.filter((e) => e.user === null), []);
    assert.deepEqual(log.filter((e) => e.status === 401), []);
  } finally {
    await t.dispose();
  }
});

Deno.test("binary: a primary branch visible only after 5 s gets its protection after the backoff", async () => {
  requireBinary();
  const t = await setUp({ branchDelayMs: 5000 });
  try {
    const result = await t.init([], 20_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    // One progress line per attempt while waiting (not a TTY): 2 s, then 4 s.
    assert.match(
      result.stderr,
      /waiting for branch "main" of acme\/app \(attempt 1\/10, next in 2 s\)/,
    );
    assert.match(
      result.stderr,
      /waiting for branch "main" of acme\/app \(attempt 2\/10, next in 4 s\)/,
    );
    const rules = (slug: string) =>
      t.emulator.forge.state.data.repos.find((r) => `${r.owner}/${r.name}` === slug)!
        .protections.map((p) => p.ruleName);
    assert.deepEqual(rules("acme/app"), ["main"]);
    assert.deepEqual(rules("disinto-admin/app-ops"), ["main"]);
  } finally {
    await t.dispose();
  }
});
