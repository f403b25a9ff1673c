import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { BadInputError } from "../../../core/errors.ts";
import { parseModelScript, validateModelScript } from "./script.ts";

const TOML = `
api_key = "sk-secret"

[[conversations]]
name = "dev"
match = "You are the dev agent"

[[conversations.turns]]
text = "Writing it."
usage = { input_tokens = 100, output_tokens = 7 }
[[conversations.turns.tool_use]]
name = "Write"
input = { file_path = "{{cwd}}/a.txt", content = "a" }
`;

Deno.test("a TOML script parses with defaults filled in", () => {
  const script = parseModelScript(TOML, "s.toml");
  assert.deepEqual(script, {
    models: ["claude-test"],
    api_key: "sk-secret",
    conversations: [{
      name: "dev",
      match: "You are the dev agent",
      final_text: "Done.",
      turns: [{
        text: "Writing it.",
        usage: { input_tokens: 100, output_tokens: 7 },
        tool_use: [{ name: "Write", input: { file_path: "{{cwd}}/a.txt", content: "a" } }],
      }],
    }],
  });
});

Deno.test("a JSON script parses the same way (text starting with '{')", () => {
  const json = JSON.stringify({
    models: ["m1", "m2"],
    conversations: [{ turns: [{ tool_use: [{ name: "Bash", input: { command: "true" } }] }] }],
  });
  const script = parseModelScript(`\n  ${json}`, "s.json");
  assert.deepEqual(script.models, ["m1", "m2"]);
  assert.deepEqual(script.conversations[0]?.turns[0]?.tool_use, [
    { name: "Bash", input: { command: "true" } },
  ]);
  assert.equal(script.conversations[0]?.match, undefined);
});

function badInput(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof BadInputError, String(error));
    assert.equal(error.message.includes("\n"), false);
    return error.message;
  }
  assert.fail("expected a BadInputError");
}

Deno.test("bad scripts fail with one line naming the file and the key path", () => {
  const cases: [string, RegExp][] = [
    ["[[conversations]]\nturns = []", /^s\.toml: conversations\.0\.turns: .*>=1/],
    ["models = []\n[[conversations]]\n[[conversations.turns]]\ntext = 'x'", /^s\.toml: models:/],
    [
      "[[conversations]]\n[[conversations.turns]]\n",
      /^s\.toml: conversations\.0\.turns\.0: a turn needs text or tool_use$/,
    ],
    [
      "[[conversations]]\n[[conversations.turns]]\n[[conversations.turns.tool_use]]\ninput = {}",
      /^s\.toml: conversations\.0\.turns\.0\.tool_use\.0\.name: required/,
    ],
    [
      "[[conversations]]\nturnz = 1\n[[conversations.turns]]\ntext = 'x'",
      /^s\.toml: conversations\.0\.turnz: unknown key$/,
    ],
    ["conversations = 3", /^s\.toml: conversations: expected array/],
    ["models = [", /^s\.toml: line 1: invalid TOML/],
    ["{ not json", /^s\.toml: invalid JSON/],
    ["", /^s\.toml: conversations: required/],
  ];
  for (const [text, expected] of cases) {
    assert.match(badInput(() => parseModelScript(text, "s.toml")), expected, text);
  }
});

Deno.test("validateModelScript checks objects, naming 'script' by default", () => {
  assert.match(
    badInput(() => validateModelScript({ conversations: [{ turns: [{ usage: {} }] }] })),
    /^script: conversations\.0\.turns\.0: a turn needs text or tool_use$/,
  );
  assert.match(
    badInput(() =>
      validateModelScript({
        conversations: [{ turns: [{ text: "x", usage: { output_tokens: -1 } }] }],
      })
    ),
    /^script: conversations\.0\.turns\.0\.usage\.output_tokens: /,
  );
});

Deno.test("the worked example in docs/model-emulator.md is a valid script", async () => {
  const doc = await readFile(new URL("../../../docs/model-emulator.md", import.meta.url), "utf8");
  const example = /```toml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, "the doc has a TOML example");
  const script = parseModelScript(example, "docs/model-emulator.md");
  assert.deepEqual(script.conversations.map((c) => [c.name, c.turns.length]), [
    ["dev", 3],
    ["review", 1],
  ]);
});
