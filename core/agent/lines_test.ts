import assert from "node:assert/strict";
import { readLines } from "./lines.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const bytes = chunks.map((c) => new TextEncoder().encode(c));
  return new ReadableStream({
    pull(controller) {
      const next = bytes.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

Deno.test("lines split across chunks arrive whole; a last unterminated line too", async () => {
  const lines: string[] = [];
  await readLines(streamOf(['{"a":', "1}\nsec", "ret-va", "lue\r\n\nlast"]), (l) => lines.push(l));
  assert.deepEqual(lines, ['{"a":1}', "secret-value", "", "last"]);
});

Deno.test("a multi-byte character split between chunks is decoded whole", async () => {
  const bytes = new TextEncoder().encode("é\n");
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, 1));
      controller.enqueue(bytes.slice(1));
      controller.close();
    },
  });
  const lines: string[] = [];
  await readLines(stream, (l) => lines.push(l));
  assert.deepEqual(lines, ["é"]);
});

Deno.test("an abandon signal stops reading a stream that never ends", async () => {
  const abandon = new AbortController();
  const lines: string[] = [];
  const never = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("one\n"));
    },
  });
  const reading = readLines(never, (l) => {
    lines.push(l);
    abandon.abort();
  }, abandon.signal);
  await reading;
  assert.deepEqual(lines, ["one"]);
});

Deno.test("a throwing callback rejects and cancels the stream", async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("x\ny\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  await assert.rejects(
    readLines(stream, () => {
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(cancelled, true);
});
