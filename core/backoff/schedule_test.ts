import assert from "node:assert/strict";
import { BRANCH_INDEXING, delays, exponential, FORGE_READINESS, HTTP_RETRY } from "./schedule.ts";

Deno.test("branch indexing waits 2, 4, 6, 8, 10, 10, 10, 10, 10 s: 70 s over ten attempts", () => {
  const waits = delays(BRANCH_INDEXING).map((ms) => ms / 1000);
  assert.deepEqual(waits, [2, 4, 6, 8, 10, 10, 10, 10, 10]);
  assert.equal(waits.reduce((a, b) => a + b, 0), 70);
  assert.equal(BRANCH_INDEXING.attempts, 10);
});

Deno.test("forge readiness polls 60 times one second apart with a 3 s request timeout", () => {
  const waits = delays(FORGE_READINESS);
  assert.equal(FORGE_READINESS.attempts, 60);
  assert.equal(waits.length, 59);
  assert.ok(waits.every((ms) => ms === 1000));
  assert.equal(FORGE_READINESS.attemptTimeoutMs, 3000);
});

Deno.test("exponential doubles up to the cap without jitter", () => {
  const schedule = exponential({ name: "t", attempts: 7, baseMs: 100, capMs: 1000, jitter: 0 });
  assert.deepEqual(delays(schedule), [100, 200, 400, 800, 1000, 1000]);
});

Deno.test("full jitter takes the random source into account", () => {
  const schedule = exponential({ name: "t", attempts: 3, baseMs: 100, capMs: 1000, jitter: 1 });
  assert.deepEqual(delays(schedule, () => 0.5), [50, 100]);
  assert.deepEqual(delays(schedule, () => 0), [100, 200]);
});

Deno.test("HTTP retry stays within 125 ms..4 s for any random value", () => {
  for (const r of [0, 0.3, 0.999]) {
    for (const ms of delays(HTTP_RETRY, () => r)) {
      assert.ok(ms >= 125 && ms <= 4000, `${ms} out of range`);
    }
  }
});

Deno.test("a jitter outside 0..1 is a RangeError", () => {
  assert.throws(
    () => exponential({ name: "t", attempts: 2, baseMs: 1, capMs: 1, jitter: 2 }),
    RangeError,
  );
});
