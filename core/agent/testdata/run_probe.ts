/**
 * Run by claude_run_test.ts under Bun (the shipped binary's runtime): runClaude
 * on the fake CLI in a few modes with tiny real timers, printing each result's
 * reason, exit and whether every process it started is gone, as JSON.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { waitGone } from "../../runtime/testdata/process_gone.ts";
import { runClaude } from "../claude_run.ts";

const fake = fileURLToPath(new URL("../../../tests/fixtures/fake_claude.sh", import.meta.url));

async function probe(mode: string) {
  const dir = await mkdtemp(join(tmpdir(), "run-probe-"));
  const pidfile = join(dir, "pids");
  const result = await runClaude({
    command: fake,
    args: [],
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      FAKE_CLAUDE_MODE: mode,
      FAKE_CLAUDE_PIDFILE: pidfile,
    },
    // Only the hung mode should meet the timeout, however slow the machine.
    timeoutMs: mode === "hang_mid_stream" ? 400 : 10_000,
    idleGraceMs: 50,
    killGraceMs: 100,
  });
  const pids = (await readFile(pidfile, "utf8")).split("\n").filter(Boolean).map(Number);
  const alive = await waitGone(pids);
  await rm(dir, { recursive: true, force: true });
  return {
    reason: result.reason,
    exit: result.exit,
    killedBy: result.killedBy,
    pids: pids.length,
    alive,
  };
}

const out: Record<string, unknown> = {};
for (
  const mode of [
    "success",
    "background_child",
    "hang_after_result",
    "ignore_term",
    "hang_mid_stream",
  ]
) {
  out[mode] = await probe(mode);
}
console.log(JSON.stringify(out));
