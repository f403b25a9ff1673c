import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { incrementCounter, readCounter, resetCounter } from "./counter.ts";

Deno.test("counters increment, read and reset per key", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-counter-"));
  const file = join(dir, "ci-fix.json");
  assert.equal(await readCounter(file, "pr-7"), 0);
  assert.equal(await incrementCounter(file, "pr-7"), 1);
  assert.equal(await incrementCounter(file, "pr-7", 2), 3);
  assert.equal(await incrementCounter(file, "pr-8"), 1);
  await resetCounter(file, "pr-7");
  assert.equal(await readCounter(file, "pr-7"), 0);
  assert.equal(await readCounter(file, "pr-8"), 1);
  await rm(dir, { recursive: true });
});

Deno.test("fifty concurrent increments lose no update", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-counter-"));
  const file = join(dir, "n.json");
  await Promise.all(Array.from({ length: 50 }, () => incrementCounter(file, "n")));
  assert.equal(await readCounter(file, "n"), 50);
  await rm(dir, { recursive: true });
});
