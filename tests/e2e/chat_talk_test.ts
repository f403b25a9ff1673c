/**
 * `disinto chat` (the terminal conversation) on the compiled binary, with the
 * real claude CLI talking to the model emulator: a typed line is answered on
 * stdout, the next one continues the same Claude session, SIGINT (Ctrl-C)
 * during a reply ends the reply's processes but not the program, end of input
 * (Ctrl-D) leaves with 0, and the history is the web page's file. Bad input
 * exits 2 with one line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { HistoryStore } from "../../plugins/chat/history.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { claudeBinary } from "../helpers/model_emulator.ts";
import {
  chatBinarySetup,
  processesIn,
  startHeldModel,
  until,
} from "../../plugins/chat/_test_kit.ts";

// Longer than one of the model emulator's text deltas (48 characters), so it streams in pieces.
const FIRST = "The factory is fine: four agents are working, one review waits on you.";
const SECOND = "Three agents are idle.";
const THIRD = "Back after the stop.";

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A streamed model answer holding `text`, paused after its first text delta until `rest`. */
async function pausedAfterFirstDelta(response: Response, text: string, rest: Promise<void>) {
  const body = await response.text();
  const first = body.indexOf(JSON.stringify(text.slice(0, 48)));
  if (first < 0) return new Response(body, response);
  const cut = body.indexOf("\n\n", first) + 2;
  const encoder = new TextEncoder();
  const paused = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(body.slice(0, cut)));
      await rest;
      controller.enqueue(encoder.encode(body.slice(cut)));
      controller.close();
    },
  });
  return new Response(paused, response);
}

/** The binary with stdin, stdout and stderr piped, so a test can type into it. */
function startTyping(args: string[], options: { env: Record<string, string>; cwd: string }) {
  const child = spawn(requireBinary(), args, { ...options, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  child.stdout.on("data", (chunk: Uint8Array) => stdout += decoder.decode(chunk));
  child.stderr.on("data", (chunk: Uint8Array) => stderr += decoder.decode(chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  // The bound on the whole conversation: a hung program fails the test, never hangs it.
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return {
    pid: child.pid!,
    exited,
    output: () => ({ stdout, stderr }),
    type: (line: string) => child.stdin.write(`${line}\n`),
    endInput: () => child.stdin.end(),
    /** Waits until stdout, from character `from` on, matches `pattern`; returns where it ends. */
    async waitFor(pattern: RegExp, from = 0): Promise<number> {
      return await until(`${pattern} on stdout`, () => {
        const match = pattern.exec(stdout.slice(from));
        return Promise.resolve(match ? from + match.index + match[0].length : undefined);
      }, 30_000).catch((error) => {
        throw new Error(`${error.message}: ${JSON.stringify({ stdout, stderr })}`);
      });
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      clearTimeout(timer);
    },
  };
}

Deno.test("disinto chat on the binary: reply on stdout, session continued, Ctrl-C stops the reply only, Ctrl-D exits 0, history shared with the web", async () => {
  // The model: "take your time" is held (the first time) until released, and
  // the first reply's stream pauses after its first text delta until released.
  const restOfFirst = Promise.withResolvers<void>();
  const model = await startHeldModel(
    {
      models: ["claude-test"],
      // The turn is the number of assistant turns the resumed session holds.
      conversations: [{
        name: "chat",
        turns: [{ text: FIRST }, { text: SECOND }],
        final_text: THIRD,
      }],
    },
    "take your time",
    (response) =>
      response.headers.get("content-type")?.startsWith("text/event-stream")
        ? pausedAfterFirstDelta(response, FIRST, restOfFirst.promise)
        : response,
  );
  const setup = await chatBinarySetup("chat-talk-e2e-", model.url);
  const { dir, root } = setup;
  const env = {
    ...setup.env,
    CLAUDE_BIN: claudeBinary,
    CHAT_MODEL: "claude-test",
    FORGE_ADMIN_USER: "ops-admin",
  };
  const chat = startTyping(["chat"], { env, cwd: root });
  try {
    let at = await chat.waitFor(/chatting as ops-admin; Ctrl-C stops a reply, Ctrl-D leaves\n> /);
    chat.type("hello, how is the factory?");
    // Streamed: the first piece is on stdout while the rest is still with the model.
    await chat.waitFor(new RegExp(literal(FIRST.slice(0, 48))), at);
    assert.equal(chat.output().stdout.includes(FIRST), false);
    restOfFirst.resolve();
    at = await chat.waitFor(new RegExp(`${literal(FIRST)}\n> `), at);

    // The second message resumes the first's Claude session: the model sees both.
    const before = model.bodies.length;
    chat.type("anything else?");
    at = await chat.waitFor(new RegExp(`${SECOND}\n> `), at);
    const resumed = model.bodies.slice(before).find((body) => body.includes("anything else?"));
    assert.ok(resumed?.includes("hello, how is the factory?"), "the session was not continued");
    assert.ok(resumed?.includes(FIRST));

    // Ctrl-C during a reply: the CLI's process group is gone, the program stays.
    const workDir = join(root, "state", "chat", "work", "ops-admin");
    chat.type("take your time");
    await until("the held model request", () => Promise.resolve(model.holding() || undefined));
    assert.notDeepEqual(await processesIn(workDir), []);
    process.kill(chat.pid, "SIGINT");
    at = await chat.waitFor(/\[reply stopped\]\n> /, at);
    assert.deepEqual(await processesIn(workDir), []);
    model.release();

    chat.type("anything else after the stop?");
    at = await chat.waitFor(new RegExp(`${THIRD}\n> `), at);

    // Ctrl-D: the end of input leaves, exit 0.
    chat.endInput();
    assert.equal(await chat.exited, 0, JSON.stringify(chat.output()));
    assert.equal(chat.output().stderr, "");

    // The history: the web's file, read the way the page reads it.
    const file = join(root, "state", "chat", "history", "ops-admin.ndjson");
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.role, l.content]),
      [
        ["user", "hello, how is the factory?"],
        ["assistant", FIRST],
        ["user", "anything else?"],
        ["assistant", SECOND],
        ["user", "take your time"],
        ["system", "Reply stopped."],
        ["user", "anything else after the stop?"],
        ["assistant", THIRD],
      ],
    );
    assert.ok(lines.every((l) => l.user === "ops-admin" && !Number.isNaN(Date.parse(l.ts))));
    const history = new HistoryStore(join(root, "state", "chat", "history"));
    assert.deepEqual(await history.read("ops-admin"), lines);
  } finally {
    restOfFirst.resolve();
    await chat.dispose();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("disinto chat on the binary: Ctrl-C at the prompt leaves with 0, input still open", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chat-talk-leave-"));
  const chat = startTyping(["chat"], { env: { PATH: "/usr/bin:/bin", HOME: dir }, cwd: dir });
  try {
    await chat.waitFor(/Ctrl-D leaves\n> /);
    const sent = Date.now();
    process.kill(chat.pid, "SIGINT");
    assert.equal(await chat.exited, 0, JSON.stringify(chat.output()));
    assert.ok(Date.now() - sent < 5_000, `left after ${Date.now() - sent} ms`);
    assert.equal(chat.output().stderr, "");
  } finally {
    await chat.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("disinto chat on the binary: bad input exits 2 with one line, nothing written", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chat-talk-bad-"));
  try {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["chat", "--user", "mallory"], {}, /^disinto: --user: "mallory" may not use the chat/],
      [["chat"], { CHAT_MAX_TOKENS_PER_DAY: "lots" }, /^disinto: CHAT_MAX_TOKENS_PER_DAY: "lots"/],
      [
        ["chat"],
        { CHAT_CLAUDE_CONFIG_DIR: "relative" },
        /^disinto: CHAT_CLAUDE_CONFIG_DIR: "relative"/,
      ],
      [["chat"], { CHAT_CLAUDE_CONFIG_DIR: join(dir, ".claude") }, /overlaps the agents' shared/],
    ];
    for (const [args, extra, expected] of cases) {
      const result = await runBinary(args, {
        env: { PATH: "/usr/bin:/bin", HOME: dir, ...extra },
        cwd: dir,
        stdin: "hello\n",
      });
      const what = `${args.join(" ")} ${JSON.stringify(extra)}: ${JSON.stringify(result)}`;
      assert.equal(result.code, 2, what);
      assert.match(result.stderr, expected, what);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, what);
      assert.equal(result.stdout, "", what);
    }
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
