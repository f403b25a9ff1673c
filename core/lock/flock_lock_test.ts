import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { acquireLock, LockTimeoutError, withLock } from "./flock_lock.ts";
import { settleAbandonedWaits } from "../runtime/mod.ts";
import { startChild } from "../../tests/helpers/child.ts";

async function tempLockFile(): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-lock-"));
  return { file: join(dir, "sub", "test.lock"), cleanup: () => rm(dir, { recursive: true }) };
}

/**
 * A shell that takes the lock with flock(1) on an inherited descriptor and then
 * becomes `sleep`: one process holds the lock, so killing it frees the lock.
 */
async function holdWithFlock(file: string, mode: "-x" | "-s" = "-x") {
  const script = `exec 9>>"$1"; flock ${mode} 9; echo held; exec sleep 60`;
  const holder = startChild("sh", ["-c", script, "holder", file]);
  await holder.waitForLine(/^held$/);
  return holder;
}

/** Can flock(1) take the lock right now (non-blocking)? */
function flockCanTake(file: string, mode: "-x" | "-s" = "-x"): boolean {
  return spawnSync("flock", [mode, "-n", file, "true"]).status === 0;
}

Deno.test("an exclusive lock taken here blocks flock(1)", async () => {
  const { file, cleanup } = await tempLockFile();
  const handle = await acquireLock(file, { timeoutSeconds: 1 });
  assert.equal(flockCanTake(file), false);
  handle.release();
  assert.equal(flockCanTake(file), true);
  await cleanup();
});

Deno.test("a lock held by flock(1) makes us wait until it is released", async () => {
  const { file, cleanup } = await tempLockFile();
  await acquireLock(file, { timeoutSeconds: 0 }).then((h) => h.release()); // creates the folder
  const holder = await holdWithFlock(file);
  await assert.rejects(acquireLock(file, { timeoutSeconds: 0.2 }), LockTimeoutError);
  await holder.stop("SIGTERM");
  const handle = await acquireLock(file, { timeoutSeconds: 2 });
  handle.release();
  await settleAbandonedWaits();
  await cleanup();
});

Deno.test("a holder killed with SIGKILL releases the lock at once", async () => {
  const { file, cleanup } = await tempLockFile();
  await acquireLock(file, { timeoutSeconds: 0 }).then((h) => h.release());
  const holder = await holdWithFlock(file);
  const waiting = acquireLock(file, { timeoutSeconds: 10 });
  const killedAt = performance.now();
  await holder.stop("SIGKILL");
  const handle = await waiting;
  const waited = performance.now() - killedAt;
  handle.release();
  assert.ok(waited < 1000, `took ${waited.toFixed(0)} ms after the kill`);
  await cleanup();
});

Deno.test("shared holders coexist while an exclusive one waits", async () => {
  const { file, cleanup } = await tempLockFile();
  const first = await acquireLock(file, { shared: true, timeoutSeconds: 1 });
  const second = await acquireLock(file, { shared: true, timeoutSeconds: 1 });
  assert.equal(flockCanTake(file, "-s"), true, "another shared holder gets in");
  assert.equal(flockCanTake(file, "-x"), false, "an exclusive holder must wait");
  await assert.rejects(acquireLock(file, { timeoutSeconds: 0.1 }), LockTimeoutError);
  first.release();
  assert.equal(flockCanTake(file, "-x"), false, "one shared holder still blocks");
  second.release();
  await settleAbandonedWaits();
  assert.equal(flockCanTake(file, "-x"), true);
  await cleanup();
});

Deno.test("the timeout is honoured within 10 %", async () => {
  const { file, cleanup } = await tempLockFile();
  await acquireLock(file, { timeoutSeconds: 0 }).then((h) => h.release());
  const holder = await holdWithFlock(file);
  for (const seconds of [0.5, 1]) {
    const start = performance.now();
    await assert.rejects(acquireLock(file, { timeoutSeconds: seconds }), LockTimeoutError);
    const elapsed = (performance.now() - start) / 1000;
    assert.ok(
      elapsed >= seconds && elapsed <= seconds * 1.1,
      `timeout ${seconds} s took ${elapsed.toFixed(3)} s`,
    );
  }
  await holder.stop();
  await settleAbandonedWaits();
  await cleanup();
});

Deno.test("a timed-out wait never ends up holding the lock", async () => {
  const { file, cleanup } = await tempLockFile();
  await acquireLock(file, { timeoutSeconds: 0 }).then((h) => h.release());
  const holder = await holdWithFlock(file);
  await assert.rejects(acquireLock(file, { timeoutSeconds: 0.1 }), LockTimeoutError);
  await holder.stop();
  await settleAbandonedWaits();
  assert.equal(flockCanTake(file), true, "the abandoned wait released what it won");
  await cleanup();
});

Deno.test("withLock releases the lock when the work throws", async () => {
  const { file, cleanup } = await tempLockFile();
  await assert.rejects(withLock(file, {}, () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(flockCanTake(file), true);
  await cleanup();
});

Deno.test("a negative timeout is a RangeError naming the option", async () => {
  await assert.rejects(acquireLock("/nonexistent/x.lock", { timeoutSeconds: -1 }), RangeError);
});

Deno.test("an inheritable lock stays held by a child given its descriptor after we release", async () => {
  const { file, cleanup } = await tempLockFile();
  const handle = await acquireLock(file, { timeoutSeconds: 1, inheritable: true });
  assert.equal(typeof handle.fd, "number");
  const child = spawn("sleep", ["30"], { stdio: ["ignore", "ignore", "ignore", handle.fd!] });
  const closed = new Promise((resolve) => child.on("close", resolve));
  await new Promise((resolve) => child.on("spawn", resolve));
  handle.release();
  assert.equal(flockCanTake(file), false, "releasing dropped the child's lock");
  child.kill("SIGKILL");
  await closed;
  assert.equal(flockCanTake(file), true);
  await cleanup();
});
