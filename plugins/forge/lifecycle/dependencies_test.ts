import assert from "node:assert/strict";
import { dependenciesClosed, parseDependencies } from "./dependencies.ts";

Deno.test("dependencies under headings, until the next heading", () => {
  const body = [
    "Some text mentioning #1.",
    "## Depends on",
    "- #12",
    "- #3 and #4",
    "## Notes",
    "see #99",
    "### Blocked by",
    "* #7",
    "# Dependencies",
    "#8",
  ].join("\n");
  assert.deepEqual(parseDependencies(body), [3, 4, 7, 8, 12]);
});

Deno.test("inline 'depends on' / 'blocked by' lines, any case", () => {
  assert.deepEqual(parseDependencies("This depends on #5.\nUnrelated #6"), [5]);
  assert.deepEqual(parseDependencies("Blocked by #10, #11"), [10, 11]);
  assert.deepEqual(parseDependencies("**Depends on:**\n- #2\n- #3"), [2, 3]);
});

Deno.test("code fences and inline code are ignored", () => {
  const body = [
    "```",
    "depends on #20",
    "## Depends on",
    "#21",
    "```",
    "~~~md",
    "blocked by #22",
    "~~~",
    "It `depends on #23` in code, but depends on #24 here.",
    "````",
    "```",
    "blocked by #25",
    "````",
  ].join("\n");
  assert.deepEqual(parseDependencies(body), [24]);
});

Deno.test("no references, empty and null bodies; URLs and anchors do not count", () => {
  assert.deepEqual(parseDependencies(""), []);
  assert.deepEqual(parseDependencies(null), []);
  assert.deepEqual(parseDependencies("depends on nothing"), []);
  assert.deepEqual(parseDependencies("depends on http://x/y#3 and a&#39;b"), []);
});

Deno.test("dependenciesClosed is ready only when every dependency is closed", async () => {
  const states: Record<number, "open" | "closed"> = { 1: "closed", 2: "open" };
  const ask = (n: number) => Promise.resolve(states[n] ?? null);
  assert.deepEqual(await dependenciesClosed("depends on #1", ask), { ready: true, open: [] });
  assert.deepEqual(await dependenciesClosed("depends on #1 #2 #3", ask), {
    ready: false,
    open: [2],
  });
});
