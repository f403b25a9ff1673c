import assert from "node:assert/strict";
import { type Reply, ReplyBoard, type ReplyEvent, replyStream } from "./replies.ts";

/** Read NDJSON lines from a stream until it closes, or until `stopAfter` says so. */
async function readEvents(
  stream: ReadableStream<Uint8Array>,
  stopAfter: (events: Record<string, unknown>[]) => boolean = () => false,
): Promise<Record<string, unknown>[]> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const events: Record<string, unknown>[] = [];
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    pending += value;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    events.push(...lines.map((line) => JSON.parse(line)));
    if (stopAfter(events)) {
      await reader.cancel();
      return events;
    }
  }
}

/** A piece of work the test drives by hand. */
function manualWork() {
  let finish!: (end: { outcome: "done" | "stopped" }) => void;
  const ended = new Promise<{ outcome: "done" | "stopped" }>((resolve) => (finish = resolve));
  return {
    work: (reply: Reply) => {
      reply.signal.addEventListener("abort", () => finish({ outcome: "stopped" }));
      return ended;
    },
    finish,
  };
}

Deno.test("one reply per user; it streams start, text and end, then leaves the board", async () => {
  const board = new ReplyBoard();
  const manual = manualWork();
  const reply = board.start("alice", manual.work)!;
  assert.equal(board.start("alice", manual.work), null);
  assert.notEqual(board.start("bob", () => Promise.resolve({ outcome: "done" })), null);
  const read = readEvents(replyStream(reply, 0, 60_000));
  reply.push({ type: "text", text: "Hel" });
  reply.push({ type: "text", text: "lo" });
  manual.finish({ outcome: "done" });
  await reply.finished;
  assert.deepEqual(await read, [
    { seq: 1, type: "start", id: reply.id },
    { seq: 2, type: "text", text: "Hel" },
    { seq: 3, type: "text", text: "lo" },
    { seq: 4, type: "end", outcome: "done" },
  ]);
  assert.equal(board.current("alice"), undefined);
  assert.equal(reply.done, true);
});

Deno.test("a dropped reader can re-attach after the last event it saw; the reply ran on", async () => {
  const board = new ReplyBoard();
  const manual = manualWork();
  const reply = board.start("alice", manual.work)!;
  reply.push({ type: "text", text: "one" });
  const first = await readEvents(replyStream(reply, 0, 60_000), (e) => e.length === 2);
  assert.deepEqual(first.map((e) => e.seq), [1, 2]);
  reply.push({ type: "text", text: "two" });
  assert.equal(board.current("alice"), reply);
  const again = readEvents(replyStream(reply, 2, 60_000));
  manual.finish({ outcome: "done" });
  const events = (await again) as ReplyEvent[];
  assert.deepEqual(events.map((e) => e.seq), [3, 4]);
});

Deno.test("stop aborts the work's signal and the reply ends as stopped", async () => {
  const board = new ReplyBoard();
  const reply = board.start("alice", manualWork().work)!;
  reply.stop();
  await reply.finished;
  assert.deepEqual(reply.events.at(-1), { seq: 2, type: "end", outcome: "stopped" });
});

Deno.test("a throwing piece of work ends the reply as failed with its message", async () => {
  const board = new ReplyBoard();
  const reply = board.start("alice", () => Promise.reject(new Error("CLI missing")))!;
  await reply.finished;
  assert.deepEqual(reply.events.at(-1), {
    seq: 2,
    type: "end",
    outcome: "failed",
    message: "CLI missing",
  });
});

Deno.test("a quiet reply still sends heartbeats", async () => {
  const board = new ReplyBoard();
  const manual = manualWork();
  const reply = board.start("alice", manual.work)!;
  const events = await readEvents(
    replyStream(reply, 1, 5),
    (seen) => seen.filter((e) => e.type === "heartbeat").length >= 2,
  );
  assert.deepEqual(events.slice(0, 2), [{ type: "heartbeat" }, { type: "heartbeat" }]);
  await board.stopAll();
  assert.equal(reply.done, true);
});
