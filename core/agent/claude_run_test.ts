import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Redactor } from "../redact.ts";
import { spawnChild } from "../runtime/mod.ts";
import { waitGone } from "../runtime/testdata/process_gone.ts";
import {
  claudeArgs,
  type ClaudeRunOptions,
  type ClaudeRunResult,
  runClaude,
} from "./claude_run.ts";
import type { StreamEvent } from "./stream_json.ts";
import { ManualClock } from "./testdata/manual_clock.ts";

const FAKE = fileURLToPath(new URL("../../tests/fixtures/fake_claude.sh", import.meta.url));
const TIMEOUT = 1_000_000;
const IDLE = 30_000;
const KILL = 5_000;

interface FakeRun {
  result: ClaudeRunResult;
  events: StreamEvent[];
  lines: string[];
  stderr: string[];
  /** The fake's pid, then its background child's (if it started one). */
  pids: number[];
}

/**
 * Run the fake CLI in `mode`; `drive` steers the manual clock while it runs.
 * Afterwards every process the fake started must be gone.
 */
async function runFake(
  mode: string,
  drive: (clock: ManualClock, saw: (type: string) => Promise<void>) => Promise<void> = () =>
    Promise.resolve(),
  extra: Partial<ClaudeRunOptions> & { fakeEnv?: Record<string, string> } = {},
): Promise<FakeRun> {
  const dir = await mkdtemp(join(tmpdir(), "claude-run-"));
  const pidfile = join(dir, "pids");
  const clock = new ManualClock();
  const events: StreamEvent[] = [];
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiting: { type: string; wake(): void }[] = [];
  /** Resolves once an event of `type` has been read (the CLI got that far). */
  const saw = (type: string) =>
    events.some((e) => e.type === type)
      ? Promise.resolve()
      : new Promise<void>((wake) => waiting.push({ type, wake }));
  const onEvent = (event: StreamEvent) => {
    events.push(event);
    for (const w of waiting.filter((w) => w.type === event.type)) w.wake();
  };
  try {
    const running = runClaude({
      command: FAKE,
      args: claudeArgs({ prompt: "do it", model: "m" }),
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        FAKE_CLAUDE_MODE: mode,
        FAKE_CLAUDE_PIDFILE: pidfile,
        ...extra.fakeEnv,
      },
      timeoutMs: TIMEOUT,
      idleGraceMs: IDLE,
      killGraceMs: KILL,
      clock,
      onEvent,
      onLine: (line) => lines.push(line),
      onStderrLine: (line) => stderr.push(line),
      ...extra,
    });
    await drive(clock, saw);
    const result = await running;
    const pids = (await readFile(pidfile, "utf8").catch(() => "")).split("\n").filter(Boolean)
      .map(Number);
    assert.deepEqual(await waitGone(pids), [], `processes left behind by mode ${mode}`);
    return { result, events, lines, stderr, pids };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test("success: decided by the result event; session id and cost kept", async () => {
  const { result, events, pids } = await runFake("success");
  assert.equal(result.success, true);
  assert.equal(result.reason, "success");
  assert.equal(result.sessionId, "5f0c1c2e-8a4b-4d1e-9f3a-2b6c7d8e9f01");
  assert.equal(result.result?.total_cost_usd, 0.00042);
  assert.equal(result.result?.num_turns, 1);
  assert.equal(result.result?.result, "Done.");
  assert.deepEqual(result.exit, { code: 0, signal: null });
  assert.equal(result.killedBy, null);
  assert.deepEqual(events.map((e) => e.type), ["system", "assistant", "result"]);
  assert.equal(pids.length, 1);
});

Deno.test("a success result with a non-zero exit is still a success", async () => {
  const { result } = await runFake("exit_nonzero");
  assert.equal(result.success, true);
  assert.equal(result.reason, "success");
  assert.deepEqual(result.exit, { code: 3, signal: null });
});

Deno.test("an is_error result (subtype success) is a failure", async () => {
  const { result } = await runFake("is_error");
  assert.equal(result.success, false);
  assert.equal(result.reason, "error_result");
  assert.equal(result.result?.subtype, "success");
  assert.match(result.result?.result ?? "", /API Error: 500/);
  assert.deepEqual(result.exit, { code: 1, signal: null });
});

Deno.test("error_max_turns is a failure with the subtype kept", async () => {
  const { result, events } = await runFake("max_turns");
  assert.equal(result.success, false);
  assert.equal(result.reason, "error_result");
  assert.equal(result.result?.subtype, "error_max_turns");
  assert.equal(result.result?.result, undefined);
  assert.deepEqual(events.map((e) => e.type), ["system", "assistant", "user", "result"]);
});

Deno.test("a crash before any result is no_result, with stderr's tail", async () => {
  const { result } = await runFake("no_result");
  assert.equal(result.success, false);
  assert.equal(result.reason, "no_result");
  assert.deepEqual(result.exit, { code: 2, signal: null });
  assert.match(result.stderrTail, /crashed before any result/);
  assert.equal(result.sessionId, "5f0c1c2e-8a4b-4d1e-9f3a-2b6c7d8e9f01");
});

Deno.test("a hang after the result: the idle watchdog ends it after the grace, keeping the success", async () => {
  const { result } = await runFake("hang_after_result", async (clock) => {
    await clock.sleeping(IDLE);
    assert.deepEqual(clock.pending().sort(), [IDLE, TIMEOUT].sort());
    clock.fire(IDLE);
  });
  assert.equal(result.success, true);
  assert.equal(result.reason, "success");
  assert.equal(result.killedBy, "idle");
  assert.deepEqual(result.exit, { code: null, signal: "SIGTERM" });
});

Deno.test("a CLI that ignores SIGTERM gets SIGKILL after the kill grace", async () => {
  const { result } = await runFake("ignore_term", async (clock) => {
    await clock.sleeping(IDLE);
    clock.fire(IDLE);
    await clock.sleeping(KILL);
    clock.fire(KILL);
  });
  assert.equal(result.killedBy, "idle");
  assert.deepEqual(result.exit, { code: null, signal: "SIGKILL" });
  assert.equal(result.success, true);
});

Deno.test("a hang mid-stream: the hard timeout ends it as a failure", async () => {
  const { result, events } = await runFake("hang_mid_stream", async (clock, saw) => {
    await saw("user");
    clock.fire(TIMEOUT);
  });
  assert.equal(result.success, false);
  assert.equal(result.reason, "timeout");
  assert.equal(result.killedBy, "timeout");
  assert.equal(result.result, null);
  assert.equal(result.exit.signal, "SIGTERM");
  assert.equal(result.sessionId, "5f0c1c2e-8a4b-4d1e-9f3a-2b6c7d8e9f01");
  assert.deepEqual(events.map((e) => e.type), ["system", "assistant", "user"]);
});

Deno.test("garbage lines are logged but not parsed; the run still succeeds", async () => {
  const { result, events, lines } = await runFake("garbage");
  assert.equal(result.reason, "success");
  assert.equal(lines.length, 9);
  assert.ok(lines.includes("Loading configuration…"));
  assert.deepEqual(events.map((e) => e.type), ["system", "other", "assistant", "result"]);
});

Deno.test("a background child of the CLI is ended with it (no orphan)", async () => {
  const { result, pids } = await runFake("background_child");
  assert.equal(result.reason, "success");
  assert.equal(pids.length, 2, "the fake reported its background child");
});

Deno.test("a child that left the process group (its own session) is found by the run marker and ended", async () => {
  const { result, pids } = await runFake("escaped_child");
  assert.equal(result.reason, "success");
  assert.equal(pids.length, 2, "the fake reported its escaped child");
  assert.equal(result.stragglers, 1);
});

Deno.test("a secret the CLI prints reaches no callback and no stderr tail", async () => {
  const redactor = new Redactor();
  const env = { ANTHROPIC_API_KEY: "sk-leaky-secret-4711" };
  redactor.addFromEnv(env);
  const { result, lines, stderr } = await runFake("leak_secret", undefined, {
    redact: (text) => redactor.redact(text),
    fakeEnv: { ...env, FAKE_CLAUDE_LEAK: "ANTHROPIC_API_KEY" },
  });
  assert.equal(result.reason, "success");
  const seen = [...lines, ...stderr, result.stderrTail].join("\n");
  assert.doesNotMatch(seen, /sk-leaky-secret-4711/);
  assert.match(seen, /debug: using key \*\*\*/);
  assert.match(seen, /the key is \*\*\*/);
});

Deno.test("a stop request ends the run as stopped", async () => {
  const stop = new AbortController();
  const { result } = await runFake("hang_mid_stream", async (_clock, saw) => {
    await saw("user");
    stop.abort();
  }, { signal: stop.signal });
  assert.equal(result.reason, "stopped");
  assert.equal(result.killedBy, "stopped");
  assert.equal(result.success, false);
});

/** A CLI that does not exist: spawning it fails. */
const MISSING_CLI: ClaudeRunOptions = {
  command: "/nonexistent/claude",
  args: [],
  cwd: "/",
  env: {},
  timeoutMs: 1000,
  idleGraceMs: 0,
};

Deno.test("a stop requested before the start spawns nothing", async () => {
  const stop = new AbortController();
  stop.abort();
  const result = await runClaude({ ...MISSING_CLI, signal: stop.signal });
  assert.equal(result.reason, "stopped");
});

Deno.test("a CLI that cannot be started is spawn_failed, one line", async () => {
  const result = await runClaude(MISSING_CLI);
  assert.equal(result.reason, "spawn_failed");
  assert.equal(result.success, false);
  assert.match(result.stderrTail, /^Cannot run "\/nonexistent\/claude": /);
  assert.doesNotMatch(result.stderrTail, /\n/);
});

Deno.test("with the real clock, a tiny timeout ends a hung CLI within its bound", async () => {
  const started = Date.now();
  const result = await runClaude({
    command: FAKE,
    args: [],
    cwd: "/",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", FAKE_CLAUDE_MODE: "hang_mid_stream" },
    timeoutMs: 300,
    idleGraceMs: 100,
    killGraceMs: 100,
  });
  assert.equal(result.reason, "timeout");
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.ok(result.durationMs >= 300);
});

Deno.test("a throwing onEvent ends the child at once and the error reaches the caller", async () => {
  await assert.rejects(
    runFake("hang_mid_stream", undefined, {
      onEvent: () => {
        throw new Error("callback broke");
      },
    }),
    /callback broke/,
  );
});

Deno.test("bad durations are refused up front", async () => {
  const base = { command: FAKE, args: [], cwd: "/", env: {}, timeoutMs: 1, idleGraceMs: 1 };
  await assert.rejects(runClaude({ ...base, timeoutMs: 0 }), /timeoutMs must be/);
  await assert.rejects(runClaude({ ...base, idleGraceMs: -1 }), /idleGraceMs must be/);
  await assert.rejects(runClaude({ ...base, killGraceMs: Number.NaN }), /killGraceMs must be/);
});

Deno.test("claudeArgs: -p, stream-json, verbose, model, resume, max turns, permissions, then -- and the prompt", () => {
  assert.deepEqual(claudeArgs({ prompt: "p" }), [
    "-p",
    "--output-format",
    "stream-json",
    "--verbose",
    "--",
    "p",
  ]);
  assert.deepEqual(
    claudeArgs({
      prompt: "--settings={}",
      model: "M",
      resume: "s1",
      maxTurns: 5,
      skipPermissions: true,
      extra: ["--include-partial-messages"],
    }).slice(4),
    [
      "--model",
      "M",
      "--resume",
      "s1",
      "--max-turns",
      "5",
      "--dangerously-skip-permissions",
      "--include-partial-messages",
      "--",
      "--settings={}",
    ],
  );
  assert.throws(() => claudeArgs({ prompt: "p", maxTurns: 0 }), RangeError);
});

Deno.test("under Bun (the shipped runtime) too: reasons, watchdog, timeout, no orphan", async () => {
  const bun = fileURLToPath(new URL("../../node_modules/bun/bin/bun.exe", import.meta.url));
  const probe = fileURLToPath(new URL("./testdata/run_probe.ts", import.meta.url));
  const child = spawnChild(bun, [probe], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  assert.deepEqual(await child.exited, { code: 0, signal: null }, err);
  const ok = (exit: unknown, killedBy: string | null, pids = 1) => ({
    reason: "success",
    exit,
    killedBy,
    pids,
    alive: [],
  });
  assert.deepEqual(JSON.parse(out), {
    success: ok({ code: 0, signal: null }, null),
    background_child: ok({ code: 0, signal: null }, null, 2),
    hang_after_result: ok({ code: null, signal: "SIGTERM" }, "idle"),
    ignore_term: ok({ code: null, signal: "SIGKILL" }, "idle"),
    hang_mid_stream: {
      reason: "timeout",
      exit: { code: null, signal: "SIGTERM" },
      killedBy: "timeout",
      pids: 1,
      alive: [],
    },
  });
});
