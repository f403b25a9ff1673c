import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../core/cli/run.ts";
import { type Context, testContext } from "../../../core/context.ts";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { ManualClock } from "../../../core/agent/testdata/manual_clock.ts";
import { plugins } from "../../mod.ts";
import { WAITING_NOTE_MS } from "./talk.ts";

Deno.test("disinto chat: what a web user wrote reaches the terminal without its escape sequences", async () => {
  const root = await mkdtemp(join(tmpdir(), "chat-talk-"));
  try {
    // alice's own messages, typed in the web page: a clipboard write (OSC 52), a screen clear.
    const hostile = "look\x1b]52;c;cm0gLXJmIH4=\x07 here\x1b[2J\x1b[H\r\nsecond line\tend";
    await mkdir(join(root, "state", "chat", "history"), { recursive: true });
    await writeFile(
      join(root, "state", "chat", "history", "alice.ndjson"),
      JSON.stringify({
        ts: "2025-01-01T12:00:00.000Z",
        user: "alice",
        role: "user",
        content: hostile,
      }) +
        "\n",
    );
    const context = testContext({
      argv: ["chat", "--user", "alice"],
      env: { HOME: "/home/op", CHAT_ALLOWED_USERS: "alice" },
      cwd: root,
      stdin: new ReadableStream({ start: (controller) => controller.close() }),
    });
    assert.equal(await runCli(context, plugins), 0, context.stderr.text);
    const out = context.stdout.text;
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.match(out, /you: look.* here.*\nsecond line\tend\n/);
  } finally {
    await rm(root, { recursive: true });
  }
});

const FAKE_CLAUDE = fileURLToPath(
  new URL("../../../tests/fixtures/fake_claude.sh", import.meta.url),
);

/** `disinto chat` in process at `root`, its model the fake CLI in `mode`. */
function fakeClaudeChat(
  root: string,
  mode: string,
  options: Omit<Partial<Context>, "argv" | "env" | "cwd">,
) {
  return testContext({
    argv: ["chat"],
    env: {
      HOME: root,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      CLAUDE_BIN: FAKE_CLAUDE,
      FAKE_CLAUDE_MODE: mode,
    },
    cwd: root,
    ...options,
  });
}

/** Standard input that stays open until `end()`, with `lines` typed at once. */
function typed(lines: string) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(new TextEncoder().encode(lines));
    },
  });
  return { stream, end: () => controller.close() };
}

async function until(check: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("disinto chat: while the model is silent a line every 10 s says so; Ctrl-C stops the reply", async () => {
  const root = await mkdtemp(join(tmpdir(), "chat-talk-"));
  const clock = new ManualClock();
  const input = typed("hello?\n");
  let interrupt: (() => void) | null = null;
  try {
    // hang_mid_stream: a tool turn, then nothing.
    const context = fakeClaudeChat(root, "hang_mid_stream", {
      clock,
      stdin: input.stream,
      onInterrupt: (handler) => void (interrupt = handler),
    });
    const run = runCli(context, plugins);
    for (const seconds of [10, 20]) {
      await clock.sleeping(WAITING_NOTE_MS);
      clock.fire(WAITING_NOTE_MS);
      const note = `(no answer from the model yet: ${seconds} s; Ctrl-C stops)\n`;
      await until(() => context.stdout.text.includes(note), `note after ${seconds} s`);
    }
    await until(() => interrupt !== null, "an interrupt handler");
    interrupt!();
    await until(() => context.stdout.text.includes("[reply stopped]"), "the stop");
    input.end();
    assert.equal(await run, 0, context.stderr.text);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

Deno.test("disinto chat: a failed reply makes the exit code 1 (a script piping questions sees it)", async () => {
  const root = await mkdtemp(join(tmpdir(), "chat-talk-"));
  try {
    const context = fakeClaudeChat(root, "no_result", {
      stdin: new ReadableStream({
        start: (c) => {
          c.enqueue(new TextEncoder().encode("hello?\n"));
          c.close();
        },
      }),
    });
    assert.equal(await runCli(context, plugins), 1, context.stdout.text);
    assert.match(context.stdout.text, /\[reply failed: /);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
