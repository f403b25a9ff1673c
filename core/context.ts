/**
 * Everything a command may touch of the outside world, injected so that a
 * command runs in process under test. Only main.ts builds one from the process.
 */

/** Where text goes; a terminal, a pipe or a test buffer. */
export interface Output {
  write(text: string): void;
  /** True when the output is a terminal (progress may redraw lines). */
  readonly isTTY: boolean;
}

/** Wall-clock time and sleeping, injectable so tests never sleep for real. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Context {
  /** Arguments after the program name. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: Output;
  stderr: Output;
  /** Reads one line from the user without echo (passwords); undefined when there is no terminal. */
  promptSecret?: ((question: string) => Promise<string | undefined>) | undefined;
  clock: Clock;
  fetch: typeof fetch;
  /** Aborted on SIGINT/SIGTERM: long-running commands finish their step and return. */
  signal: AbortSignal;
  /** What the user types (interactive commands); undefined when there is none. */
  stdin?: ReadableStream<Uint8Array> | undefined;
  /**
   * For interactive commands: while a handler is set, SIGINT (Ctrl-C) calls it
   * instead of aborting `signal`; null restores the default.
   */
  onInterrupt?: ((handler: (() => void) | null) => void) | undefined;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** An Output that collects text, for tests. */
export class BufferOutput implements Output {
  text = "";
  constructor(readonly isTTY = false) {}
  write(text: string): void {
    this.text += text;
  }
}

/** A context for tests: empty environment, buffered output, the system clock unless given. */
export function testContext(overrides: Partial<Context> = {}): Context & {
  stdout: BufferOutput;
  stderr: BufferOutput;
} {
  return {
    argv: [],
    env: {},
    cwd: "/",
    clock: systemClock,
    fetch: globalThis.fetch,
    signal: new AbortController().signal,
    ...overrides,
    stdout: overrides.stdout instanceof BufferOutput ? overrides.stdout : new BufferOutput(),
    stderr: overrides.stderr instanceof BufferOutput ? overrides.stderr : new BufferOutput(),
  };
}
