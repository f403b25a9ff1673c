/**
 * Child processes for tests: start one, wait for a line on its stdout (with a
 * deadline, never a blind sleep), and make sure it is gone before the test ends.
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";

export interface RunningChild {
  child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (128 + signal number style is not applied: null on signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): { stdout: string; stderr: string };
  /** Kill (SIGKILL by default) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): RunningChild {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    cwd: options.cwd,
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout!.on("data", (chunk: Uint8Array) => {
    stdout += new TextDecoder().decode(chunk);
    for (const listener of listeners) listener();
  });
  child.stderr!.on("data", (chunk: Uint8Array) => {
    stderr += new TextDecoder().decode(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal }))
  );
  let done = false;
  exited.then(() => {
    done = true;
    for (const listener of listeners) listener();
  });
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    waitForLine(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stdout.split("\n").find((candidate) => pattern.test(candidate));
          if (line !== undefined) finish(() => resolve(line));
          else if (done) {
            finish(() => reject(new Error(`child exited before ${pattern}: ${stderr}`)));
          }
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no line ${pattern} within ${timeoutMs} ms`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = "SIGKILL") {
      if (!done) child.kill(signal);
      await exited;
    },
  };
}
