import assert from "node:assert/strict";
import { parseContextPath } from "./context_path.ts";

Deno.test("context path: project, ops: and optional ? entries", () => {
  assert.deepEqual(parseContextPath("docs/a.md"), {
    entry: "docs/a.md",
    repo: "project",
    path: "docs/a.md",
    optional: false,
  });
  assert.deepEqual(parseContextPath("ops:./journal/../RELEASES.md?"), {
    entry: "ops:./journal/../RELEASES.md?",
    repo: "ops",
    path: "RELEASES.md",
    optional: true,
  });
});

Deno.test("context path: absolute, escaping, empty and templated paths are refused", () => {
  for (const entry of ["/etc/passwd", "../x", "a/../../x", "ops:../x", "ops:", "?", "{{x}}.md"]) {
    const parsed = parseContextPath(entry);
    assert.ok("rule" in parsed, entry);
    assert.ok(parsed.rule.startsWith(`"${entry}": `), parsed.rule);
  }
});
