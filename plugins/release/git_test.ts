import assert from "node:assert/strict";
import { gitFailureLine } from "./git.ts";

Deno.test("a git failure is told by its first fatal: line, not its trailing advice", () => {
  const stderr = "fatal: 'x.git' does not appear to be a git repository\n" +
    "fatal: Could not read from remote repository.\n\n" +
    "Please make sure you have the correct access rights\nand the repository exists.\n";
  assert.equal(gitFailureLine(stderr), "fatal: 'x.git' does not appear to be a git repository");
  assert.equal(
    gitFailureLine("hint: try this\nerror: failed to push some refs to 'x'\nhint: more\n"),
    "error: failed to push some refs to 'x'",
  );
  assert.equal(gitFailureLine("warning: odd\nsomething broke\nhint: x\n"), "something broke");
  assert.equal(gitFailureLine(""), "");
});
