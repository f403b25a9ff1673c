import assert from "node:assert/strict";
import { runLoop } from "./loop.ts";

function loop(options: { once: boolean; failOn?: string; stopAfterSleeps?: number }) {
  const stop = new AbortController();
  const lines: string[] = [];
  const cycles: string[] = [];
  const sleeps: number[] = [];
  const run = runLoop({
    roles: ["dev", "paused", "review"] as string[],
    intervalMs: 1000,
    once: options.once,
    signal: stop.signal,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      if (sleeps.length >= (options.stopAfterSleeps ?? 1)) stop.abort();
      return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    },
    enabled: (role) => Promise.resolve(role !== "paused"),
    cycle: (role) => {
      cycles.push(role);
      return role === options.failOn
        ? Promise.reject(new Error("forge down\nmore"))
        : Promise.resolve();
    },
    log: (line) => lines.push(line),
  });
  return { run, lines, cycles, sleeps };
}

Deno.test("once: each role one cycle, no sleep; a failed cycle is one line and exit 1", async () => {
  const ok = loop({ once: true });
  assert.equal(await ok.run, 0);
  assert.deepEqual([ok.cycles, ok.sleeps], [["dev", "review"], []]);
  assert.match(ok.lines[0]!, /^paused: paused/);
  const failed = loop({ once: true, failOn: "dev" });
  assert.equal(await failed.run, 1);
  assert.deepEqual(failed.cycles, ["dev", "review"], "a failing role does not stop the others");
  assert.equal(failed.lines[0], "dev: cycle failed: forge down more");
});

Deno.test("looping: a failed cycle does not stop the loop; the stop signal ends it with 0", async () => {
  const looping = loop({ once: false, failOn: "review", stopAfterSleeps: 3 });
  assert.equal(await looping.run, 0);
  assert.deepEqual(looping.sleeps, [1000, 1000, 1000]);
  assert.equal(looping.cycles.length, 6);
  assert.match(looping.lines.at(-1)!, /stopping: signal received/);
});
