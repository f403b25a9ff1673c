/**
 * The real claude CLI (the @anthropic-ai/claude-code dev dependency) against
 * the model emulator, offline: a scripted conversation Writes a file, Edits
 * it, runs a Bash command and ends with text. The CLI really runs the tools,
 * so the files on disk prove each turn reached it in the shape it expects.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  claudeEnvFor,
  claudePrintArgs,
  runClaude,
  startModelEmulator,
} from "../../../tests/helpers/model_emulator.ts";

const SCRIPT = `
models = ["claude-test"]
api_key = "sk-model-test-key"

# Listed first, but its match is not in this prompt: it must not be chosen.
[[conversations]]
match = "review the pull request"
[[conversations.turns]]
text = "LGTM"

[[conversations]]
match = "greeting file"
final_text = "greeting.txt now says hello, world."

[[conversations.turns]]
text = "I will write the greeting."
[[conversations.turns.tool_use]]
name = "Write"
input = { file_path = "{{cwd}}/greeting.txt", content = "hello\\n" }

[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Edit"
input = { file_path = "{{cwd}}/greeting.txt", old_string = "hello", new_string = "hello, world" }

[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Bash"
input = { command = "wc -c < greeting.txt > size.txt", description = "Count the bytes" }
`;

Deno.test("the real claude CLI follows a script: Write, Edit, Bash, then a final text", async () => {
  const dir = await mkdtemp(join(tmpdir(), "model-emulator-claude-"));
  const work = join(dir, "work");
  const config = join(dir, "config");
  await mkdir(work);
  await mkdir(config);
  const emulator = await startModelEmulator(SCRIPT);
  try {
    const run = await runClaude(claudePrintArgs("Please make the greeting file."), {
      env: claudeEnvFor(emulator.url, config, { apiKey: "sk-model-test-key" }),
      cwd: work,
    });
    const context = JSON.stringify({ exit: run.exit, stderr: run.stderr, stdout: run.stdout });
    assert.deepEqual(run.exit, { code: 0, signal: null }, context);
    assert.equal(await readFile(join(work, "greeting.txt"), "utf8"), "hello, world\n");
    assert.equal((await readFile(join(work, "size.txt"), "utf8")).trim(), "13");

    const result = run.events.find((event) => event.type === "result");
    assert.equal(result?.subtype, "success", context);
    assert.equal(result?.is_error, false);
    assert.equal(result?.result, "greeting.txt now says hello, world.");

    const turns = emulator.requests.filter((r) => r.path.startsWith("/v1/messages"))
      .map((r) => r.reply);
    assert.deepEqual(turns, [
      { kind: "turn", conversation: 1, turn: 0, stop_reason: "tool_use" },
      { kind: "turn", conversation: 1, turn: 1, stop_reason: "tool_use" },
      { kind: "turn", conversation: 1, turn: 2, stop_reason: "tool_use" },
      { kind: "final", conversation: 1, turn: 3, stop_reason: "end_turn" },
    ]);
    assert.ok(emulator.requests.every((r) => r.status === 200), JSON.stringify(emulator.requests));
  } finally {
    await emulator.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("two claude CLIs at once on one emulator each get their own conversation", async () => {
  const dir = await mkdtemp(join(tmpdir(), "model-emulator-claude-"));
  const emulator = await startModelEmulator(SCRIPT);
  const run = async (name: string, prompt: string) => {
    const work = join(dir, name);
    await mkdir(join(work, "config"), { recursive: true });
    return runClaude(claudePrintArgs(prompt), {
      env: claudeEnvFor(emulator.url, join(work, "config"), { apiKey: "sk-model-test-key" }),
      cwd: work,
    });
  };
  try {
    const [dev, review] = await Promise.all([
      run("dev", "Please make the greeting file."),
      run("review", "Please review the pull request #4."),
    ]);
    const resultOf = (r: typeof dev) => r.events.find((event) => event.type === "result");
    assert.equal(resultOf(review)?.result, "LGTM", review.stderr);
    assert.equal(resultOf(dev)?.result, "greeting.txt now says hello, world.", dev.stderr);
    assert.equal(await readFile(join(dir, "dev", "greeting.txt"), "utf8"), "hello, world\n");
    const replies = emulator.requests.map((r) => r.reply);
    assert.equal(replies.filter((r) => r?.conversation === 0).length, 1);
    assert.equal(replies.filter((r) => r?.conversation === 1).length, 4);
  } finally {
    await emulator.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

const RESUME_SCRIPT = `
[[conversations]]
[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Write"
input = { file_path = "{{cwd}}/a.txt", content = "one\\n" }
[[conversations.turns]]
text = "first run done"
[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Edit"
input = { file_path = "{{cwd}}/a.txt", old_string = "one", new_string = "two" }
[[conversations.turns]]
text = "second run done"
`;

Deno.test("a resumed claude session continues the conversation after the first run's turns", async () => {
  const dir = await mkdtemp(join(tmpdir(), "model-emulator-claude-"));
  const config = join(dir, "config");
  await mkdir(config);
  const emulator = await startModelEmulator(RESUME_SCRIPT);
  const options = { env: claudeEnvFor(emulator.url, config), cwd: dir };
  try {
    const first = await runClaude(claudePrintArgs("go"), options);
    const firstResult = first.events.find((event) => event.type === "result");
    assert.equal(firstResult?.result, "first run done", first.stderr);
    const sessionId = String(firstResult?.session_id);
    const resumed = await runClaude(
      [...claudePrintArgs("fix the review"), "--resume", sessionId],
      options,
    );
    const result = resumed.events.find((event) => event.type === "result");
    assert.deepEqual([result?.subtype, result?.result], ["success", "second run done"]);
    assert.equal(await readFile(join(dir, "a.txt"), "utf8"), "two\n");
    assert.deepEqual(emulator.requests.map((r) => r.reply?.turn), [0, 1, 2, 3]);
  } finally {
    await emulator.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
