/**
 * Child processes for tests: start one, wait for a line on its stdout (with a
 * deadline, never a blind sleep), and make sure it is gone before the test ends.
 *
 * Built on Deno.Command rather than node:child_process: Deno's node polyfill
 * reports a child we sent SIGTERM as "killed by SIGTERM" even when it caught
 * the signal and exited 0 (Node itself reports code 0), and the graceful-stop
 * tests need the real exit status. Test helpers only run under `deno test`.
 */
import process from "node:process";

export type ExitStatus = { code: number | null; signal: Deno.Signal | null };

export interface RunningChild {
  pid: number;
  /** Resolves with the first stdout line matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The exit: a code, or the signal that ended it (then code is null). */
  exited: Promise<ExitStatus>;
  output(): { stdout: string; stderr: string };
  /** Send a signal (SIGKILL by default) and wait for the exit. */
  stop(signal?: Deno.Signal): Promise<void>;
}

export function startChild(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): RunningChild {
  const child = new Deno.Command(command, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  }).spawn();
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
  const exited = Promise.all([child.status, streams]).then(([status]): ExitStatus => {
    done = true;
    for (const listener of listeners) listener();
    return { code: status.signal === null ? status.code : null, signal: status.signal };
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
    async stop(signal: Deno.Signal = "SIGKILL") {
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
