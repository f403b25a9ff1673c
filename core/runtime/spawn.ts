/**
 * Start a child process with piped stdout/stderr and its true exit status.
 *
 * Not node:child_process: Deno's polyfill reports a child we sent SIGTERM as
 * "killed by SIGTERM" even when it caught the signal and exited 0 (Node itself
 * reports code 0). Graceful-stop checks need the real status, so each
 * runtime's own spawn is used (spawn_test.ts checks both).
 */
import process from "node:process";
import { runtimeName } from "./detect.ts";

export interface SpawnOptions {
  /** The child's whole environment (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string | undefined;
  /**
   * Start the child in a new session (its own process group, pid = group id),
   * so `killGroup` also reaches what it started (a Bash tool's `sleep`).
   */
  processGroup?: boolean;
}

/** A code, or the signal that ended the child (then code is null). */
export type ChildExit = { code: number | null; signal: string | null };

export interface SpawnedChild {
  pid: number;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  exited: Promise<ChildExit>;
  kill(signal: string): void;
  /**
   * Signal the child's whole process group (with `processGroup`; otherwise the
   * child alone). A group that is already gone is not an error.
   */
  killGroup(signal: string): void;
}

export function spawnChild(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): SpawnedChild {
  return runtimeName() === "bun"
    ? spawnBun(command, args, options)
    : spawnDeno(command, args, options);
}

function spawnDeno(command: string, args: readonly string[], options: SpawnOptions): SpawnedChild {
  const child = new Deno.Command(command, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: options.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    detached: options.processGroup === true,
  }).spawn();
  const kill = (signal: string) => child.kill(signal as Deno.Signal);
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited: child.status.then((status) => ({
      code: status.signal === null ? status.code : null,
      signal: status.signal,
    })),
    kill,
    killGroup: options.processGroup
      ? (signal) => ignoreGone(() => Deno.kill(-child.pid, signal as Deno.Signal))
      : (signal) => ignoreGone(() => kill(signal)),
  };
}

interface BunSubprocess {
  pid: number;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  exited: Promise<number>;
  exitCode: number | null;
  signalCode: string | null;
  kill(signal?: string): void;
}

function spawnBun(command: string, args: readonly string[], options: SpawnOptions): SpawnedChild {
  const bun = (globalThis as unknown as {
    Bun: { spawn(cmd: string[], o: Record<string, unknown>): BunSubprocess };
  }).Bun;
  const child = bun.spawn([command, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: options.env,
    cwd: options.cwd,
    detached: options.processGroup === true,
  });
  const kill = (signal: string) => child.kill(signal);
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited: child.exited.then(() => ({
      code: child.signalCode === null ? child.exitCode : null,
      signal: child.signalCode,
    })),
    kill,
    killGroup: options.processGroup
      ? (signal) => ignoreGone(() => process.kill(-child.pid, signal))
      : (signal) => ignoreGone(() => kill(signal)),
  };
}

/** Run a kill; "no such process" (the group or child already ended) is fine. */
function ignoreGone(kill: () => void): void {
  try {
    kill();
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

function isGone(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  return e.code === "ESRCH" || e.name === "NotFound" ||
    /ESRCH|already terminated/.test(String(e.message ?? ""));
}
