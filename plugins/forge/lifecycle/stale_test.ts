import assert from "node:assert/strict";
import { decideStale, lastInProgressAddition, type StaleFacts } from "./stale.ts";

const NOW = Date.parse("2026-11-24T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const added = (s: number) => ({
  type: "label",
  body: "1",
  created_at: ago(s),
  label: { name: "in-progress" },
});
const removed = (s: number) => ({ ...added(s), body: "" });

function facts(overrides: Partial<StaleFacts> = {}): StaleFacts {
  return {
    state: "open",
    labels: ["in-progress"],
    assignees: [],
    timeline: [added(120)],
    hasOpenPr: false,
    lockHeld: false,
    ...overrides,
  };
}

Deno.test("in-progress added 10 s ago is within the grace period", () => {
  const decision = decideStale(facts({ timeline: [added(10)] }), NOW);
  assert.equal(decision.stale, false);
  assert.match(decision.reason, /added 10 s ago/);
});

Deno.test("in-progress added 120 s ago with nobody on it is stale", () => {
  assert.equal(decideStale(facts(), NOW).stale, true);
});

Deno.test("the age comes from the latest addition, not a later removal", () => {
  // Added 120 s ago, removed 5 s ago (and re-added by someone without an event):
  // the removal must not restart the grace period.
  assert.equal(decideStale(facts({ timeline: [added(120), removed(5)] }), NOW).stale, true);
  // Added long ago, removed, then re-added 10 s ago: in grace.
  assert.equal(
    decideStale(facts({ timeline: [added(300), removed(200), added(10)] }), NOW).stale,
    false,
  );
  assert.equal(lastInProgressAddition([added(300), removed(5)]), NOW - 300_000);
});

Deno.test("an event whose type is the integer 7 never counts", () => {
  const integer = { ...added(10), type: 7 };
  assert.equal(lastInProgressAddition([integer]), null);
  assert.equal(decideStale(facts({ timeline: [added(120), integer] }), NOW).stale, true);
});

Deno.test("other labels' events do not count", () => {
  const other = { ...added(10), label: { name: "backlog" } };
  assert.equal(decideStale(facts({ timeline: [added(120), other] }), NOW).stale, true);
});

Deno.test("non-dev labels, assignees, open PRs and locks are never touched", () => {
  // Every non-dev label of SPEC §6.2 (regression 15), each prediction/* included.
  const nonDev = [
    "bug-report",
    "vision",
    "in-triage",
    "action",
    "formula",
    "prediction/unreviewed",
    "prediction/dismissed",
    "prediction/actioned",
  ];
  for (const label of nonDev) {
    assert.equal(decideStale(facts({ labels: ["in-progress", label] }), NOW).stale, false);
  }
  assert.equal(decideStale(facts({ assignees: ["review-bot"] }), NOW).stale, false);
  assert.equal(decideStale(facts({ hasOpenPr: true }), NOW).stale, false);
  assert.equal(decideStale(facts({ lockHeld: true }), NOW).stale, false);
  assert.equal(decideStale(facts({ state: "closed" }), NOW).stale, false);
  assert.equal(decideStale(facts({ labels: ["backlog"] }), NOW).stale, false);
});

Deno.test("no addition event at all counts as old", () => {
  assert.equal(decideStale(facts({ timeline: [] }), NOW).stale, true);
});
