import assert from "node:assert/strict";
import { mapLimit, settleLimit } from "./map_limit.ts";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => resolve = r);
  return { promise, resolve };
}

Deno.test("mapLimit keeps order and never exceeds the limit", async () => {
  let inFlight = 0;
  let peak = 0;
  const gates = Array.from({ length: 10 }, deferred);
  const run = mapLimit(gates, 3, async (gate, index) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await gate.promise;
    inFlight--;
    return index * 2;
  });
  // Release in reverse order to show results still follow the input order.
  for (let i = gates.length - 1; i >= 0; i--) {
    gates[i]!.resolve();
    await Promise.resolve();
  }
  assert.deepEqual(await run, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.equal(peak, 3);
});

Deno.test("mapLimit rejects with the first error and starts nothing new", async () => {
  const started: number[] = [];
  await assert.rejects(
    mapLimit([1, 2, 3, 4, 5], 1, (n) => {
      started.push(n);
      return n === 2 ? Promise.reject(new Error("two")) : Promise.resolve(n);
    }),
    /two/,
  );
  assert.deepEqual(started, [1, 2]);
});

Deno.test("mapLimit validates the limit and handles an empty list", async () => {
  await assert.rejects(mapLimit([1], 0, (n) => Promise.resolve(n)), RangeError);
  assert.deepEqual(await mapLimit([], 4, (n) => Promise.resolve(n)), []);
});

Deno.test("settleLimit runs every item", async () => {
  const results = await settleLimit(
    [1, 2, 3],
    2,
    (n) => n === 2 ? Promise.reject(new Error("bad")) : Promise.resolve(n * 10),
  );
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
});
