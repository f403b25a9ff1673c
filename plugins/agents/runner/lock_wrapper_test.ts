import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { claudeArgs, runClaude } from "../../../core/agent/claude_run.ts";
import { ManualClock } from "../../../core/agent/testdata/manual_clock.ts";
import type { AgentInvocation, AgentRunner } from "../../../core/plugin.ts";
import { settleAbandonedWaits } from "../../../core/runtime/mod.ts";
import { startChild } from "../../../tests/helpers/child.ts";
import { outcomeWithoutRun } from "./claude_runner.ts";
import { lockWrapper } from "./lock_wrapper.ts";
import { FAKE_CLAUDE, invocation, withRoot } from "./testdata/invocation.ts";

const LOCAL = { ANTHROPIC_API_KEY: "sk-no-key-required", ANTHROPIC_BASE_URL: "http://llama:8080" };

/**
 * A base runner that records when each run starts and ends; a run named in
 * `held` stays inside until the test releases it.
 */
function recordingRunner(trace: string[]) {
  const held = new Map<string, PromiseWithResolvers<void>>();
  const started = new Map<string, PromiseWithResolvers<void>>();
  const startOf = (name: string) => {
    if (!started.has(name)) started.set(name, Promise.withResolvers<void>());
    return started.get(name)!;
  };
  const runner: AgentRunner = async (inv) => {
    trace.push(`${inv.prompt} start`);
    startOf(inv.prompt).resolve();
    await held.get(inv.prompt)?.promise;
    trace.push(`${inv.prompt} end`);
    return outcomeWithoutRun("success", inv.prompt);
  };
  const hold = (name: string) => {
    const gate = Promise.withResolvers<void>();
    held.set(name, gate);
    return () => gate.resolve();
  };
  /** Resolves once the run named `name` is inside (holding its lock). */
  const entered = (name: string) => startOf(name).promise;
  return { runner, hold, entered };
}

/** An invocation whose progress lines are kept, and a promise for the first "waiting" line. */
function watched(inv: AgentInvocation) {
  const lines: string[] = [];
  const waiting = Promise.withResolvers<void>();
  const progress = (line: string) => {
    lines.push(line);
    if (line.startsWith("waiting for")) waiting.resolve();
  };
  return { inv: { ...inv, progress }, lines, waiting: waiting.promise };
}

/** flock(1) holding `file` from another process until stopped. */
async function holdWithFlock(file: string) {
  const holder = startChild("sh", [
    "-c",
    'exec 9>>"$1"; flock -x 9; echo held; exec sleep 60',
    "h",
    file,
  ]);
  await holder.waitForLine(/^held$/);
  return holder;
}

for (
  const [label, env] of [
    ["the shared OAuth login", {}],
    ["a local model server", LOCAL],
  ] as const
) {
  Deno.test(`${label}: two runs on the same backend serialize`, async () => {
    await withRoot(async (root) => {
      const trace: string[] = [];
      const { runner, hold, entered } = recordingRunner(trace);
      const wrapped = lockWrapper()(runner);
      const releaseA = hold("A");
      const a = wrapped(invocation(root, env, { prompt: "A" }));
      await entered("A");
      const b = watched(invocation(root, env, { prompt: "B" }));
      const bDone = wrapped(b.inv);
      await b.waiting; // B found the lock taken...
      assert.deepEqual(trace, ["A start"]); // ...and did not start
      releaseA();
      await Promise.all([a, bDone]);
      assert.deepEqual(trace, ["A start", "A end", "B start", "B end"]);
      assert.match(
        b.lines[0] ?? "",
        /^waiting for the (session|backend) lock .*\(another run holds it; up to 600 s\)$/,
      );
    });
  });
}

Deno.test("local models on two servers do not wait for each other", async () => {
  await withRoot(async (root) => {
    const trace: string[] = [];
    const { runner, hold, entered } = recordingRunner(trace);
    const wrapped = lockWrapper()(runner);
    const releaseA = hold("A");
    const a = wrapped(invocation(root, LOCAL, { prompt: "A" }));
    await entered("A");
    const other = { ...LOCAL, ANTHROPIC_BASE_URL: "http://llama-2:8080" };
    await wrapped(invocation(root, other, { prompt: "B" })); // finishes while A is inside
    assert.deepEqual(trace, ["A start", "B start", "B end"]);
    releaseA();
    await a;
  });
});

Deno.test("session.lock held by another process (flock(1), another container) makes the run wait", async () => {
  await withRoot(async (root) => {
    const inv = invocation(root);
    const lockFile = join(inv.env.CLAUDE_CONFIG_DIR!, "session.lock");
    await mkdir(inv.env.CLAUDE_CONFIG_DIR!, { recursive: true });
    const holder = await holdWithFlock(lockFile);
    const trace: string[] = [];
    const { runner } = recordingRunner(trace);
    const run = watched({ ...inv, prompt: "R" });
    const done = lockWrapper()(runner)(run.inv);
    await run.waiting;
    assert.deepEqual(trace, []);
    assert.ok(run.lines[0]?.includes(lockFile));
    await holder.stop("SIGTERM");
    assert.equal((await done).detail, "R");
    assert.deepEqual(trace, ["R start", "R end"]);
    await settleAbandonedWaits();
  });
});

Deno.test("a lock not free within CLAUDE_LOCK_TIMEOUT: lock_timeout, and the agent never runs", async () => {
  await withRoot(async (root) => {
    const inv = invocation(root, { CLAUDE_LOCK_TIMEOUT: "0.2" });
    await mkdir(inv.env.CLAUDE_CONFIG_DIR!, { recursive: true });
    const holder = await holdWithFlock(join(inv.env.CLAUDE_CONFIG_DIR!, "session.lock"));
    try {
      const trace: string[] = [];
      const outcome = await lockWrapper()(recordingRunner(trace).runner)(inv);
      assert.equal(outcome.success, false);
      assert.equal(outcome.reason, "lock_timeout");
      assert.match(outcome.detail, /was not free within 0\.2 s \(CLAUDE_LOCK_TIMEOUT\)$/);
      assert.deepEqual(trace, []);
    } finally {
      await holder.stop("SIGTERM");
      await settleAbandonedWaits();
    }
  });
});

Deno.test("a stop while waiting for the lock ends the wait: stopped, no run", async () => {
  await withRoot(async (root) => {
    const trace: string[] = [];
    const { runner, hold, entered } = recordingRunner(trace);
    const wrapped = lockWrapper()(runner);
    const releaseA = hold("A");
    const a = wrapped(invocation(root, {}, { prompt: "A" }));
    await entered("A");
    const stop = new AbortController();
    const b = watched(invocation(root, {}, { prompt: "B", signal: stop.signal }));
    const bDone = wrapped(b.inv);
    await b.waiting;
    stop.abort();
    const outcome = await bDone;
    assert.equal(outcome.reason, "stopped");
    releaseA();
    await a;
    assert.deepEqual(trace, ["A start", "A end"]);
    await settleAbandonedWaits();
  });
});

Deno.test("a waiting run says it is still waiting, every progress interval", async () => {
  await withRoot(async (root) => {
    const trace: string[] = [];
    const { runner, hold, entered } = recordingRunner(trace);
    const clock = new ManualClock();
    const wrapped = lockWrapper({ clock, progressEveryMs: 30_000 })(runner);
    const releaseA = hold("A");
    const a = wrapped(invocation(root, {}, { prompt: "A" }));
    await entered("A");
    const b = watched(invocation(root, {}, { prompt: "B" }));
    const bDone = wrapped(b.inv);
    await b.waiting;
    await clock.sleeping(30_000);
    clock.fire(30_000);
    await clock.sleeping(30_000);
    clock.fire(30_000);
    await clock.sleeping(30_000);
    assert.match(b.lines[1] ?? "", /^still waiting for .*session\.lock \(30 s\)$/);
    assert.match(b.lines[2] ?? "", /\(60 s\)$/);
    releaseA();
    await Promise.all([a, bDone]);
    assert.deepEqual(clock.pending(), [], "the progress timer is cancelled once the lock is held");
  });
});

Deno.test("no lock: an API key against Anthropic, and chat-style runs, never wait on session.lock", async () => {
  await withRoot(async (root) => {
    const inv = invocation(root);
    await mkdir(inv.env.CLAUDE_CONFIG_DIR!, { recursive: true });
    const holder = await holdWithFlock(join(inv.env.CLAUDE_CONFIG_DIR!, "session.lock"));
    try {
      const trace: string[] = [];
      const run = watched({
        ...inv,
        prompt: "K",
        env: { ...inv.env, ANTHROPIC_API_KEY: "sk-ant-1" },
      });
      await lockWrapper()(recordingRunner(trace).runner)(run.inv);
      assert.deepEqual(trace, ["K start", "K end"]);
      assert.deepEqual(run.lines, []);
      // The chat calls runClaude directly: no lock at all.
      const chat = await runClaude({
        command: FAKE_CLAUDE,
        args: claudeArgs({ prompt: "hi" }),
        cwd: root,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        timeoutMs: 10_000,
        idleGraceMs: 1_000,
      });
      assert.equal(chat.reason, "success");
    } finally {
      await holder.stop("SIGTERM");
    }
  });
});
