import assert from "node:assert/strict";
import {
  assistantTurnsIn,
  fillPlaceholders,
  replyFor,
  SIDE_REPLY_TEXT,
  UNMATCHED_REPLY_TEXT,
  workingDirectoryOf,
} from "./reply.ts";
import type { MessagesRequest } from "./request.ts";
import { validateModelScript } from "./script.ts";

const script = validateModelScript({
  conversations: [
    {
      match: "You are the reviewer",
      final_text: "Review posted.",
      turns: [{ text: "APPROVE" }],
    },
    {
      match: "You are the dev agent",
      turns: [
        {
          text: "Writing.",
          tool_use: [{ name: "Write", input: { file_path: "{{cwd}}/x.txt", content: "x" } }],
          usage: { output_tokens: 42 },
        },
        { tool_use: [{ name: "Bash", input: { command: "ls {{cwd}}" } }] },
      ],
    },
  ],
});

const TOOLS = [{ name: "Write", input_schema: {} }];

function request(messages: MessagesRequest["messages"], extra: Partial<MessagesRequest> = {}) {
  return {
    model: "claude-test",
    max_tokens: 32000,
    system: [{ type: "text", text: "You are the dev agent." }],
    tools: TOOLS,
    messages,
    ...extra,
  } as MessagesRequest;
}

const user = (text: string) => ({ role: "user", content: [{ type: "text", text }] });
const assistant = (text: string) => ({ role: "assistant", content: text });
const env = {
  role: "system",
  content: "# Environment\n - Primary working directory: /tmp/work dir\n - Platform: linux",
};

Deno.test("turn k is chosen by the number of assistant turns already in the request", () => {
  const first = replyFor(script, request([user("fix #1"), env]));
  assert.equal(first.kind, "turn");
  assert.equal(first.conversation, 1);
  assert.equal(first.turn, 0);
  assert.equal(first.stop_reason, "tool_use");
  assert.deepEqual(first.content, [
    { type: "text", text: "Writing." },
    {
      type: "tool_use",
      id: "toolu_emu_1_0_0",
      name: "Write",
      input: { file_path: "/tmp/work dir/x.txt", content: "x" },
    },
  ]);
  assert.equal(first.usage.output_tokens, 42);
  assert.ok(first.usage.input_tokens > 0);

  const second = replyFor(script, request([user("fix #1"), env, assistant("a"), user("ok")]));
  assert.deepEqual([second.kind, second.turn], ["turn", 1]);
  assert.deepEqual(second.content[0], {
    type: "tool_use",
    id: "toolu_emu_1_1_0",
    name: "Bash",
    input: { command: "ls /tmp/work dir" },
  });

  // The same request again (a retry) gets the same turn: nothing is consumed.
  assert.deepEqual(
    replyFor(script, request([user("fix #1"), env, assistant("a"), user("ok")])),
    second,
  );
});

Deno.test("past the last turn the answer is the final text with end_turn", () => {
  const messages = [user("go"), assistant("a"), user("r"), assistant("b"), user("r")];
  const reply = replyFor(script, request(messages));
  assert.equal(reply.kind, "final");
  assert.equal(reply.turn, 2);
  assert.equal(reply.stop_reason, "end_turn");
  assert.deepEqual(reply.content, [{ type: "text", text: "Done." }]);
  const later = replyFor(script, request([...messages, assistant("c"), user("more")]));
  assert.deepEqual(later.content, [{ type: "text", text: "Done." }]);
});

Deno.test("match looks at the system prompt and the first user message only", () => {
  const review = replyFor(
    script,
    request([user("You are the reviewer of PR 3")], { system: "generic agent" }),
  );
  assert.deepEqual([review.kind, review.conversation], ["turn", 0]);
  assert.deepEqual(review.content, [{ type: "text", text: "APPROVE" }]);
  assert.equal(review.stop_reason, "end_turn");

  // The phrase only in a later message does not count.
  const later = replyFor(
    script,
    request([user("hello"), assistant("a"), user("You are the reviewer")], { system: "x" }),
  );
  assert.equal(later.kind, "unmatched");
  assert.deepEqual(later.content, [{ type: "text", text: UNMATCHED_REPLY_TEXT }]);
});

Deno.test("a conversation without match takes any request; the first match wins", () => {
  const open = validateModelScript({
    conversations: [{ turns: [{ text: "one" }] }, { match: "x", turns: [{ text: "two" }] }],
  });
  const reply = replyFor(open, request([user("x")]));
  assert.deepEqual([reply.conversation, reply.content], [0, [{ type: "text", text: "one" }]]);
});

Deno.test("a tool-less request with a small max_tokens is a side request and gets no turn", () => {
  const side = replyFor(script, request([user("title this")], { tools: [], max_tokens: 512 }));
  assert.equal(side.kind, "side");
  assert.deepEqual(side.content, [{ type: "text", text: SIDE_REPLY_TEXT }]);
  assert.equal(side.stop_reason, "end_turn");
  const noTools = request([user("title")], { max_tokens: 1 });
  delete noTools.tools;
  assert.equal(replyFor(script, noTools).kind, "side");
  // Tool-less with a large budget, or small with tools: a real turn.
  assert.equal(replyFor(script, request([user("a")], { tools: [] })).kind, "turn");
  assert.equal(replyFor(script, request([user("a")], { max_tokens: 1 })).kind, "turn");
});

Deno.test("assistant turns: consecutive assistant messages count once", () => {
  const count = (roles: string[]) =>
    assistantTurnsIn(request(roles.map((role) => ({ role, content: "." }))));
  assert.equal(count(["user"]), 0);
  assert.equal(count(["user", "system", "assistant", "user"]), 1);
  assert.equal(count(["user", "assistant", "assistant", "user", "assistant"]), 2);
});

Deno.test("the working directory comes from the client's environment text", () => {
  assert.equal(workingDirectoryOf(request([user("a"), env])), "/tmp/work dir");
  assert.equal(
    workingDirectoryOf(
      request([user("a")], { system: "<env>\nWorking directory: /srv/x\n</env>" }),
    ),
    "/srv/x",
  );
  assert.equal(workingDirectoryOf(request([user("a")])), undefined);
  // Without one, {{cwd}} becomes "." so the path stays relative to the client's directory.
  const reply = replyFor(script, request([user("a")]));
  const write = reply.content[1];
  assert.equal(write?.type === "tool_use" && write.input.file_path, "./x.txt");
});

Deno.test("placeholders are filled in nested strings only", () => {
  assert.deepEqual(
    fillPlaceholders({ a: ["{{cwd}}/b", 1, null, { c: "{{cwd}}{{cwd}}" }], d: true }, "/w"),
    { a: ["/w/b", 1, null, { c: "/w/w" }], d: true },
  );
});
