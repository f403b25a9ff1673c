import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClaudeRunResult } from "./claude_run.ts";
import { openRunLog, summarize } from "./run_log.ts";
import { parseStreamLine, type ResultEvent } from "./stream_json.ts";

const NOW = new Date("2026-12-03T12:48:02.123Z");

async function withRoot(work: (root: string) => Promise<void> | void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "run-log-"));
  try {
    await work(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

Deno.test("the log is state/agent-runs/<stamp>-<role>-<issue>.ndjson, mode 0600, every line JSON", async () => {
  await withRoot(async (root) => {
    const log = openRunLog(root, { role: "dev", issue: 7, cwd: "/w", model: "m" }, NOW);
    assert.equal(log.path, join(root, "state/agent-runs/20261203T124802Z-dev-7.ndjson"));
    log.stdout('{"type":"system","subtype":"init"}');
    log.stdout("not json");
    log.stdout("[1]");
    log.stderr("warning: ***");
    log.finish(summarize(RUN));
    log.stdout('{"late":true}'); // after finish: ignored
    assert.equal((await stat(log.path)).mode & 0o777, 0o600);
    const lines = (await readFile(log.path, "utf8")).trimEnd().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines, [
      {
        type: "disinto_run",
        started_at: "2026-12-03T12:48:02.123Z",
        role: "dev",
        issue: 7,
        cwd: "/w",
        model: "m",
      },
      { type: "system", subtype: "init" },
      { type: "disinto_raw", line: "not json" },
      { type: "disinto_raw", line: "[1]" },
      { type: "disinto_stderr", line: "warning: ***" },
      {
        type: "disinto_summary",
        success: true,
        reason: "success",
        session_id: "s-1",
        total_cost_usd: 0.25,
        num_turns: 3,
        input_tokens: 100,
        output_tokens: 20,
        duration_ms: 1500,
        exit_code: 0,
        signal: null,
        killed_by: null,
        stragglers: 0,
      },
    ]);
  });
});

Deno.test("two runs in the same second get two files; no issue, no number", async () => {
  await withRoot((root) => {
    const first = openRunLog(root, { role: "Review PR", cwd: "/w" }, NOW);
    const second = openRunLog(root, { role: "Review PR", cwd: "/w" }, NOW);
    first.finish(summarize(RUN));
    second.finish(summarize(RUN));
    assert.match(first.path, /20261203T124802Z-review-pr\.ndjson$/);
    assert.match(second.path, /20261203T124802Z-review-pr-2\.ndjson$/);
  });
});

Deno.test("a run without a result: the summary has nulls, the reason and the signal", () => {
  const summary = summarize({
    ...RUN,
    success: false,
    reason: "timeout",
    result: null,
    exit: { code: null, signal: "SIGTERM" },
    killedBy: "timeout",
  });
  assert.equal(summary.reason, "timeout");
  assert.equal(summary.total_cost_usd, null);
  assert.equal(summary.num_turns, null);
  assert.equal(summary.signal, "SIGTERM");
  assert.equal(summary.killed_by, "timeout");
});

const RESULT = parseStreamLine(JSON.stringify({
  type: "result",
  subtype: "success",
  is_error: false,
  total_cost_usd: 0.25,
  num_turns: 3,
  usage: { input_tokens: 100, output_tokens: 20 },
})) as ResultEvent;

const RUN: ClaudeRunResult = {
  success: true,
  reason: "success",
  sessionId: "s-1",
  result: RESULT,
  exit: { code: 0, signal: null },
  killedBy: null,
  stderrTail: "",
  durationMs: 1500,
  stragglers: 0,
};
