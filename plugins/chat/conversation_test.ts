import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Conversation, type TurnInput, type TurnOutcome } from "./conversation.ts";

const NOW = Date.UTC(2025, 0, 1, 12);

/** A scripted runner: records each turn's input and answers with "echo: <prompt>". */
function scriptedRunner(outcome: Partial<TurnOutcome> = {}) {
  const turns: TurnInput[] = [];
  let n = 0;
  const runTurn = (input: TurnInput): Promise<TurnOutcome> => {
    turns.push(input);
    input.onText("echo: ");
    input.onText(input.prompt);
    n++;
    return Promise.resolve({
      outcome: "done",
      text: `echo: ${input.prompt}`,
      sessionId: `session-${input.user}-${n}`,
      tokens: 100,
      ...outcome,
    });
  };
  return { turns, runTurn };
}

/** A runner whose turns all wait until release(). */
function gatedRunner() {
  const gate = Promise.withResolvers<void>();
  const runner = {
    turns: [] as TurnInput[],
    runTurn: async (_input: TurnInput): Promise<TurnOutcome> => {
      await gate.promise;
      return { outcome: "done", text: "ok", sessionId: null, tokens: 0 };
    },
  };
  return { runner, release: () => gate.resolve() };
}

async function withConversation(
  runner: ReturnType<typeof scriptedRunner>,
  body: (chat: Conversation) => Promise<void>,
  limits = { requestsPerHour: 0, requestsPerDay: 0, tokensPerDay: 0 },
) {
  const dir = await mkdtemp(join(tmpdir(), "chat-conversation-"));
  try {
    await body(
      new Conversation({ stateDir: dir, limits, runTurn: runner.runTurn, now: () => NOW }),
    );
  } finally {
    await rm(dir, { recursive: true });
  }
}

async function sendAndWait(chat: Conversation, user: string, content: string) {
  const sent = await chat.send(user, content);
  assert.equal(sent.kind, "started");
  if (sent.kind !== "started") throw new Error("not started");
  await sent.reply.finished;
  return sent.reply;
}

Deno.test("a message is answered, streamed and kept in the history", () => {
  const runner = scriptedRunner();
  return withConversation(runner, async (chat) => {
    const reply = await sendAndWait(chat, "alice", "hi");
    assert.deepEqual(reply.events.map((e) => e.type), ["start", "text", "text", "end"]);
    const history = await chat.history.read("alice");
    assert.deepEqual(history.map((e) => [e.role, e.content]), [
      ["user", "hi"],
      ["assistant", "echo: hi"],
    ]);
    assert.equal(history[0]!.ts, new Date(NOW).toISOString());
    assert.equal((await chat.limits.usage("alice")).tokensLastDay, 100);
  });
});

Deno.test("Claude sessions are per user: a turn resumes only its own user's session", () => {
  const runner = scriptedRunner();
  return withConversation(runner, async (chat) => {
    await sendAndWait(chat, "alice", "one");
    await sendAndWait(chat, "bob", "one");
    await sendAndWait(chat, "alice", "two");
    await sendAndWait(chat, "bob", "two");
    assert.deepEqual(runner.turns.map((t) => [t.user, t.resume]), [
      ["alice", null],
      ["bob", null],
      ["alice", "session-alice-1"],
      ["bob", "session-bob-2"],
    ]);
    // Each user's CLI runs in a folder of its own.
    assert.notEqual(runner.turns[0]!.cwd, runner.turns[1]!.cwd);
    assert.equal(runner.turns[0]!.cwd, runner.turns[2]!.cwd);
  });
});

Deno.test("a second message while a reply is in flight is busy, and not counted", () => {
  const { runner, release } = gatedRunner();
  return withConversation(runner, async (chat) => {
    const first = await chat.send("alice", "one");
    const second = await chat.send("alice", "two");
    assert.equal(second.kind, "busy");
    release();
    if (first.kind === "started") await first.reply.finished;
    assert.equal((await chat.limits.usage("alice")).requestsLastDay, 1);
  }, { requestsPerHour: 5, requestsPerDay: 0, tokensPerDay: 0 });
});

Deno.test("over a limit the message is refused with the reset time and not stored", () => {
  const runner = scriptedRunner();
  return withConversation(runner, async (chat) => {
    await sendAndWait(chat, "alice", "one");
    const refused = await chat.send("alice", "two");
    assert.deepEqual(refused, {
      kind: "limited",
      verdict: { ok: false, limit: "requestsPerHour", resetAt: NOW + 3600_000 },
    });
    assert.equal((await chat.history.read("alice")).length, 2);
    assert.equal(runner.turns.length, 1);
  }, { requestsPerHour: 1, requestsPerDay: 0, tokensPerDay: 0 });
});

Deno.test("empty, oversized and non-text messages are invalid", () => {
  const runner = scriptedRunner();
  return withConversation(runner, async (chat) => {
    for (const bad of ["", "   ", 42, null, "x".repeat(20_001)]) {
      assert.equal((await chat.send("alice", bad)).kind, "invalid", String(bad).slice(0, 9));
    }
    assert.equal(runner.turns.length, 0);
  });
});

Deno.test("a stopped or failed turn keeps its partial text and says so in the history", () => {
  const runner = scriptedRunner({ outcome: "failed", message: "model unreachable" });
  return withConversation(runner, async (chat) => {
    const reply = await sendAndWait(chat, "alice", "hi");
    assert.deepEqual(reply.events.at(-1), {
      seq: 4,
      type: "end",
      outcome: "failed",
      message: "model unreachable",
    });
    assert.deepEqual((await chat.history.read("alice")).map((e) => e.role), [
      "user",
      "assistant",
      "system",
    ]);
  });
});

Deno.test("two messages sent at once: one starts, the other is busy, neither counted nor stored twice", () => {
  const { runner, release } = gatedRunner();
  return withConversation(runner, async (chat) => {
    const sent = await Promise.all([chat.send("alice", "one"), chat.send("alice", "two")]);
    assert.deepEqual(sent.map((s) => s.kind).sort(), ["busy", "started"]);
    release();
    for (const s of sent) if (s.kind === "started") await s.reply.finished;
    assert.equal((await chat.limits.usage("alice")).requestsLastDay, 1);
    assert.deepEqual(
      (await chat.history.read("alice")).filter((e) => e.role === "user").map((e) => e.content),
      ["one"],
    );
  }, { requestsPerHour: 5, requestsPerDay: 0, tokensPerDay: 0 });
});

Deno.test("once every reply is stopped for shutdown, a new message starts none (and is not counted)", () => {
  const { runner, release } = gatedRunner();
  return withConversation(runner, async (chat) => {
    const first = await chat.send("alice", "one");
    const stopping = chat.board.stopAll();
    release();
    const late = await chat.send("bob", "too late");
    await stopping;
    assert.equal(first.kind, "started");
    assert.equal(late.kind, "closed");
    assert.equal(chat.board.current("bob"), undefined);
    assert.equal((await chat.limits.usage("bob")).requestsLastDay, 0);
    assert.deepEqual(await chat.history.read("bob"), []);
  }, { requestsPerHour: 5, requestsPerDay: 0, tokensPerDay: 0 });
});
