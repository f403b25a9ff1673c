/**
 * Child processes for tests: start one, wait for a line on its stdout (with a
 * deadline, never a blind sleep), and make sure it is gone before the test ends.
 * The spawn itself is the runtime seam's (core/runtime/spawn.ts), which reports
 * the true exit status of a child that caught the signal we sent.
 */
import process from "node:process";
import { type ChildExit, spawnChild } from "../../core/runtime/mod.ts";

export type ExitStatus = ChildExit;

export interface RunningChild {
  pid: number;
  /** Resolves with the first stdout line matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The exit: a code, or the signal that ended it (then code is null). */
  exited: Promise<ExitStatus>;
  output(): { stdout: string; stderr: string };
  /** Send a signal (SIGKILL by default) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): RunningChild {
  const child = spawnChild(command, args, {
    env: options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    cwd: options.cwd,
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const drain = async (stream: ReadableStream<Uint8Array>, append: (text: string) => void) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      append(text);
      for (const listener of listeners) listener();
    }
  };
  const streams = Promise.all([
    drain(child.stdout, (text) => stdout += text),
    drain(child.stderr, (text) => stderr += text),
  ]);
  let done = false;
  const exited = Promise.all([child.exited, streams]).then(([status]): ExitStatus => {
    done = true;
    for (const listener of listeners) listener();
    return status;
  });
  return {
    pid: child.pid,
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
    async stop(signal: NodeJS.Signals = "SIGKILL") {
      if (!done) {
        try {
          child.kill(signal);
        } catch {
          // Already gone between the check and the kill.
        }
      }
      await exited;
    },
  };
}
