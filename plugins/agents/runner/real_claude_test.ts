/**
 * The whole runner chain (backend lock wrapper around claudeRunner) with the
 * REAL claude CLI against the model emulator, offline: the agent writes a
 * file and leaves a background process behind; the outcome, the run log, the
 * lock file and the absence of any leftover process are checked.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { backendLockName } from "../../../core/agent/backend_lock.ts";
import { buildAgentRunner } from "../../../core/agent/runner_chain.ts";
import { waitGone } from "../../../core/runtime/testdata/process_gone.ts";
import {
  claudeBinary,
  claudeEnvFor,
  startModelEmulator,
} from "../../../tests/helpers/model_emulator.ts";
import { claudeRunner } from "./claude_runner.ts";
import { backendLockWrapper } from "./lock_wrapper.ts";
import { invocation, withRoot } from "./testdata/invocation.ts";

const KEY = "sk-model-runner-key-31337";

const SCRIPT = `
models = ["claude-test"]
api_key = "${KEY}"

[[conversations]]
match = "issue 7"
final_text = "Fixed: fix.txt written."

[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Write"
input = { file_path = "{{cwd}}/fix.txt", content = "fixed\\n" }

[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Bash"
input = { command = "tail -f /dev/null >/dev/null 2>&1 & echo $! > straggler.pid", description = "Start a straggler" }
`;

Deno.test("the real CLI through the chain: success, session, cost, run log, lock, no straggler", async () => {
  await withRoot(async (root) => {
    const emulator = await startModelEmulator(SCRIPT);
    try {
      const config = join(root, "claude-local");
      await mkdir(config);
      const env = {
        ...claudeEnvFor(emulator.url, config, { apiKey: KEY }),
        CLAUDE_BIN: claudeBinary,
      };
      const runner = buildAgentRunner(
        [{ name: "runner", description: "", hooks: { wrapAgentRun: backendLockWrapper } }],
        claudeRunner({ idleGraceMs: 2_000 }),
      );
      const outcome = await runner(invocation(root, env, { model: "claude-test" }));
      const log = await readFile(outcome.logPath!, "utf8");
      assert.equal(outcome.success, true, log);
      assert.equal(outcome.reason, "success");
      assert.equal(outcome.resultText, "Fixed: fix.txt written.");
      assert.equal(outcome.turns, 3);
      assert.ok((outcome.costUsd ?? -1) >= 0);
      assert.equal(await readFile(join(root, "fix.txt"), "utf8"), "fixed\n");

      const lines = log.trimEnd().split("\n").map((line) => JSON.parse(line));
      const init = lines.find((l) => l.type === "system" && l.subtype === "init");
      assert.equal(outcome.sessionId, init.session_id);
      assert.deepEqual(lines.at(-1).type, "disinto_summary");
      assert.equal(lines.at(-1).num_turns, 3);
      // The Bash tool ran it in a session of its own: the group kill missed it, the marker did not.
      assert.equal(lines.at(-1).stragglers, 1);
      assert.doesNotMatch(log, new RegExp(KEY));

      // A local model: its lock is under state/locks, named after the server.
      assert.deepEqual(await readdir(join(root, "state", "locks")), [
        backendLockName(emulator.url),
      ]);

      const straggler = Number(
        await readFile(join(root, "straggler.pid"), "utf8").catch(() => assert.fail(log)),
      );
      assert.ok(straggler > 0);
      assert.deepEqual(
        await waitGone([straggler]),
        [],
        "the Bash tool's background job outlived the run",
      );
    } finally {
      await emulator.dispose();
    }
  });
});
