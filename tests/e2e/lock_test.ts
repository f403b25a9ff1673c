/** `disinto lock run` on the compiled binary, against flock(1). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startChild } from "../helpers/child.ts";

const ENV = { PATH: "/usr/local/bin:/usr/bin:/bin" };

async function tempLock() {
  const dir = await mkdtemp(join(tmpdir(), "disinto-e2e-lock-"));
  return { dir, file: join(dir, "a.lock"), cleanup: () => rm(dir, { recursive: true }) };
}

/** flock(1) takes the lock on a descriptor, then the shell becomes sleep: one process holds it. */
async function flockHolder(file: string, mode = "-x") {
  const holder = startChild("sh", [
    "-c",
    `exec 9>>"$1"; flock ${mode} 9; echo held; exec sleep 60`,
    "holder",
    file,
  ], { env: ENV });
  await holder.waitForLine(/^held$/);
  return holder;
}

/** The binary holding the lock while its child sleeps; resolves once it runs. */
async function binaryHolder(file: string, shared = false, seconds = 60) {
  const args = ["lock", "run", ...(shared ? ["--shared"] : []), file, "--", "sh", "-c"];
  const script = `echo held; exec sleep ${seconds}`;
  const holder = startChild(requireBinary(), [...args, script], { env: ENV });
  await holder.waitForLine(/^held$/);
  return holder;
}

/** Is the process alive (signal 0 checks without sending anything)? */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Poll `check` every 20 ms for up to 5 s. */
async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const flockTry = (file: string, mode = "-x") =>
  spawnSync("flock", [mode, "-n", file, "true"]).status === 0;

Deno.test("binary lock run: flock(1) cannot take a lock the binary holds", async () => {
  const { file, cleanup } = await tempLock();
  const holder = await binaryHolder(file);
  assert.equal(flockTry(file), false);
  await holder.stop("SIGTERM");
  assert.equal(flockTry(file), true);
  await cleanup();
});

Deno.test("binary lock run: waits for flock(1), times out with exit 1 and a clear message", async () => {
  const { file, cleanup } = await tempLock();
  const holder = await flockHolder(file);
  const started = performance.now();
  const result = await runBinary(["lock", "run", "--timeout", "1", file, "--", "true"], {
    env: ENV,
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Timed out after 1 s waiting for lock/);
  assert.ok(seconds >= 1 && seconds <= 1.1 + 0.3, `took ${seconds.toFixed(2)} s`);
  await holder.stop();
  await cleanup();
});

Deno.test("binary lock run: the child keeps the lock when the binary is SIGKILLed, like flock(1)", async () => {
  const { dir, file, cleanup } = await tempLock();
  const pidFile = join(dir, "child.pid");
  const holder = startChild(requireBinary(), [
    "lock",
    "run",
    file,
    "--",
    "sh",
    "-c",
    'echo $$ > "$1"; echo held; exec sleep 30',
    "child",
    pidFile,
  ], { env: ENV });
  await holder.waitForLine(/^held$/);
  const childPid = Number(await readFile(pidFile, "utf8"));
  await holder.stop("SIGKILL"); // the binary only, by its PID; its child lives on
  try {
    assert.equal(processAlive(childPid), true, "the child died with the binary");
    assert.equal(flockTry(file), false, "the lock was freed while the child still runs");
    const second = await runBinary(["lock", "run", "--timeout", "0.3", file, "--", "true"], {
      env: ENV,
    });
    assert.equal(second.code, 1, "a second lock run got the lock the child holds");
  } finally {
    process.kill(childPid, "SIGTERM");
  }
  await waitUntil(() => !processAlive(childPid), "the child to exit");
  const after = await runBinary(["lock", "run", "--timeout", "2", file, "--", "true"], {
    env: ENV,
  });
  assert.equal(after.code, 0, after.stderr);
  await cleanup();
});

Deno.test("binary lock run: shared holders coexist, an exclusive one waits", async () => {
  const { file, cleanup } = await tempLock();
  const a = await binaryHolder(file, true);
  const b = await binaryHolder(file, true);
  assert.equal(flockTry(file, "-s"), true);
  assert.equal(flockTry(file, "-x"), false);
  const exclusive = await runBinary(["lock", "run", "--timeout", "0.3", file, "--", "true"], {
    env: ENV,
  });
  assert.equal(exclusive.code, 1);
  await a.stop("SIGTERM");
  await b.stop("SIGTERM");
  assert.equal(flockTry(file, "-x"), true);
  await cleanup();
});

Deno.test("binary lock run: returns the command's exit code", async () => {
  const { file, cleanup } = await tempLock();
  const result = await runBinary(["lock", "run", file, "--", "sh", "-c", "exit 42"], { env: ENV });
  assert.equal(result.code, 42);
  await cleanup();
});
