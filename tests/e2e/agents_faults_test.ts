/**
 * The dev poll cycle on the compiled binary with the faithful fake CLI in
 * each of its failure modes (tests/fixtures/fake_claude.sh). Whatever the
 * CLI does, the issue ends as SPEC §6.2 wants: a run whose final result
 * succeeded gives a pull request (even when the CLI then exits non-zero, mixes
 * garbage into its output or hangs after the result until the idle watchdog
 * ends it); a run without a successful result (an error result, too many
 * turns, a crash, a hang mid-stream until the hard timeout) releases the
 * issue to the backlog. In every mode no process of the run is left and no
 * secret of the factory reaches the output or the run log.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseEnv } from "../../core/config/env_file.ts";
import { runBinary } from "../helpers/binary.ts";
import { startEmulator } from "../helpers/emulator.ts";
import { adminCall, backlogIssue } from "../helpers/emulator_api.ts";

const FAKE = fileURLToPath(new URL("../fixtures/fake_claude.sh", import.meta.url));

interface Case {
  mode: string;
  /** "pr": a pull request from fix/issue-1; "released": back in the backlog, unassigned. */
  expect: "pr" | "released";
  env?: Record<string, string>;
}

const CASES: Case[] = [
  { mode: "exit_nonzero", expect: "pr" },
  { mode: "garbage", expect: "pr" },
  { mode: "hang_after_result", expect: "pr", env: { CLAUDE_IDLE_GRACE: "0.2" } },
  { mode: "background_child", expect: "pr" },
  { mode: "escaped_child", expect: "pr" },
  { mode: "leak_secret", expect: "pr", env: { FAKE_CLAUDE_LEAK: "FORGE_TOKEN" } },
  { mode: "is_error", expect: "released" },
  { mode: "max_turns", expect: "released" },
  { mode: "no_result", expect: "released" },
  { mode: "hang_mid_stream", expect: "released", env: { CLAUDE_TIMEOUT: "1" } },
];

/** Alive and not a zombie (a zombie has exited; only its parent's wait is missing). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && !/^\d+ \(.*\) Z /.test(stat);
}

async function folderText(dir: string): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return (await Promise.all(names.map((n) => readFile(join(dir, n), "utf8")))).join("\n");
}

for (const { mode, expect, env } of CASES) {
  Deno.test(`dev poll on the binary, fake CLI "${mode}": ${expect}, no process left, no secret shown`, async () => {
    const emulator = await startEmulator();
    const dir = await mkdtemp(join(tmpdir(), `disinto-e2e-faults-${mode}-`));
    const root = join(dir, "factory");
    await mkdir(root);
    const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir };
    try {
      const init = await runBinary(
        ["--root", root, "init", "acme/app", "--forge-url", emulator.url, "--yes"],
        { env: { ...base, FORGE_ADMIN_PASS: emulator.admin.pass } },
      );
      assert.equal(init.code, 0, init.stderr);
      await backlogIssue(emulator, "acme/app", "Task");

      const pidFile = join(dir, "fake.pids");
      const poll = await runBinary(["--root", root, "agents", "poll", "dev", "--once"], {
        env: {
          ...base,
          CLAUDE_BIN: FAKE,
          FAKE_CLAUDE_MODE: mode,
          FAKE_CLAUDE_PIDFILE: pidFile,
          FAKE_CLAUDE_WRITE_FILE: "task.txt",
          FAKE_CLAUDE_WRITE_TEXT: "done",
          ...env,
        },
        timeoutMs: 30_000,
      });
      assert.equal(poll.code, 0, poll.stdout + poll.stderr);

      const issue = await adminCall(emulator, "GET", "/repos/acme/app/issues/1");
      const pulls = await adminCall(emulator, "GET", "/repos/acme/app/pulls?state=open");
      if (expect === "pr") {
        assert.deepEqual(pulls.map((p: { head: { ref: string } }) => p.head.ref), [
          "fix/issue-1",
        ], poll.stdout);
        assert.deepEqual(issue.assignees.map((a: { login: string }) => a.login), ["dev-bot"]);
      } else {
        assert.deepEqual(pulls, [], poll.stdout);
        assert.match(poll.stdout, /#1: released/);
        assert.deepEqual(issue.labels.map((l: { name: string }) => l.name), ["backlog"]);
        assert.deepEqual(issue.assignees ?? [], []);
      }

      const pids = (await readFile(pidFile, "utf8")).split("\n").filter(Boolean).map(Number);
      assert.ok(pids.length >= 1, "the fake wrote its pid");
      for (const pid of pids) assert.equal(await alive(pid), false, `pid ${pid} of ${pids} lives`);

      const secrets = [...parseEnv(await readFile(join(root, ".env"), "utf8"))]
        .filter(([key]) => /TOKEN|PASS/.test(key))
        .map(([, value]) => value);
      const logs = await folderText(join(root, "state", "agent-runs"));
      assert.ok(logs.length > 0, "a run log is kept");
      for (const text of [poll.stdout, poll.stderr, logs]) {
        for (const secret of secrets) assert.ok(!text.includes(secret), "a secret is shown");
      }
    } finally {
      await emulator.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
