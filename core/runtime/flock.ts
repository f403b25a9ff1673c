/**
 * flock(2) on a lock file: the same lock flock(1) takes, so shell scripts and
 * other containers on the same bind mount coordinate with us.
 *
 * Deno: Deno.FsFile.lock blocks on a worker thread, so waiting costs nothing;
 * a timed-out wait closes the file and the kernel drops the lock the moment the
 * abandoned wait would have won it.
 * Bun: flock(2) through bun:ffi. Bun has no threaded FFI call, so the wait
 * tries LOCK_NB and sleeps between tries (5 ms growing to 50 ms; no spinning).
 *
 * `inheritable`: the lock is taken on a plain OS descriptor (node:fs, flock(2)
 * through FFI on both runtimes) and the handle exposes it, so a child given
 * that descriptor holds the same lock, as a child of flock(1) does: the kernel
 * frees it only when the last holder of the descriptor closes it or dies.
 */
import { closeSync, openSync } from "node:fs";
import { runtimeName } from "./detect.ts";

export interface FlockOptions {
  exclusive: boolean;
  /** Give up after this many milliseconds; undefined waits for ever. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Lock an OS descriptor a child process can inherit (see `FlockHandle.fd`). */
  inheritable?: boolean | undefined;
}

/** A held flock; release() is idempotent. */
export interface FlockHandle {
  readonly path: string;
  readonly exclusive: boolean;
  /** The locked OS descriptor, set when the lock was taken `inheritable`. */
  readonly fd?: number | undefined;
  release(): void;
}

/** Acquire a flock on `path` (created if missing); null when the timeout expires. */
export function flock(path: string, options: FlockOptions): Promise<FlockHandle | null> {
  return runtimeName() === "bun" || options.inheritable
    ? flockFfi(path, options)
    : flockDeno(path, options);
}

/** Waits abandoned by a timeout that have not yet finished (Deno only). */
const abandoned = new Set<Promise<unknown>>();

/**
 * Resolve once every abandoned wait has ended. Tests call this after a timeout
 * so no async op outlives the test; the holder must have released by then.
 */
export async function settleAbandonedWaits(): Promise<void> {
  while (abandoned.size > 0) await Promise.all([...abandoned]);
}

async function flockDeno(path: string, options: FlockOptions): Promise<FlockHandle | null> {
  const file = await Deno.open(path, { read: true, write: true, create: true });
  const waiting = file.lock(options.exclusive);
  const outcome = await raceDeadline(waiting, options);
  if (outcome === "acquired") {
    let released = false;
    return {
      path,
      exclusive: options.exclusive,
      release() {
        if (released) return;
        released = true;
        file.close();
      },
    };
  }
  // Closing drops our handle; the pending wait keeps the descriptor alive and
  // the kernel releases the lock as soon as that wait returns.
  file.close();
  const settled = waiting.then(() => {}, () => {});
  abandoned.add(settled);
  settled.finally(() => abandoned.delete(settled));
  if (outcome === "aborted") throw options.signal?.reason ?? new Error("Lock wait aborted");
  return null;
}

const GRACE_MS = 10;

function raceDeadline(
  waiting: Promise<void>,
  options: FlockOptions,
): Promise<"acquired" | "timeout" | "aborted"> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => finish("aborted");
    const finish = (result: "acquired" | "timeout" | "aborted") => {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    if (options.signal?.aborted) return finish("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      // The lock call finishes on a worker thread; a lock that is free must
      // not lose the race to a zero or tiny timeout, so allow it one short beat.
      timer = setTimeout(() => {
        timer = setTimeout(() => finish("timeout"), GRACE_MS);
      }, options.timeoutMs);
    }
    waiting.then(() => finish("acquired"), (error) => {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

interface LibcFlock {
  flock(fd: number, operation: number): number;
  /** Unload the library (Deno opens it per lock; Bun keeps one for the process). */
  close(): void;
}

let bunLibc: LibcFlock | undefined;

async function loadLibc(): Promise<LibcFlock> {
  if (runtimeName() === "deno") {
    const lib = Deno.dlopen("libc.so.6", {
      flock: { parameters: ["i32", "i32"], result: "i32" },
    });
    return { flock: (fd, op) => lib.symbols.flock(fd, op), close: () => lib.close() };
  }
  if (bunLibc) return bunLibc;
  // @ts-ignore: bun:ffi exists only under Bun; Deno never takes this path
  const ffi = await import("bun:ffi");
  const lib = ffi.dlopen("libc.so.6", {
    flock: { args: [ffi.FFIType.i32, ffi.FFIType.i32], returns: ffi.FFIType.i32 },
  });
  const symbols = lib.symbols as Pick<LibcFlock, "flock">;
  bunLibc = { flock: (fd, op) => symbols.flock(fd, op), close: () => {} };
  return bunLibc;
}

/** flock(2) through FFI on a node:fs descriptor (a real OS descriptor on both runtimes). */
async function flockFfi(path: string, options: FlockOptions): Promise<FlockHandle | null> {
  const lib = await loadLibc();
  const fd = openSync(path, "a+");
  const operation = (options.exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let pause = 5;
  try {
    while (lib.flock(fd, operation) !== 0) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("Lock wait aborted");
      const left = deadline - Date.now();
      if (left <= 0) {
        closeSync(fd);
        lib.close();
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, 50);
    }
  } catch (error) {
    closeSync(fd);
    lib.close();
    throw error;
  }
  let released = false;
  return {
    path,
    exclusive: options.exclusive,
    ...(options.inheritable ? { fd } : {}),
    release() {
      if (released) return;
      released = true;
      // Not LOCK_UN: that would drop the lock for a child still holding the
      // descriptor; closing ours leaves it to the child, as flock(1) does.
      if (!options.inheritable) lib.flock(fd, LOCK_UN);
      closeSync(fd);
      lib.close();
    },
  };
}
