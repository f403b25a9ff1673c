import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BadInputError } from "../../../core/errors.ts";
import { waitGone } from "../../../core/runtime/testdata/process_gone.ts";
import { claudeRunner } from "./claude_runner.ts";
import { FAKE_CLAUDE, invocation, withRoot } from "./testdata/invocation.ts";

/** The run log's lines, parsed (every line must be JSON). */
async function logLines(path: string | null): Promise<Record<string, unknown>[]> {
  assert.ok(path);
  return (await readFile(path, "utf8")).trimEnd().split("\n").map((line) => JSON.parse(line));
}

Deno.test("a successful run: outcome, CLI arguments, child environment and run log", async () => {
  await withRoot(async (root) => {
    const args = join(root, "args");
    const envNames = join(root, "env");
    const outcome = await claudeRunner()(invocation(root, {
      CLAUDE_MODEL: "qwen",
      FAKE_CLAUDE_ARGS_FILE: args,
      FAKE_CLAUDE_ENV_FILE: envNames,
      FORGE_TOKEN: "own-token-123456",
      FORGE_ADMIN_PASS: "admin-pass-123456",
      ANTHROPIC_API_KEY: "", // empty: still the OAuth login
      ANTHROPIC_BASE_URL: "http://stale:8080",
    }));
    assert.equal(outcome.success, true);
    assert.equal(outcome.reason, "success");
    assert.equal(outcome.sessionId, "5f0c1c2e-8a4b-4d1e-9f3a-2b6c7d8e9f01");
    assert.equal(outcome.costUsd, 0.00042);
    assert.equal(outcome.turns, 1);
    assert.equal(outcome.resultText, "Done.");
    assert.match(outcome.detail, /^agent succeeded \[1 turn, \$0\.0004, \d+ s\]$/);
    assert.deepEqual((await readFile(args, "utf8")).trimEnd().split("\n"), [
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model",
      "qwen",
      "--dangerously-skip-permissions",
      "--",
      "Fix issue 7",
    ]);
    const names = (await readFile(envNames, "utf8")).split("\n");
    assert.ok(names.includes("FORGE_TOKEN"));
    assert.ok(names.includes("CLAUDE_CONFIG_DIR"));
    for (const gone of ["FORGE_ADMIN_PASS", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"]) {
      assert.ok(!names.includes(gone), `${gone} reached the CLI`);
    }
    assert.match(outcome.logPath ?? "", /\/state\/agent-runs\/\d{8}T\d{6}Z-dev-7\.ndjson$/);
    assert.equal((await stat(outcome.logPath!)).mode & 0o777, 0o600);
    const lines = await logLines(outcome.logPath);
    assert.deepEqual(lines.map((l) => l.type), [
      "disinto_run",
      "system",
      "assistant",
      "result",
      "disinto_summary",
    ]);
    assert.deepEqual(
      { ...lines.at(-1), duration_ms: 0 },
      {
        type: "disinto_summary",
        success: true,
        reason: "success",
        session_id: "5f0c1c2e-8a4b-4d1e-9f3a-2b6c7d8e9f01",
        total_cost_usd: 0.00042,
        num_turns: 1,
        input_tokens: 10,
        output_tokens: 5,
        duration_ms: 0,
        exit_code: 0,
        signal: null,
        killed_by: null,
        stragglers: 0,
      },
    );
  });
});

Deno.test("a secret the CLI prints is redacted in the log and the outcome", async () => {
  await withRoot(async (root) => {
    const outcome = await claudeRunner()(invocation(root, {
      FORGE_TOKEN: "forge-secret-token-99",
      FAKE_CLAUDE_MODE: "leak_secret",
      FAKE_CLAUDE_LEAK: "FORGE_TOKEN",
      FAKE_CLAUDE_RESULT: "I used forge-secret-token-99",
    }));
    assert.equal(outcome.reason, "success");
    assert.equal(outcome.resultText, "I used ***");
    const log = await readFile(outcome.logPath!, "utf8");
    assert.doesNotMatch(log + JSON.stringify(outcome), /forge-secret-token-99/);
    assert.match(log, /"disinto_stderr","line":"debug: using key \*\*\*"/);
    assert.match(log, /the key is \*\*\*/);
    assert.equal((await logLines(outcome.logPath)).at(-1)?.type, "disinto_summary");
  });
});

Deno.test("failures: each reason, a one-line detail, a summary in the log", async () => {
  await withRoot(async (root) => {
    const cases = [
      {
        mode: "is_error",
        reason: "error_result",
        detail: /failed \(error_result\): API Error: 500/,
      },
      {
        mode: "max_turns",
        reason: "error_result",
        detail: /failed \(error_result\): error_max_turns/,
      },
      { mode: "no_result", reason: "no_result", detail: /crashed before any result/ },
      { mode: "hang_mid_stream", reason: "timeout", detail: /hard timeout \(CLAUDE_TIMEOUT\)/ },
    ];
    for (const c of cases) {
      const pidfile = join(root, `${c.mode}.pids`);
      const outcome = await claudeRunner({ timeoutMs: 300, killGraceMs: 100 })(
        invocation(root, { FAKE_CLAUDE_MODE: c.mode, FAKE_CLAUDE_PIDFILE: pidfile }),
      );
      assert.equal(outcome.success, false, c.mode);
      assert.equal(outcome.reason, c.reason, c.mode);
      assert.match(outcome.detail, c.detail);
      assert.doesNotMatch(outcome.detail, /\n/);
      const summary = (await logLines(outcome.logPath)).at(-1);
      assert.equal(summary?.reason, c.reason);
      const pids = (await readFile(pidfile, "utf8")).split("\n").filter(Boolean).map(Number);
      assert.deepEqual(await waitGone(pids), [], c.mode);
    }
  });
});

Deno.test("a --resume session and the invocation's model reach the CLI", async () => {
  await withRoot(async (root) => {
    const args = join(root, "args");
    const outcome = await claudeRunner({ skipPermissions: false })(
      invocation(root, { FAKE_CLAUDE_ARGS_FILE: args, CLAUDE_MODEL: "ignored" }, {
        resume: "earlier-session",
        model: "opus",
      }),
    );
    assert.equal(outcome.sessionId, "earlier-session");
    assert.deepEqual((await readFile(args, "utf8")).trimEnd().split("\n").slice(4), [
      "--model",
      "opus",
      "--resume",
      "earlier-session",
      "--",
      "Fix issue 7",
    ]);
  });
});

Deno.test("a bad CLAUDE_TIMEOUT is bad input naming the variable, and nothing runs", async () => {
  await withRoot(async (root) => {
    await assert.rejects(
      claudeRunner()(invocation(root, { CLAUDE_TIMEOUT: "soon" })),
      (error: unknown) =>
        error instanceof BadInputError &&
        /^CLAUDE_TIMEOUT: "soon" is not a duration/.test(error.message),
    );
  });
});

Deno.test("a prompt too long for argv reaches the CLI through a file, removed after the run", async () => {
  await withRoot(async (root) => {
    const long = `Fix issue 7.\n${"context line\n".repeat(20_000)}`; // ~260 KB > MAX_ARG_STRLEN
    assert.ok(new TextEncoder().encode(long).length > 128 * 1024);
    // A CLI that keeps what the file held while it ran, then behaves as the fake.
    const cli = join(root, "cli.sh");
    await writeFile(
      cli,
      `#!/bin/sh\nfor last; do :; done\nfile=$(printf '%s' "$last" | sed -n 's/.*in the file \\(.*\\.prompt\\.md\\).*/\\1/p')\n` +
        `cp "$file" "${join(root, "seen.md")}"\nexec "${FAKE_CLAUDE}" "$@"\n`,
      { mode: 0o755 },
    );
    const args = join(root, "args");
    const outcome = await claudeRunner({ command: cli })(
      invocation(root, { FAKE_CLAUDE_ARGS_FILE: args }, { prompt: long }),
    );
    assert.equal(outcome.success, true, outcome.detail);
    const passed = (await readFile(args, "utf8")).trimEnd().split("\n").at(-1)!;
    assert.match(passed, /^Your instructions are too long .* in the file .*\.prompt\.md\. Read/);
    assert.equal(await readFile(join(root, "seen.md"), "utf8"), long);
    const file = /in the file (.*\.prompt\.md)\./.exec(passed)![1]!;
    await assert.rejects(readFile(file), "the prompt file is removed after the run");

    const short = await claudeRunner()(invocation(root, { FAKE_CLAUDE_ARGS_FILE: args }));
    assert.equal(short.success, true);
    assert.equal((await readFile(args, "utf8")).trimEnd().split("\n").at(-1), "Fix issue 7");
  });
});
