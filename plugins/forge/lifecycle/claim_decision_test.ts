import assert from "node:assert/strict";
import {
  CLAIM_TTL_MS,
  claimBody,
  claimWinner,
  type CommentFacts,
  releaseBody,
} from "./claim_decision.ts";

const NOW = Date.parse("2026-11-24T12:00:00Z");
let nextId = 100;
function claim(user: string, id = nextId++, at = NOW): CommentFacts {
  return {
    id,
    body: claimBody(user, at),
    user: { login: user },
    created_at: new Date(at).toISOString(),
  };
}
function release(user: string, id = nextId++): CommentFacts {
  return {
    id,
    body: releaseBody(user, "Released", NOW),
    user: { login: user },
    created_at: new Date(NOW).toISOString(),
  };
}

Deno.test("the lowest claim id wins, whatever order the list comes in", () => {
  const comments = [claim("b", 12), claim("a", 11), claim("c", 13)];
  assert.equal(claimWinner(comments, [], NOW), "a");
  assert.equal(claimWinner([...comments].reverse(), [], NOW), "a");
});

Deno.test("only claims after the last release count", () => {
  assert.equal(claimWinner([claim("a", 1), release("a", 2), claim("b", 3)], [], NOW), "b");
  assert.equal(claimWinner([claim("a", 1), release("a", 2)], [], NOW), null);
});

Deno.test("ordinary comments quoting the marker mid-text are not claims", () => {
  const chatter = {
    id: 1,
    body: "see <!-- disinto:claim --> above",
    user: { login: "x" },
    created_at: new Date(NOW).toISOString(),
  };
  assert.equal(claimWinner([chatter, claim("b", 2)], [], NOW), "b");
});

Deno.test("an old claim whose author never assigned itself is void", () => {
  const old = claim("dead", 1, NOW - CLAIM_TTL_MS - 1);
  assert.equal(claimWinner([old, claim("b", 2)], [], NOW), "b");
  assert.equal(claimWinner([old, claim("b", 2)], ["dead"], NOW), "dead");
});

Deno.test("a release marker counts only from the claimant", () => {
  // b lost to a; b's (or a bystander's) release marker does not hand the issue to c.
  assert.equal(
    claimWinner([claim("a", 1), claim("b", 2), release("b", 3), claim("c", 4)], [], NOW),
    "a",
  );
  assert.equal(claimWinner([claim("a", 1), release("x", 2), claim("c", 3)], [], NOW), "a");
  // The claimant's own release does; then the next claim after it wins.
  assert.equal(
    claimWinner([claim("a", 1), release("x", 2), release("A", 3), claim("c", 4)], [], NOW),
    "c",
  );
  // A marker before any claim changes nothing.
  assert.equal(claimWinner([release("x", 1), claim("c", 2)], [], NOW), "c");
});
