/**
 * A chat turn with the real claude CLI against the model emulator: the
 * user's message is the prompt and nothing else, even when it looks like an
 * option of the CLI (`--settings=…` with a hook would run a command).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  claudeBinary,
  claudeEnvFor,
  startModelEmulator,
} from "../../tests/helpers/model_emulator.ts";
import { claudeTurnRunner } from "./claude_turn.ts";

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
    const configDir = join(dir, "claude-chat");
    const texts: string[] = [];
    const turn = await claudeTurnRunner({
      bin: claudeBinary,
      configDir,
      model: "claude-test",
      timeoutMs: 60_000,
      env: claudeEnvFor(model.url, configDir),
    })({
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
