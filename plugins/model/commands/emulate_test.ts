import assert from "node:assert/strict";
import { describeRequest } from "./emulate.ts";

Deno.test("each request is one log line saying how it was answered", () => {
  const base = { method: "POST", path: "/v1/messages?beta=true", status: 200 };
  const line = (reply?: Parameters<typeof describeRequest>[0]["reply"]) =>
    describeRequest(reply ? { ...base, reply } : base);
  assert.equal(
    line({ kind: "turn", conversation: 1, turn: 2, stop_reason: "tool_use" }),
    "POST /v1/messages?beta=true 200 turn 2 of conversation 1 (tool_use)",
  );
  assert.equal(
    line({ kind: "final", conversation: 0, turn: 3, stop_reason: "end_turn" }),
    "POST /v1/messages?beta=true 200 final text of conversation 0 (end_turn)",
  );
  assert.equal(
    line({ kind: "side", stop_reason: "end_turn" }),
    "POST /v1/messages?beta=true 200 side (end_turn)",
  );
  assert.equal(
    line({ kind: "unmatched", stop_reason: "end_turn" }),
    "POST /v1/messages?beta=true 200 unmatched (end_turn)",
  );
  assert.equal(describeRequest({ method: "GET", path: "/health", status: 200 }), "GET /health 200");
});
