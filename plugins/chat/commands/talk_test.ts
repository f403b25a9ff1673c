import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import { plugins } from "../../mod.ts";

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
