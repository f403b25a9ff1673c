/**
 * Replies in flight: at most one per user. A reply keeps every event it has
 * produced (numbered from 1), so a browser whose connection dropped can
 * re-attach and replay from the last number it saw; the reply itself runs on
 * whether or not anyone is watching, until it ends or is stopped.
 */

export type ReplyOutcome = "done" | "stopped" | "failed";

export type ReplyEvent =
  | { seq: number; type: "start"; id: string }
  | { seq: number; type: "text"; text: string }
  | { seq: number; type: "end"; outcome: ReplyOutcome; message?: string };

/** An event before it is numbered. */
export type ReplyEventInput =
  | { type: "text"; text: string }
  | { type: "end"; outcome: ReplyOutcome; message?: string };

export class Reply {
  readonly id = crypto.randomUUID();
  readonly events: ReplyEvent[] = [];
  readonly #controller = new AbortController();
  readonly #listeners = new Set<() => void>();
  readonly #ended = Promise.withResolvers<void>();

  constructor(readonly user: string) {
    this.events.push({ seq: 1, type: "start", id: this.id });
  }

  /** Aborted by stop(); the work watches it and ends its process. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get done(): boolean {
    return this.events.at(-1)?.type === "end";
  }

  /** Settles once the reply has ended (its work, and so its process, is over). */
  get finished(): Promise<void> {
    return this.#ended.promise;
  }

  push(event: ReplyEventInput): void {
    if (this.done) return;
    if (event.type === "end") this.#ended.resolve();
    this.events.push({ ...event, seq: this.events.length + 1 } as ReplyEvent);
    for (const listener of [...this.#listeners]) listener();
  }

  stop(): void {
    this.#controller.abort(new Error("Stopped by the user"));
  }

  /** Called after each new event; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export class ReplyBoard {
  readonly #running = new Map<string, Reply>();
  #closed = false;

  /** Set by stopAll(): no reply starts any more (the server is shutting down). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The user's reply in flight, if any. */
  current(user: string): Reply | undefined {
    return this.#running.get(user);
  }

  /**
   * Start `work` as the user's reply, or return null when one is already in
   * flight. `work` pushes text and returns how the reply ended; a throw ends
   * it as failed. The reply leaves the board once it has ended.
   */
  start(
    user: string,
    work: (reply: Reply) => Promise<{ outcome: ReplyOutcome; message?: string }>,
  ): Reply | null {
    if (this.#closed || this.#running.has(user)) return null;
    const reply = new Reply(user);
    this.#running.set(user, reply);
    void (async () => {
      let end: { outcome: ReplyOutcome; message?: string };
      try {
        end = await work(reply);
      } catch (error) {
        end = {
          outcome: "failed",
          message: error instanceof Error ? error.message : String(error),
        };
      }
      this.#running.delete(user);
      reply.push({ type: "end", ...end });
    })();
    return reply;
  }

  /** Stop every reply and wait for them to end; start no more (server shutdown). */
  async stopAll(): Promise<void> {
    this.#closed = true;
    const replies = [...this.#running.values()];
    for (const reply of replies) reply.stop();
    await Promise.all(replies.map((reply) => reply.finished));
  }
}

/**
 * The reply's events after `after` as NDJSON, then each new one as it comes,
 * with a heartbeat line every `heartbeatMs` so proxies and the browser see a
 * live connection; the stream closes after the end event. Cancelling the
 * stream (the browser went away) leaves the reply running. `onClose` is
 * called once, when the stream has sent the end or was cancelled.
 */
export function replyStream(
  reply: Reply,
  after: number,
  heartbeatMs: number,
  onClose: () => void = () => {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let sent = after;
      const send = (value: unknown) =>
        controller.enqueue(encoder.encode(JSON.stringify(value) + "\n"));
      const flush = () => {
        for (const event of reply.events) {
          if (event.seq <= sent) continue;
          send(event);
          sent = event.seq;
        }
        if (reply.done) {
          cleanup();
          controller.close();
        }
      };
      const unsubscribe = reply.subscribe(flush);
      const timer = setInterval(() => send({ type: "heartbeat" }), heartbeatMs);
      cleanup = () => {
        cleanup = () => {};
        unsubscribe();
        clearInterval(timer);
        onClose();
      };
      flush();
    },
    cancel() {
      cleanup();
    },
  });
}
