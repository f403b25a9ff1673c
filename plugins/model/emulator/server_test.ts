/**
 * The model emulator's HTTP API on loopback: health, models, messages (JSON
 * and SSE), count_tokens, Anthropic-shaped errors, the API key, and the
 * request record.
 */
import assert from "node:assert/strict";
import {
  type ModelScriptInput,
  type StartedModelEmulator,
  startModelEmulator,
} from "../../../tests/helpers/model_emulator.ts";

const SCRIPT: ModelScriptInput = {
  models: ["claude-test", "qwen-local"],
  conversations: [{
    match: "dev agent",
    final_text: "All done.",
    turns: [{
      text: "Let me write a rather long sentence so that the stream has several text deltas in it.",
      tool_use: [
        {
          name: "Write",
          input: { file_path: "{{cwd}}/notes.md", content: "# Notes\n".repeat(12) },
        },
        { name: "Bash", input: { command: "git status" } },
      ],
      usage: { input_tokens: 1234, output_tokens: 56 },
    }],
  }],
};

const DEV_REQUEST = {
  model: "claude-test",
  max_tokens: 32000,
  system: "You are the dev agent.\n<env>\nWorking directory: /srv/project\n</env>",
  tools: [{ name: "Write" }, { name: "Bash" }],
  messages: [{ role: "user", content: "Fix issue #7" }],
};

async function withEmulator(
  script: ModelScriptInput,
  test: (emulator: StartedModelEmulator) => Promise<void>,
) {
  const emulator = await startModelEmulator(script);
  try {
    await test(emulator);
  } finally {
    await emulator.dispose();
  }
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "any", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
}

/** The events of an SSE body, in order: [event name, parsed data]. */
function sseEventsOf(text: string): [string, Record<string, unknown>][] {
  return text.trim().split("\n\n").map((chunk) => {
    const event = /^event: (.+)$/m.exec(chunk)?.[1] ?? "";
    const data = JSON.parse(/^data: (.+)$/m.exec(chunk)?.[1] ?? "null");
    assert.equal(data.type, event, chunk);
    return [event, data];
  });
}

const expectedContent = [
  {
    type: "text",
    text: "Let me write a rather long sentence so that the stream has several text deltas in it.",
  },
  {
    type: "tool_use",
    id: "toolu_emu_0_0_0",
    name: "Write",
    input: { file_path: "/srv/project/notes.md", content: "# Notes\n".repeat(12) },
  },
  { type: "tool_use", id: "toolu_emu_0_0_1", name: "Bash", input: { command: "git status" } },
];

Deno.test("health and models answer like llama-server's Anthropic endpoints", async () => {
  await withEmulator(SCRIPT, async ({ url }) => {
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const models = await fetch(`${url}/v1/models`);
    assert.equal(models.status, 200);
    const list = await models.json();
    assert.deepEqual(list.data.map((m: { id: string; type: string }) => [m.type, m.id]), [
      ["model", "claude-test"],
      ["model", "qwen-local"],
    ]);
    assert.deepEqual([list.has_more, list.first_id, list.last_id], [
      false,
      "claude-test",
      "qwen-local",
    ]);
    const missing = await fetch(`${url}/v1/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), {
      type: "error",
      error: { type: "not_found_error", message: "GET /v1/nope: no such route" },
    });
  });
});

Deno.test("a non-streaming message is one JSON message with the scripted blocks", async () => {
  await withEmulator(SCRIPT, async ({ url }) => {
    const response = await post(`${url}/v1/messages`, DEV_REQUEST);
    assert.equal(response.status, 200, response.text);
    assert.match(response.type ?? "", /^application\/json/);
    const message = JSON.parse(response.text);
    assert.match(message.id, /^msg_emu_\d+$/);
    assert.deepEqual({ ...message, id: "" }, {
      id: "",
      type: "message",
      role: "assistant",
      model: "claude-test",
      content: expectedContent,
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 1234, output_tokens: 56 },
    });
  });
});

Deno.test("a streamed message is SSE in Anthropic's event order; the deltas rebuild the blocks", async () => {
  await withEmulator(SCRIPT, async ({ url }) => {
    const response = await post(`${url}/v1/messages?beta=true`, { ...DEV_REQUEST, stream: true });
    assert.equal(response.status, 200, response.text);
    assert.match(response.type ?? "", /^text\/event-stream/);
    const events = sseEventsOf(response.text);
    const names = events.map(([name]) => name);
    assert.deepEqual(names.slice(0, 2), ["message_start", "ping"]);
    assert.deepEqual(names.slice(-2), ["message_delta", "message_stop"]);
    const start = events[0]![1].message as Record<string, unknown>;
    assert.deepEqual([start.role, start.model, start.content, start.stop_reason], [
      "assistant",
      "claude-test",
      [],
      null,
    ]);

    // Rebuild each block the way a client does: start, then append the deltas.
    const blocks: Record<string, unknown>[] = [];
    const partialJson: string[] = [];
    let deltas = 0;
    for (const [name, data] of events) {
      const index = data.index as number;
      if (name === "content_block_start") {
        blocks[index] = { ...(data.content_block as Record<string, unknown>) };
        partialJson[index] = "";
      } else if (name === "content_block_delta") {
        deltas++;
        const delta = data.delta as { type: string; text?: string; partial_json?: string };
        if (delta.type === "text_delta") blocks[index]!.text += delta.text!;
        else if (delta.type === "input_json_delta") partialJson[index] += delta.partial_json!;
        else assert.fail(`unexpected delta ${delta.type}`);
      } else if (name === "content_block_stop" && blocks[index]!.type === "tool_use") {
        assert.deepEqual(blocks[index]!.input, {});
        blocks[index]!.input = JSON.parse(partialJson[index]!);
      }
    }
    assert.deepEqual(blocks, expectedContent);
    assert.ok(deltas > expectedContent.length, "long blocks arrive in several deltas");
    const end = events.at(-2)![1];
    assert.deepEqual(end.delta, { stop_reason: "tool_use", stop_sequence: null });
    assert.deepEqual(end.usage, { output_tokens: 56 });
  });
});

Deno.test("the final text ends the turn with end_turn", async () => {
  await withEmulator(SCRIPT, async ({ url, requests }) => {
    const messages = [
      ...DEV_REQUEST.messages,
      { role: "assistant", content: [{ type: "text", text: "ok" }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_emu_0_0_0" }] },
    ];
    const response = await post(`${url}/v1/messages`, { ...DEV_REQUEST, messages, stream: true });
    const events = sseEventsOf(response.text);
    const text = events.filter(([name]) => name === "content_block_delta")
      .map(([, data]) => (data.delta as { text: string }).text).join("");
    assert.equal(text, "All done.");
    assert.equal((events.at(-2)![1].delta as { stop_reason: string }).stop_reason, "end_turn");
    assert.deepEqual(requests.map((r) => [r.path, r.status, r.stream, r.reply]), [
      ["/v1/messages", 200, true, {
        kind: "final",
        conversation: 0,
        turn: 1,
        stop_reason: "end_turn",
      }],
    ]);
  });
});

Deno.test("bad requests get Anthropic invalid_request_error bodies", async () => {
  await withEmulator(SCRIPT, async ({ url, requests }) => {
    const { max_tokens: _, ...noMax } = DEV_REQUEST;
    const cases: [unknown, RegExp][] = [
      [noMax, /^max_tokens: required/],
      [{ ...DEV_REQUEST, messages: [] }, /^messages: /],
      [{ ...DEV_REQUEST, model: 3 }, /^model: expected string/],
      [{ ...DEV_REQUEST, max_tokens: 0 }, /^max_tokens: /],
      [{ ...DEV_REQUEST, messages: [{ role: "user" }] }, /^messages\.0\.content: /],
      ["{not json", /^body: expected JSON$/],
      [[1, 2], /^\(top level\): expected object/],
    ];
    for (const [body, message] of cases) {
      const response = await post(`${url}/v1/messages`, body);
      assert.equal(response.status, 400, response.text);
      const error = JSON.parse(response.text);
      assert.equal(error.type, "error");
      assert.equal(error.error.type, "invalid_request_error");
      assert.match(error.error.message, message);
    }
    assert.ok(requests.every((r) => r.status === 400 && r.reply === undefined));
  });
});

Deno.test("count_tokens estimates from system, messages and tools", async () => {
  await withEmulator(SCRIPT, async ({ url }) => {
    const { max_tokens: _, ...body } = DEV_REQUEST;
    const small = await post(`${url}/v1/messages/count_tokens`, body);
    assert.equal(small.status, 200, small.text);
    const { input_tokens: few } = JSON.parse(small.text);
    const bigger = { ...body, messages: [{ role: "user", content: "word ".repeat(400) }] };
    const { input_tokens: many } = JSON.parse(
      (await post(`${url}/v1/messages/count_tokens`, bigger)).text,
    );
    assert.ok(Number.isInteger(few) && few > 0, String(few));
    assert.ok(many >= few + 400, `${many} vs ${few}`);
    const bad = await post(`${url}/v1/messages/count_tokens`, { model: "m" });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).error.type, "invalid_request_error");
  });
});

Deno.test("with api_key set, /v1 needs it (x-api-key or Bearer); /health does not; no key is recorded", async () => {
  await withEmulator({ ...SCRIPT, api_key: "sk-local-123" }, async ({ url, requests }) => {
    for (const headers of [{ "x-api-key": "" }, { "x-api-key": "sk-wrong" }]) {
      const response = await post(`${url}/v1/messages`, DEV_REQUEST, headers);
      assert.equal(response.status, 401);
      assert.deepEqual(JSON.parse(response.text), {
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
      });
    }
    const models = await fetch(`${url}/v1/models`);
    assert.equal(models.status, 401);
    await models.body?.cancel();
    assert.equal(
      (await post(`${url}/v1/messages`, DEV_REQUEST, { "x-api-key": "sk-local-123" })).status,
      200,
    );
    const bearer = await fetch(`${url}/v1/models`, {
      headers: { authorization: "Bearer sk-local-123" },
    });
    assert.equal(bearer.status, 200);
    await bearer.body?.cancel();
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    assert.deepEqual(requests.map((r) => r.status), [401, 401, 401, 200, 200, 200]);
    assert.doesNotMatch(JSON.stringify(requests), /sk-local-123|sk-wrong/);
  });
});

Deno.test("without api_key any key, or none, is accepted", async () => {
  await withEmulator(SCRIPT, async ({ url }) => {
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify(DEV_REQUEST),
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });
});
