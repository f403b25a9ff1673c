import assert from "node:assert/strict";
import { reviewBody, verdictOf } from "./verdict.ts";

Deno.test("verdictOf: the last VERDICT line decides; anything else is a COMMENT", () => {
  assert.equal(verdictOf("ok\nVERDICT: APPROVE"), "APPROVED");
  assert.equal(verdictOf("ok\n**VERDICT: APPROVED**\n"), "APPROVED");
  assert.equal(
    verdictOf("VERDICT: APPROVE\nthen again\nverdict: request_changes"),
    "REQUEST_CHANGES",
  );
  assert.equal(verdictOf("I would say VERDICT: APPROVE inside a sentence"), "COMMENT");
  assert.equal(verdictOf("VERDICT: MAYBE"), "COMMENT");
  assert.equal(verdictOf(""), "COMMENT");
});

Deno.test("reviewBody drops the verdict line; an empty unclear answer gets a note", () => {
  assert.equal(reviewBody("Fine.\nVERDICT: APPROVE\n", "APPROVED"), "Fine.");
  assert.equal(reviewBody("", "COMMENT"), "The review agent gave no clear verdict.");
  assert.equal(reviewBody("VERDICT: APPROVE", "APPROVED"), "");
  // Forgejo refuses a REQUEST_CHANGES review without a body (422): never send an empty one.
  assert.match(reviewBody("VERDICT: REQUEST_CHANGES", "REQUEST_CHANGES"), /asked for changes/);
});
