/**
 * What a dev agent works on next (SPEC §7, §6.2), as a pure decision over the
 * repo's open issues: its own in-progress issue first; otherwise the backlog,
 * `priority` first, then oldest. Issues of other agents are skipped, never
 * waited on: another agent's in-progress issue does not hold this agent's
 * backlog back (SPEC §14 regression 14). Dependencies are checked by the
 * caller, in this order, since they need the forge.
 */
import { isNonDevLabel } from "../labels.ts";

export interface IssueFacts {
  number: number;
  labels: readonly string[];
  assignees: readonly string[];
  /** Set on pull requests, which share the issue list. */
  pull_request?: unknown;
}

export interface DevQueue {
  /** An open in-progress issue assigned to this agent: resume it. */
  resume: number | null;
  /** Backlog issues this agent may claim, best first. */
  backlog: number[];
}

export function devQueue(issues: readonly IssueFacts[], me: string): DevQueue {
  const mine = (issue: IssueFacts) =>
    issue.assignees.some((login) => login.toLowerCase() === me.toLowerCase());
  const dev = issues.filter((issue) => !issue.pull_request && !issue.labels.some(isNonDevLabel));
  const resume = dev
    .filter((issue) => issue.labels.includes("in-progress") && mine(issue))
    .map((issue) => issue.number)
    .sort((a, b) => a - b)[0] ?? null;
  const backlog = dev
    .filter((issue) =>
      issue.labels.includes("backlog") && !issue.labels.includes("in-progress") &&
      (issue.assignees.length === 0 || mine(issue))
    )
    .sort((a, b) =>
      Number(b.labels.includes("priority")) - Number(a.labels.includes("priority")) ||
      a.number - b.number
    )
    .map((issue) => issue.number);
  return { resume, backlog };
}
