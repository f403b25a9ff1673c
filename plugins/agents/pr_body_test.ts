import assert from "node:assert/strict";
import { closedIssue, pullBody } from "./pr_body.ts";

Deno.test("pullBody: Closes #n, then the summary", () => {
  assert.equal(pullBody(4, ""), "Closes #4\n");
  assert.equal(pullBody(4, "Added hello.txt."), "Closes #4\n\nAdded hello.txt.\n");
});

Deno.test("pullBody: a closing keyword before another issue in the summary no longer closes it", () => {
  const body = pullBody(
    4,
    "Fixes #7 as well.\nThis resolves: #8, closed #9 (fix #10) and [Fixes acme/other#2].",
  );
  assert.equal(
    body,
    "Closes #4\n\nFixes issue #7 as well.\nThis resolves: issue #8, closed issue #9 " +
      "(fix issue #10) and [Fixes issue acme/other#2].\n",
  );
  // Forgejo's closing pattern (keyword, optional colon, one space, then the reference) no longer
  // matches anything but #4.
  const closing = [
    ...body.matchAll(/(?:^|[\s([])(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):? (\S*#\d+)/gim),
  ]
    .map((m) => m[1]);
  assert.deepEqual(closing, ["#4"]);
  // The issue's own number and plain mentions are left as written.
  assert.equal(pullBody(4, "fixes #4; see #7"), "Closes #4\n\nfixes #4; see #7\n");
  assert.equal(pullBody(4, "prefixes #7"), "Closes #4\n\nprefixes #7\n");
});

Deno.test("closedIssue: the first issue of this repository the body closes, as Forgejo reads it", () => {
  assert.equal(closedIssue(pullBody(4, "Fixes #7 as well.")), 4);
  assert.equal(closedIssue("x\nResolves: #8\nCloses #9"), 8);
  assert.equal(closedIssue("Fixes acme/other#2, then fixes #3"), 3);
  assert.equal(closedIssue("prefixes #7; see #5"), null);
});
