/**
 * The entry point: the only file that reads the process (argv, env, signals,
 * stdio) and sets the exit code. Everything else runs on an injected Context.
 */
import process from "node:process";
import { Readable } from "node:stream";
import { isatty } from "node:tty";
import { systemClock } from "./core/context.ts";
import { runCli } from "./core/cli/run.ts";
import { promptSecretOnTerminal } from "./core/cli/prompt.ts";
import { plugins } from "./plugins/mod.ts";

const controller = new AbortController();
let signals = 0;
let interruptHandler: (() => void) | null = null;
for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.on(name, () => {
    if (name === "SIGINT" && interruptHandler) return interruptHandler();
    signals++;
    // The first signal asks the command to finish its step; a second one is final.
    if (signals > 1) process.exit(name === "SIGINT" ? 130 : 143);
    controller.abort(new Error(`Interrupted by ${name}`));
  });
}

const code = await runCli({
  argv: process.argv.slice(2),
  env: { ...process.env },
  cwd: process.cwd(),
  stdout: { write: (text) => void process.stdout.write(text), isTTY: isatty(1) },
  stderr: { write: (text) => void process.stderr.write(text), isTTY: isatty(2) },
  promptSecret: isatty(0) ? promptSecretOnTerminal : undefined,
  clock: systemClock,
  fetch: globalThis.fetch,
  signal: controller.signal,
  stdin: lazyStdin(),
  onInterrupt: (handler) => void (interruptHandler = handler),
}, plugins);

/** Standard input, opened only when a command first reads it (other commands never touch it). */
function lazyStdin(): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= (Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>).getReader();
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: () => reader?.cancel(),
  }, { highWaterMark: 0 });
}

// Let buffered output drain before leaving.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
process.exit(code);
