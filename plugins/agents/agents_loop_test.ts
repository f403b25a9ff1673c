/**
 * `disinto agents run|poll` as a command, against the emulator: the idle
 * request budget, other agents' issues and non-dev labels left alone, SIGTERM
 * finishing the step, the PID lock, enable flags and bad input.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import type { Clock } from "../../core/context.ts";
import { newUser } from "../../tests/helpers/emulator_api.ts";
import { agentsKit, editWorktree, fakeAgent, outcome, SLUG } from "./_agents_kit.ts";
import { pollerLockFile } from "./commands/agents.ts";

const apiRequests = (kit: { h: { emulator: { requestLog(): { path: string }[] } } }) =>
  kit.h.emulator.requestLog().filter((entry) => entry.path.startsWith("/api/"));

Deno.test("an idle dev cycle costs 3 forge requests, with others' and non-dev issues around, and touches nothing", async () => {
  const kit = await agentsKit();
  try {
    await newUser(kit.h.emulator, "alice");
    await kit.h.adminApi("PUT", `/repos/${SLUG}/collaborators/alice`, { permission: "write" });
    const theirs = await kit.issue("Alice's work", ["in-progress"]);
    await kit.h.adminApi("PATCH", `/repos/${SLUG}/issues/${theirs}`, { assignees: ["alice"] });
    const vision = await kit.issue("A vision", ["backlog", "vision"]);
    const report = await kit.issue("A bug report", ["bug-report"]);
    const queued = await kit.issue("Assigned to alice", ["backlog"]);
    await kit.h.adminApi("PATCH", `/repos/${SLUG}/issues/${queued}`, { assignees: ["alice"] });
    kit.h.emulator.clearRequestLog();
    const agent = fakeAgent();
    const run = await kit.run(["agents", "poll", "dev", "--once"], { runner: agent });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /dev: cycle done: idle/);
    const requests = apiRequests(kit).map((e) => `${(e as { method?: string }).method} ${e.path}`);
    assert.equal(requests.length, 3, requests.join("\n"));
    assert.ok(requests.length <= 4);
    assert.deepEqual(kit.h.emulator.writes(), []);
    assert.equal(agent.calls.length, 0);
    for (const n of [theirs, vision, report, queued]) {
      assert.equal(kit.h.issue(SLUG, n).state, "open");
    }
    assert.deepEqual(kit.h.labelNames(SLUG, theirs), ["in-progress"]);
    assert.deepEqual(kit.h.labelNames(SLUG, vision), ["backlog", "vision"]);
  } finally {
    await kit.dispose();
  }
});

Deno.test("SIGTERM during `agents run` finishes the step (PR opened), skips the rest and exits 0", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Task");
    const stop = new AbortController();
    const agent = fakeAgent(async (invocation) => {
      stop.abort(); // the signal arrives while the agent works
      await editWorktree(invocation, "finished anyway");
      return outcome();
    });
    const run = await kit.run(["agents", "run", "--roles", "dev,review"], {
      runner: agent,
      signal: stop.signal,
    });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /stopping: signal received/);
    assert.doesNotMatch(run.stdout, /review:/, "the review role did not start");
    const [pr] = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(pr.head.ref, `fix/issue-${n}`);
    assert.deepEqual(kit.h.clock.slept.filter((ms) => ms >= 300_000), [], "no interval slept");
    assert.deepEqual(
      await readdir(join(kit.h.root, "state/agents")).then((f) =>
        f.filter((name) => name.endsWith(".pid"))
      ),
      [],
      "the PID locks are released",
    );
  } finally {
    await kit.dispose();
  }
});

Deno.test("SIGTERM that stops the agent: the issue is released, not counted as a failure, exit 0", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Task");
    const stop = new AbortController();
    const agent = fakeAgent(() => {
      stop.abort(); // the runner kills the CLI: a failed outcome
      return outcome({ success: false, reason: "stopped", detail: "stopped by a signal" });
    });
    const run = await kit.run(["agents", "run"], { runner: agent, signal: stop.signal });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`#${n}: released \\(stopped\\)`));
    assert.deepEqual(kit.h.labelNames(SLUG, n), ["backlog"]);
    const counters = await readFile(join(kit.h.root, "state/agents/app-attempts.json"), "utf8")
      .catch(() => "{}");
    assert.deepEqual(JSON.parse(counters), {});
  } finally {
    await kit.dispose();
  }
});

Deno.test("`agents run` sleeps POLL_INTERVAL between rounds; SIGTERM cuts the sleep short", async () => {
  const kit = await agentsKit();
  try {
    const stop = new AbortController();
    const slept: number[] = [];
    const clock: Clock = {
      now: kit.h.clock.now,
      sleep: (ms, signal) => {
        slept.push(ms);
        if (slept.length < 2) return kit.h.clock.sleep(ms);
        stop.abort();
        return Promise.reject(signal?.reason);
      },
    };
    const run = await kit.run(["agents", "run"], {
      clock,
      signal: stop.signal,
      env: { POLL_INTERVAL: "45", AGENT_ROLES: "dev" },
    });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(slept, [45_000, 45_000]);
    assert.equal(run.stdout.match(/dev: cycle done: idle/g)?.length, 2);
    assert.match(run.stdout, /roles dev, every 45 s/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("the PID lock refuses a second poller of the project (exit 1, one line, no forge write)", async () => {
  const kit = await agentsKit();
  try {
    await kit.issue("Task");
    const file = pollerLockFile(kit.h.root, "app", undefined);
    await mkdir(join(kit.h.root, "state/agents"), { recursive: true });
    await writeFile(file, `${process.ppid}\n`); // a live process that is not us
    kit.h.emulator.clearRequestLog();
    const run = await kit.run(["agents", "poll", "dev"]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim().split("\n").length, 1);
    assert.match(
      run.stderr,
      new RegExp(`Another poller \\(pid ${process.ppid}\\) runs project "app"`),
    );
    assert.deepEqual(kit.h.emulator.writes(), []);
  } finally {
    await kit.dispose();
  }
});

Deno.test("a local-model agent (FORGE_USER) whose token is another identity's is refused: exit 1, no write", async () => {
  const kit = await agentsKit();
  try {
    await kit.issue("Task");
    kit.h.emulator.clearRequestLog();
    const run = await kit.run(["agents", "poll", "dev"], { env: { FORGE_USER: "dev-qwen" } });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout + run.stderr,
      /token belongs to "dev-bot", not to FORGE_USER "dev-qwen"/,
    );
    assert.deepEqual(kit.h.emulator.writes(), []);
  } finally {
    await kit.dispose();
  }
});

Deno.test("enable flags: with only state/.review-active, the dev role is paused", async () => {
  const kit = await agentsKit();
  try {
    await kit.issue("Task");
    await mkdir(join(kit.h.root, "state"), { recursive: true });
    await writeFile(join(kit.h.root, "state/.review-active"), "");
    const agent = fakeAgent();
    const run = await kit.run(["agents", "run", "--once"], { runner: agent });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /dev: paused/);
    assert.match(run.stdout, /review: cycle done/);
    assert.equal(agent.calls.length, 0);
    await writeFile(join(kit.h.root, "state/.dev-active"), "");
    const resumed = await kit.run(["agents", "poll", "dev"], { runner: agent });
    assert.match(resumed.stdout, /claimed/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("bad input exits 2 with one line naming it, and writes nothing", async () => {
  const kit = await agentsKit();
  try {
    await kit.issue("Task");
    kit.h.emulator.clearRequestLog();
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ["agents", "poll", "ops"],
        {},
        /agents poll <role>: unknown role "ops"; expected one of dev, review/,
      ],
      [["agents", "run", "--roles", "dev,qa"], {}, /--roles: unknown role "qa"/],
      [["agents", "run", "--interval", "0"], {}, /--interval: "0" is not a poll interval/],
      [
        ["agents", "run", "--once"],
        { POLL_INTERVAL: "5m" },
        /POLL_INTERVAL: "5m" is not a poll interval/,
      ],
      [["agents", "run", "--once"], { AGENT_ROLES: "" }, /AGENT_ROLES: no role given/],
      [["agents", "poll", "review"], { FORGE_REVIEW_TOKEN: "" }, /FORGE_REVIEW_TOKEN: not set/],
    ];
    for (const [argv, env, expected] of cases) {
      const run = await kit.run(argv, { env });
      assert.equal(run.code, 2, `${argv.join(" ")}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.match(run.stderr, expected);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
    assert.deepEqual(kit.h.emulator.writes(), []);
    assert.deepEqual(apiRequests(kit), [], "bad input is refused before any forge request");
  } finally {
    await kit.dispose();
  }
});

Deno.test("a factory with two projects: `agents run` without --project runs each project's cycle, one failing project does not stop the other", async () => {
  const kit = await agentsKit();
  try {
    assert.equal((await kit.h.run(["init", "acme/other", "--yes"])).code, 0);
    await kit.issue("Task in app");
    await kit.h.addIssue("acme/other", "Task in other", ["backlog"]);
    const both = await kit.run(["agents", "run", "--once", "--roles", "dev"]);
    assert.equal(both.code, 0, both.stdout + both.stderr);
    assert.match(both.stdout, /agents: projects app, other, roles dev, once/);
    for (const slug of [SLUG, "acme/other"]) {
      const pulls = await kit.get(`/repos/${slug}/pulls?state=open`);
      assert.deepEqual(pulls.map((p: { head: { ref: string } }) => p.head.ref), ["fix/issue-1"]);
    }
    assert.match(both.stdout, /other: dev: #1: PR #2 open/);

    // One project's forge repo gone: its cycle fails (exit 1 with --once), the other's still runs.
    await kit.h.adminApi("DELETE", "/repos/acme/app");
    const one = await kit.run(["agents", "run", "--once", "--roles", "review"]);
    assert.equal(one.code, 1, one.stdout);
    assert.match(one.stdout, /app: review: cycle failed: /);
    assert.match(one.stdout, /other: review: cycle done: 1 reviewed/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("a forge that does not answer at first: one line per retry, then the cycle goes on", async () => {
  const kit = await agentsKit();
  try {
    let refused = 0;
    const flaky: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (refused < 2 && url.endsWith("/api/v1/user")) {
        refused++;
        return Promise.reject(new TypeError("error sending request: Connection refused"));
      }
      return fetch(input, init);
    };
    const run = await kit.run(["agents", "poll", "dev"], { fetch: flaky });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const retries = run.stdout.split("\n").filter((line) => /dev: forge GET \/user: /.test(line));
    assert.equal(retries.length, 2, run.stdout);
    assert.match(retries[0]!, /Connection refused.*; attempt 2\/6 in \d+\.\d s$/);
    assert.match(retries[1]!, /; attempt 3\/6 in /);
    assert.match(run.stdout, /dev: cycle done: idle/);
  } finally {
    await kit.dispose();
  }
});
