import assert from "node:assert/strict";
import { retry, RetryError } from "./retry.ts";
import { BRANCH_INDEXING } from "./schedule.ts";

/** A fake clock whose sleep advances time instantly and records each wait. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    slept,
    sleep: (ms: number) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("a branch that never appears: ten attempts, the pinned waits, nothing after", async () => {
  const time = fakeTime();
  let calls = 0;
  const error = await retry(() => {
    calls++;
    return Promise.reject(new Error(`branch main not visible (try ${calls})`));
  }, { schedule: BRANCH_INDEXING, sleep: time.sleep, now: time.now }).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(calls, 10);
  assert.deepEqual(time.slept, [2, 4, 6, 8, 10, 10, 10, 10, 10].map((s) => s * 1000));
  assert.equal(time.now(), 70_000);
  assert.match(error.message, /branch indexing: gave up after 10 attempt\(s\)/);
  assert.match((error.cause as Error).message, /try 10/, "keeps the last cause");
});

Deno.test("success on the fourth attempt stops waiting", async () => {
  const time = fakeTime();
  const progress: number[] = [];
  const value = await retry(
    (n) => n < 4 ? Promise.reject(new Error("not yet")) : Promise.resolve(n),
    {
      schedule: BRANCH_INDEXING,
      sleep: time.sleep,
      now: time.now,
      onRetry: (info) => progress.push(info.elapsedMs),
    },
  );
  assert.equal(value, 4);
  assert.deepEqual(time.slept, [2000, 4000, 6000]);
  assert.deepEqual(progress, [0, 2000, 6000]);
});

Deno.test("a non-retriable error is thrown at once, unwrapped", async () => {
  const time = fakeTime();
  const fatal = new Error("401");
  await assert.rejects(
    retry(() => Promise.reject(fatal), {
      schedule: BRANCH_INDEXING,
      sleep: time.sleep,
      retriable: (e) => e !== fatal,
    }),
    (e) => e === fatal,
  );
  assert.deepEqual(time.slept, []);
});

Deno.test("a requested delay (Retry-After) replaces the schedule's", async () => {
  const time = fakeTime();
  await retry((n) => n === 1 ? Promise.reject(new Error("429")) : Promise.resolve(), {
    schedule: BRANCH_INDEXING,
    sleep: time.sleep,
    requestedDelayMs: () => 7000,
  });
  assert.deepEqual(time.slept, [7000]);
});

Deno.test("an aborted signal stops before the next attempt", async () => {
  const controller = new AbortController();
  let calls = 0;
  await assert.rejects(
    retry(() => {
      calls++;
      controller.abort(new Error("interrupted"));
      return Promise.reject(new Error("fail"));
    }, {
      schedule: BRANCH_INDEXING,
      signal: controller.signal,
      sleep: (_ms, signal) => signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(),
    }),
    /interrupted/,
  );
  assert.equal(calls, 1);
});

Deno.test("the real sleep is cancelled by the signal without waiting it out", async () => {
  const controller = new AbortController();
  const started = performance.now();
  const pending = retry(() => Promise.reject(new Error("fail")), {
    schedule: BRANCH_INDEXING,
    signal: controller.signal,
  });
  queueMicrotask(() => controller.abort(new Error("stop")));
  await assert.rejects(pending, /stop/);
  assert.ok(performance.now() - started < 1000);
});
