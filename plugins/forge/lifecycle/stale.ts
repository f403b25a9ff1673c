/**
 * Stale detection (SPEC §6.2) as a pure decision over facts gathered by the
 * caller: an open `in-progress` issue with no assignee, no open PR from its
 * branch and no live agent lock is stale, unless `in-progress` was added less
 * than the grace period ago (by the latest *addition* in the timeline).
 */
import { isNonDevLabel } from "../labels.ts";

export const GRACE_MS = 60_000;

/** The timeline fields the decision reads; `type` is a string in API output. */
export interface TimelineEventFacts {
  type: unknown;
  body?: string | null;
  created_at: string;
  label?: { name: string } | null;
}

export interface StaleFacts {
  state: "open" | "closed";
  labels: readonly string[];
  assignees: readonly string[];
  timeline: readonly TimelineEventFacts[];
  /** An open PR from `fix/issue-<n>` exists. */
  hasOpenPr: boolean;
  /** A live agent lock covers the issue. */
  lockHeld: boolean;
}

export type StaleDecision = { stale: false; reason: string } | { stale: true; reason: string };

/** When `in-progress` was last added (ms since epoch), or null if never seen. */
export function lastInProgressAddition(timeline: readonly TimelineEventFacts[]): number | null {
  let latest: number | null = null;
  for (const event of timeline) {
    // Only the string "label" is a label event; an integer 7 never counts.
    if (event.type !== "label" || event.label?.name !== "in-progress") continue;
    // Forgejo marks an addition with body "1" and a removal with "".
    if (event.body !== "1") continue;
    const at = Date.parse(event.created_at);
    if (!Number.isNaN(at) && (latest === null || at > latest)) latest = at;
  }
  return latest;
}

export function decideStale(facts: StaleFacts, now: number, graceMs = GRACE_MS): StaleDecision {
  if (facts.state !== "open") return { stale: false, reason: "closed" };
  if (!facts.labels.includes("in-progress")) return { stale: false, reason: "not in-progress" };
  const nonDev = facts.labels.find(isNonDevLabel);
  if (nonDev) return { stale: false, reason: `carries non-dev label "${nonDev}"` };
  if (facts.assignees.length > 0) {
    return { stale: false, reason: `assigned to ${facts.assignees.join(", ")}` };
  }
  if (facts.hasOpenPr) return { stale: false, reason: "has an open PR" };
  if (facts.lockHeld) return { stale: false, reason: "an agent holds its lock" };
  const added = lastInProgressAddition(facts.timeline);
  if (added !== null && now - added < graceMs) {
    return {
      stale: false,
      reason: `in-progress added ${Math.round((now - added) / 1000)} s ago (grace ${
        graceMs / 1000
      } s)`,
    };
  }
  const age = added === null ? "at an unknown time" : `${Math.round((now - added) / 1000)} s ago`;
  return {
    stale: true,
    reason: `in-progress (added ${age}) with no assignee, no open PR and no agent lock`,
  };
}
