import assert from "node:assert/strict";
import fc from "fast-check";
import type { Output } from "./context.ts";
import { Redactor } from "./redact.ts";

function sink(): Output & { text: string } {
  const out = { text: "", isTTY: false, write: (chunk: string) => void (out.text += chunk) };
  return out;
}

/** Write `text` through a stream in the pieces cut at `cuts`, then end it. */
function streamed(redactor: Redactor, text: string, cuts: number[]): string {
  const out = sink();
  const stream = redactor.stream(out);
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    stream.write(text.slice(from, cut));
    from = cut;
  }
  stream.write(text.slice(from));
  stream.end();
  return out.text;
}

Deno.test("a secret split across two writes: wrap leaks it, stream does not", () => {
  const redactor = new Redactor();
  redactor.add("hunter2-secret");
  const wrapped = sink();
  const plain = redactor.wrap(wrapped);
  plain.write("password: hunter2-");
  plain.write("secret\n");
  assert.equal(wrapped.text, "password: hunter2-secret\n");
  assert.equal(streamed(redactor, "password: hunter2-secret\n", [18]), "password: ***\n");
});

Deno.test("stream holds back only a possible start of a secret, and end() flushes it", () => {
  const redactor = new Redactor();
  redactor.add("tok-123456");
  const out = sink();
  const stream = redactor.stream(out);
  stream.write("line one\n");
  assert.equal(out.text, "line one\n", "nothing that could start a secret is held");
  stream.write("value tok-12");
  assert.equal(out.text, "line one\nvalue ");
  stream.write("x and tok");
  assert.equal(out.text, "line one\nvalue tok-12x and ");
  stream.end();
  assert.equal(out.text, "line one\nvalue tok-12x and tok");
});

// A small alphabet makes secrets overlap each other and the text around them.
const letters = fc.constantFrom("a", "b", "c", "\n");
const word = (min: number, max: number) =>
  fc.array(letters, { minLength: min, maxLength: max }).map((chars) => chars.join(""));

Deno.test("property: no split of any text holding secrets ever emits a secret", () => {
  fc.assert(
    fc.property(
      fc.array(word(6, 10).filter((s) => !s.includes("\n")), { minLength: 1, maxLength: 3 }),
      fc.array(word(0, 12), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (secrets, fillers, rawCuts) => {
        const redactor = new Redactor();
        for (const secret of secrets) redactor.add(secret);
        const text = fillers.map((filler, i) => filler + secrets[i % secrets.length]).join("");
        const cuts = rawCuts.map((cut) => cut % (text.length + 1));
        const out = streamed(redactor, text, cuts);
        for (const secret of secrets) {
          assert.ok(!out.includes(secret), JSON.stringify({ out, secret }));
        }
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("property: text without secrets streams through unchanged, whatever the split", () => {
  fc.assert(
    fc.property(word(0, 40), fc.array(fc.nat(), { maxLength: 8 }), (text, rawCuts) => {
      const redactor = new Redactor();
      redactor.add("zzzzzzz");
      redactor.add("abcabc-not-in-alphabet");
      const cuts = rawCuts.map((cut) => cut % (text.length + 1));
      assert.equal(streamed(redactor, text, cuts), text);
    }),
    { numRuns: 1000 },
  );
});
