/**
 * A chat turn with the real claude CLI against the model emulator: the
 * user's message is the prompt and nothing else, even when it looks like an
 * option of the CLI (`--settings=…` with a hook would run a command).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  claudeBinary,
  claudeEnvFor,
  startModelEmulator,
} from "../../tests/helpers/model_emulator.ts";
import { startHeldModel, until } from "./_test_kit.ts";
import { claudeTurnRunner } from "./claude_turn.ts";

/** The chat's turn runner on the real claude CLI, its config in `dir`, against `modelUrl`. */
function realClaudeRunner(modelUrl: string, dir: string) {
  const configDir = join(dir, "claude-chat");
  return claudeTurnRunner({
    bin: claudeBinary,
    configDir,
    model: "claude-test",
    timeoutMs: 60_000,
    env: claudeEnvFor(modelUrl, configDir),
  });
}

Deno.test("claude turn: a message that looks like an option is the prompt, not an option", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chat-turn-"));
  const model = await startModelEmulator({
    models: ["claude-test"],
    conversations: [{ name: "any", turns: [{ text: "Just text to me." }] }],
  });
  try {
    const marker = join(dir, "hook-ran");
    const hook = { type: "command", command: `touch ${marker}` };
    const message = `--settings=${
      JSON.stringify({ hooks: { SessionStart: [{ hooks: [hook] }] } })
    }`;
    const texts: string[] = [];
    const turn = await realClaudeRunner(model.url, dir)({
      user: "alice",
      prompt: message,
      resume: null,
      cwd: dir,
      signal: new AbortController().signal,
      onText: (text) => texts.push(text),
    });
    assert.equal(await stat(marker).then(() => "ran", () => "not run"), "not run");
    assert.equal(turn.outcome, "done", turn.message);
    assert.equal(texts.join(""), "Just text to me.");
    const asked = model.requests.filter((r) => r.path.startsWith("/v1/messages")).map((r) =>
      r.body
    );
    assert.ok(asked.some((body) => JSON.stringify(body).includes("--settings=")));
  } finally {
    await model.dispose();
    await rm(dir, { recursive: true });
  }
});

Deno.test("claude turn: a reply stopped before its result still counts the tokens already used", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chat-turn-"));
  // The first answer reads a file; the model's second answer is held until the stop.
  await writeFile(join(dir, "notes.txt"), "hold the second answer\n");
  const model = await startHeldModel({
    models: ["claude-test"],
    conversations: [{
      name: "any",
      turns: [
        {
          tool_use: [{ name: "Read", input: { file_path: "{{cwd}}/notes.txt" } }],
          usage: { input_tokens: 1000, output_tokens: 50 },
        },
        { text: "Never seen." },
      ],
    }],
  }, "hold the second answer");
  try {
    const stop = new AbortController();
    const running = realClaudeRunner(model.url, dir)({
      user: "alice",
      prompt: "read the notes",
      resume: null,
      cwd: dir,
      signal: stop.signal,
      onText: () => {},
    });
    await until("the second answer held", () => Promise.resolve(model.holding() || undefined));
    stop.abort();
    const turn = await running;
    assert.equal(turn.outcome, "stopped");
    assert.equal(turn.tokens, 1050);
  } finally {
    await model.dispose();
    await rm(dir, { recursive: true });
  }
});
