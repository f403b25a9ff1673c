import assert from "node:assert/strict";
import { fillTemplate, parseTemplate, placeholderNames } from "./template.ts";

function parts(text: string) {
  const parsed = parseTemplate(text);
  assert.ok(parsed.ok, `expected ${JSON.stringify(text)} to parse`);
  return parsed.parts;
}

Deno.test("template: placeholders with and without inner spaces", () => {
  const parsed = parts("Fix #{{issue}} of {{ repo }} on {{\tbranch\t}}.");
  assert.deepEqual(placeholderNames(parsed), ["issue", "repo", "branch"]);
  assert.equal(
    fillTemplate(parsed, { issue: "7", repo: "acme/app", branch: "main" }),
    "Fix #7 of acme/app on main.",
  );
});

Deno.test("template: \\{{ is a literal {{ and a lone }} is text", () => {
  const parsed = parts("use \\{{ x }} literally, {{a}} and }} stay");
  assert.deepEqual(placeholderNames(parsed), ["a"]);
  assert.equal(fillTemplate(parsed, { a: "A" }), "use {{ x }} literally, A and }} stay");
});

Deno.test("template: substitution is one pass; values are not expanded again", () => {
  assert.equal(fillTemplate(parts("{{a}}{{b}}"), { a: "{{b}}", b: "B" }), "{{b}}B");
});

Deno.test("template: each name listed once, in order of first use", () => {
  assert.deepEqual(placeholderNames(parts("{{b}} {{a}} {{b}}")), ["b", "a"]);
});

Deno.test("template: malformed placeholders are named as written", () => {
  const cases: [string, string][] = [
    ["hello {{ who.name }} there", "{{ who.name }}"],
    ["{{issue}", "{{issue}"],
    ["x {{}} y", "{{}}"],
    ["${{ secrets.TOKEN }}", "{{ secrets.TOKEN }}"],
    ["{{1st}}", "{{1st}}"],
  ];
  for (const [text, snippet] of cases) {
    assert.deepEqual(parseTemplate(text), { ok: false, snippet }, text);
  }
});

Deno.test("template: a missing value is an error, not an empty string", () => {
  assert.throws(() => fillTemplate(parts("{{x}}"), {}), /No value for variable "x"/);
});

Deno.test("template: text without placeholders is one literal part", () => {
  assert.deepEqual(parts("plain } { text"), [{ text: "plain } { text" }]);
  assert.deepEqual(parts(""), []);
});
