import assert from "node:assert/strict";
import { assistantText, parseStreamLine, resultSucceeded, sessionIdOf } from "./stream_json.ts";

// Lines as the real CLI (2.1.332) printed them, trimmed to the keys that matter.
const INIT =
  '{"type":"system","subtype":"init","cwd":"/w","session_id":"s-1","tools":["Bash"],"model":"local-model","permissionMode":"bypassPermissions","apiKeySource":"ANTHROPIC_API_KEY","claude_code_version":"2.1.332","uuid":"u"}';
const TOOL_USE =
  '{"type":"assistant","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"echo hi"}}],"stop_reason":null},"parent_tool_use_id":null,"session_id":"s-1"}';
const TOOL_RESULT =
  '{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_01","type":"tool_result","content":"hi","is_error":false}]},"session_id":"s-1","tool_use_result":{"stdout":"hi"}}';
const RESULT =
  '{"duration_api_ms":44,"session_id":"s-1","total_cost_usd":0.00014,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5},"is_error":false,"num_turns":1,"subtype":"success","result":"Hello.","type":"result","duration_ms":213}';

Deno.test("system init: subtype and session id", () => {
  const event = parseStreamLine(INIT);
  assert.equal(event?.type, "system");
  assert.ok(event?.type === "system");
  assert.equal(event.subtype, "init");
  assert.equal(sessionIdOf(event), "s-1");
  assert.equal(event.model, "local-model");
});

Deno.test("assistant: text and tool_use blocks; unknown fields pass through", () => {
  const event = parseStreamLine(TOOL_USE);
  assert.ok(event?.type === "assistant");
  assert.deepEqual(event.message.content, [
    { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "echo hi" } },
  ]);
  assert.equal((event as Record<string, unknown>).parent_tool_use_id, null);
  const text = parseStreamLine(
    '{"type":"assistant","message":{"content":[{"type":"text","text":"a"},{"type":"thinking","thinking":"x"},{"type":"text","text":"b"}]}}',
  );
  assert.ok(text?.type === "assistant");
  assert.equal(assistantText(text), "ab");
});

Deno.test("user: tool results, or a plain string", () => {
  const event = parseStreamLine(TOOL_RESULT);
  assert.ok(event?.type === "user");
  assert.deepEqual(event.message.content, [
    { tool_use_id: "toolu_01", type: "tool_result", content: "hi", is_error: false },
  ]);
  const plain = parseStreamLine('{"type":"user","message":{"role":"user","content":"hello"}}');
  assert.ok(plain?.type === "user");
  assert.equal(plain.message.content, "hello");
});

Deno.test("result: subtype, cost, turns, usage and text", () => {
  const event = parseStreamLine(RESULT);
  assert.ok(event?.type === "result");
  assert.equal(event.subtype, "success");
  assert.equal(event.is_error, false);
  assert.equal(event.total_cost_usd, 0.00014);
  assert.equal(event.num_turns, 1);
  assert.equal(event.usage?.input_tokens, 10);
  assert.equal(event.usage?.output_tokens, 5);
  assert.equal(event.result, "Hello.");
  assert.equal(resultSucceeded(event), true);
});

Deno.test("resultSucceeded: only subtype success without is_error", () => {
  const result = (subtype: string, isError: unknown) => {
    const event = parseStreamLine(JSON.stringify({ type: "result", subtype, is_error: isError }));
    assert.ok(event?.type === "result");
    return resultSucceeded(event);
  };
  assert.equal(result("success", false), true);
  assert.equal(result("success", true), false); // an API error the real CLI reports so
  assert.equal(result("error_max_turns", true), false);
  assert.equal(result("error_during_execution", false), false);
  assert.equal(result("success", "no"), false); // a malformed flag counts as an error
});

Deno.test("unknown types, and known types of the wrong shape, are 'other'", () => {
  assert.deepEqual(parseStreamLine('{"type":"stream_event","event":{}}'), {
    type: "other",
    raw: { type: "stream_event", event: {} },
  });
  assert.equal(parseStreamLine('{"type":"result"}')?.type, "other"); // no subtype
  assert.equal(parseStreamLine('{"type":"toString"}')?.type, "other");
  assert.equal(parseStreamLine('{"no":"type"}')?.type, "other");
});

Deno.test("garbage gives null and never throws", () => {
  for (const line of ["", "Loading…", "[1,2]", "null", "42", '"s"', '{"type":', "\u0000"]) {
    assert.equal(parseStreamLine(line), null, JSON.stringify(line));
  }
});
