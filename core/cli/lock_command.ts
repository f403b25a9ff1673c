/** `disinto lock run <file> [--timeout S] [--shared] -- <cmd…>`: like flock(1). */
import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { BadInputError } from "../errors.ts";
import { constants } from "node:os";
import { acquireLock } from "../lock/mod.ts";
import type { CommandHost } from "../plugin.ts";
import type { Context } from "../context.ts";

/** Parse a non-negative number of seconds for --timeout. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(`expected a number of seconds >= 0, got "${value}"`);
  }
  return seconds;
}

/** After this long without the lock, say that we are waiting. */
const NOTICE_AFTER_MS = 250;

export function registerLockCommand(program: Command, host: CommandHost): void {
  const lock = program.command("lock").description("file locks shared with flock(1)");
  lock.command("run")
    .description("run a command while holding an flock on <file>")
    .argument("<file>", "lock file (created if missing)")
    .argument("<command...>", "the command and its arguments (after --)")
    .option("--timeout <seconds>", "give up after this many seconds (exit 1)", parseSeconds)
    .option("--shared", "take a shared lock instead of an exclusive one", false)
    .action((file, command, options) =>
      host.run(async () => {
        const { context } = host;
        const path = resolve(context.cwd, file);
        await requireDirectory(dirname(path));
        const notice = setTimeout(() => {
          const limit = options.timeout === undefined ? "" : ` (timeout ${options.timeout} s)`;
          context.stderr.write(`disinto: waiting for lock ${file}${limit}\n`);
        }, NOTICE_AFTER_MS);
        let handle;
        try {
          handle = await acquireLock(path, {
            shared: options.shared,
            timeoutSeconds: options.timeout,
            signal: context.signal,
            // The child gets the locked descriptor: it holds the lock even if
            // this process is SIGKILLed or OOM-killed, as a child of flock(1) does.
            inheritable: true,
          });
        } finally {
          clearTimeout(notice);
        }
        try {
          return await runChild(command, context, handle.fd);
        } finally {
          handle.release();
        }
      })
    );
}

/** Like flock(1), the lock file's directory must exist: a typo never makes a tree of directories. */
async function requireDirectory(dir: string): Promise<void> {
  const isDirectory = await stat(dir).then((info) => info.isDirectory(), () => false);
  if (!isDirectory) {
    throw new BadInputError(
      `${dir}: no such directory; expected the lock file's directory to exist`,
    );
  }
}

/**
 * Run a child with the context's env and cwd; its output goes to the context's
 * outputs. `lockFd`, when given, is passed on as the child's descriptor 3.
 */
export function runChild(
  command: readonly string[],
  context: Context,
  lockFd?: number,
): Promise<number> {
  return new Promise((resolvePromise) => {
    const [file, ...args] = command;
    const child = spawn(file!, args, {
      cwd: context.cwd,
      env: context.env as Record<string, string>,
      stdio: lockFd === undefined
        ? ["inherit", "pipe", "pipe"]
        : ["inherit", "pipe", "pipe", lockFd],
    });
    const decoder = { out: new TextDecoder(), err: new TextDecoder() };
    child.stdout!.on(
      "data",
      (chunk: Uint8Array) => context.stdout.write(decoder.out.decode(chunk)),
    );
    child.stderr!.on(
      "data",
      (chunk: Uint8Array) => context.stderr.write(decoder.err.decode(chunk)),
    );
    const forward = () => child.kill("SIGTERM");
    context.signal.addEventListener("abort", forward, { once: true });
    child.on("error", (error: NodeJS.ErrnoException) => {
      context.signal.removeEventListener("abort", forward);
      const reason = error.code === "ENOENT" ? "command not found" : error.message;
      context.stderr.write(`disinto: ${file}: ${reason}\n`);
      resolvePromise(error.code === "ENOENT" ? 127 : 126);
    });
    child.on("close", (code, signal) => {
      context.signal.removeEventListener("abort", forward);
      if (code !== null) return resolvePromise(code);
      const number = signal ? constants.signals[signal] ?? 0 : 0;
      resolvePromise(128 + number);
    });
  });
}
