import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquirePidLock, pidLockHolder, processIsAlive } from "./pid_lock.ts";
import process from "node:process";

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), "disinto-pid-"));
  return { path: join(dir, "poll.pid"), cleanup: () => rm(dir, { recursive: true }) };
}

Deno.test("a live holder keeps the lock; a second taker is told who holds it", async () => {
  const { path, cleanup } = await tempDir();
  const alive = new Set([100]);
  const first = await acquirePidLock(path, { pid: 100, isAlive: (pid) => alive.has(pid) });
  assert.equal(first.acquired, true);
  const second = await acquirePidLock(path, { pid: 200, isAlive: (pid) => alive.has(pid) });
  assert.deepEqual(second, { acquired: false, holder: 100 });
  assert.equal(await pidLockHolder(path, (pid) => alive.has(pid)), 100);
  await cleanup();
});

Deno.test("a dead holder's lock is taken over and the takeover is reported", async () => {
  const { path, cleanup } = await tempDir();
  await acquirePidLock(path, { pid: 100, isAlive: () => true });
  const taken = await acquirePidLock(path, { pid: 200, isAlive: (pid) => pid === 200 });
  assert.equal(taken.acquired, true);
  assert.equal(taken.acquired && taken.tookOverFrom, 100);
  assert.equal(await readFile(path, "utf8"), "200\n");
  await cleanup();
});

Deno.test("release removes only our own PID file", async () => {
  const { path, cleanup } = await tempDir();
  const mine = await acquirePidLock(path, { pid: 100, isAlive: () => false });
  assert.ok(mine.acquired);
  await acquirePidLock(path, { pid: 200, isAlive: () => false }); // took over
  await mine.release();
  assert.equal(await readFile(path, "utf8"), "200\n");
  await cleanup();
});

Deno.test("ten concurrent takers: exactly one wins", async () => {
  const { path, cleanup } = await tempDir();
  const results = await Promise.all(
    Array.from(
      { length: 10 },
      (_, i) => acquirePidLock(path, { pid: 1000 + i, isAlive: () => true }),
    ),
  );
  assert.equal(results.filter((result) => result.acquired).length, 1);
  await cleanup();
});

Deno.test("processIsAlive tells our own process from a PID that cannot exist", () => {
  assert.equal(processIsAlive(process.pid), true);
  assert.equal(processIsAlive(2 ** 22 + 12345), false);
});
