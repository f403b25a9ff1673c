/**
 * `disinto status` shows the agents: the project's live pollers (PID locks)
 * and how its last agent run ended, from the run logs.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { agentsKit } from "./_agents_kit.ts";
import { pollerLockFile } from "./commands/agents.ts";

const FAKE = fileURLToPath(new URL("../../tests/fixtures/fake_claude.sh", import.meta.url));

Deno.test("status: the agents' live pollers and the project's last run", async () => {
  const kit = await agentsKit();
  try {
    const before = await kit.run(["--json", "status"]);
    assert.equal(before.code, 0, before.stderr);
    assert.deepEqual(JSON.parse(before.stdout).plugins.agents, { pollers: [], last_run: null });

    await kit.issue("Task");
    const dev = await kit.run(["agents", "poll", "dev"], {
      runner: null,
      env: { CLAUDE_BIN: FAKE, FAKE_CLAUDE_MODE: "is_error" },
    });
    assert.equal(dev.code, 0, dev.stdout + dev.stderr);
    await mkdir(join(kit.h.root, "state/agents"), { recursive: true });
    await writeFile(pollerLockFile(kit.h.root, "app", "dev-qwen"), `${process.ppid}\n`);
    await writeFile(pollerLockFile(kit.h.root, "app", undefined), "999999999\n"); // dead

    const after = await kit.run(["--json", "status"]);
    const agents = JSON.parse(after.stdout).plugins.agents;
    assert.deepEqual(agents.pollers, [`dev-qwen (pid ${process.ppid})`]);
    const { ended_at, log, ...run } = agents.last_run;
    assert.deepEqual(run, {
      role: "dev",
      issue: 1,
      success: false,
      reason: "error_result",
      cost_usd: 0.00042,
      turns: 1,
    });
    assert.match(ended_at, /^\d{4}-\d\d-\d\dT/);
    assert.match(log, /^state\/agent-runs\/.*-dev-1\.ndjson$/);
    const text = await kit.run(["status"]);
    assert.match(
      text.stdout,
      /^ {2}agents: pollers \["dev-qwen \(pid \d+\)"\], last_run \{"role":"dev"/m,
    );
  } finally {
    await kit.dispose();
  }
});
