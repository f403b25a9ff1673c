import assert from "node:assert/strict";
import process from "node:process";
import { spawnChild } from "../runtime/mod.ts";
import { waitGone } from "../runtime/testdata/process_gone.ts";
import { endMarked, processesMarked } from "./stragglers.ts";

/** A detached `sleep` carrying `MARK=<value>` (plus one that ignores SIGTERM). */
async function startMarked(value: string, ignoreTerm = false) {
  const script = ignoreTerm
    ? "trap '' TERM; echo ready; sleep 300 & wait"
    : "echo ready; exec sleep 300";
  const child = spawnChild("sh", ["-c", script], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MARK: value },
    processGroup: true,
  });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read();
  await reader.cancel();
  return child;
}

Deno.test("processesMarked finds exactly the processes with the marker value", async () => {
  const value = crypto.randomUUID();
  const mine = await startMarked(value);
  const other = await startMarked(crypto.randomUUID());
  try {
    assert.deepEqual(processesMarked("MARK", value), [mine.pid]);
    assert.deepEqual(processesMarked("MARK", "nothing-has-this"), []);
  } finally {
    mine.kill("SIGKILL");
    other.kill("SIGKILL");
    await Promise.all([mine.exited, other.exited, mine.stderr.cancel(), other.stderr.cancel()]);
  }
});

Deno.test("endMarked: SIGTERM, then SIGKILL after the grace for one that ignores it", async () => {
  const value = crypto.randomUUID();
  const polite = await startMarked(value);
  const stubborn = await startMarked(value, true);
  const found = await endMarked("MARK", value, 200);
  assert.equal(found.length >= 2, true, `found ${found}`);
  await Promise.all([
    polite.exited,
    stubborn.exited,
    polite.stderr.cancel(),
    stubborn.stderr.cancel(),
  ]);
  assert.deepEqual(await waitGone(found), []);
  assert.deepEqual(processesMarked("MARK", value), []);
});
