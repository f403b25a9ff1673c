/**
 * The issue lifecycle (SPEC §6.2) on one repo, acting as one identity:
 * claim, release, block, close, stale sweep and dependency readiness. Other
 * parts of disinto (the agents' poll loop, the `issue` commands) use this.
 *
 * Claim protocol: post a claim comment, read the comments back, and let the
 * lowest claim id since the claimant's last release marker win
 * (claim_decision.ts; claim ages by the forge's clock). The winner then
 * assigns itself first, reads the claims again (and backs off if a lower claim
 * shows up after all), adds `in-progress`, and removes `backlog`, labels by
 * numeric id. Assign-before-label matters: other pollers
 * treat "in-progress with no assignee" as stale.
 */
import * as api from "../../../core/forgejo/mod.ts";
import type { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { RuntimeFailure } from "../../../core/errors.ts";
import { isNonDevLabel } from "../labels.ts";
import { claimBody, claimWinner, RELEASE_MARKER, releaseBody } from "./claim_decision.ts";
import { dependenciesClosed } from "./dependencies.ts";
import { devQueue } from "./next_issue.ts";
import { decideStale, GRACE_MS } from "./stale.ts";

export type ClaimResult =
  | { claimed: true; issue: number; already?: boolean }
  | { claimed: false; issue: number; reason: string; holder?: string };

export interface SweepResult {
  issue: number;
  stale: boolean;
  reason: string;
  /** True when it was relabelled `blocked` (false in a dry run or when kept). */
  relabelled: boolean;
}

export interface LifecycleOptions {
  /** The login of the identity acting. */
  me: string;
  now: () => number;
  /** Whether a live agent lock covers issue `n`. */
  lockHeld?: (issue: number) => Promise<boolean>;
  graceMs?: number;
}

/** `release`/`block` by someone who does not hold the issue (exit 1, one line). */
export class NotHolder extends RuntimeFailure {}

const lost = (issue: number, holder: string | null): ClaimResult => ({
  claimed: false,
  issue,
  reason: "already claimed",
  ...(holder ? { holder } : {}),
});

const logins = (issue: api.Issue) => (issue.assignees ?? []).map((a) => a.login);
const labelNames = (issue: api.Issue) => issue.labels.map((l) => l.name);

export class IssueLifecycle {
  #labels: Promise<Map<string, number>> | null = null;

  constructor(
    readonly http: ForgejoHttp,
    readonly slug: string,
    readonly options: LifecycleOptions,
  ) {}

  /** Label name → id, read once. */
  labelIds(): Promise<Map<string, number>> {
    this.#labels ??= api.listLabels(this.http, this.slug).then((labels) =>
      new Map(labels.map((label) => [label.name, label.id]))
    );
    return this.#labels;
  }

  async #labelId(name: string): Promise<number> {
    const id = (await this.labelIds()).get(name);
    if (id === undefined) throw new Error(`Label "${name}" does not exist on ${this.slug}`);
    return id;
  }

  async claim(n: number): Promise<ClaimResult> {
    const me = this.options.me.toLowerCase();
    const issue = await api.getIssue(this.http, this.slug, n);
    if (!issue || issue.pull_request) return { claimed: false, issue: n, reason: "no such issue" };
    if (issue.state !== "open") return { claimed: false, issue: n, reason: "closed" };
    const assignees = logins(issue);
    if (assignees.some((a) => a.toLowerCase() === me)) {
      await this.#markInProgress(n, issue);
      return { claimed: true, issue: n, already: true };
    }
    if (assignees.length > 0) {
      return { claimed: false, issue: n, reason: "already claimed", holder: assignees[0]! };
    }
    const nonDev = labelNames(issue).find(isNonDevLabel);
    if (nonDev) return { claimed: false, issue: n, reason: `not a dev issue ("${nonDev}")` };
    if (labelNames(issue).includes("in-progress")) {
      return { claimed: false, issue: n, reason: "already in progress" };
    }
    await api.postComment(this.http, this.slug, n, claimBody(this.options.me, this.options.now()));
    const winner = await this.#claimWinner(n, assignees);
    if (winner === null || winner.toLowerCase() !== me) return lost(n, winner);
    // Assign first, then in-progress, then drop backlog.
    try {
      await api.setAssignees(this.http, this.slug, n, [this.options.me]);
      // Read the claims again: a lower claim that was not yet visible at the
      // first read wins after all. Back off, leaving the winner assigned (my
      // PATCH may have replaced its assignment), and touch no label.
      const recheck = await this.#claimWinner(n, [this.options.me]);
      if (recheck === null || recheck.toLowerCase() !== me) {
        await api.setAssignees(this.http, this.slug, n, recheck ? [recheck] : []);
        return lost(n, recheck);
      }
      await this.#markInProgress(n, issue);
    } catch (error) {
      // Do not sit on a claim we cannot complete: release it for the others (best effort;
      // failing that, the claim expires after CLAIM_TTL_MS).
      await api.postComment(
        this.http,
        this.slug,
        n,
        releaseBody(this.options.me, "Claim abandoned", this.options.now()),
      ).catch(() => {});
      throw error;
    }
    return { claimed: true, issue: n };
  }

  /** The claim winner as the comments say now, aged by the forge's clock (its Date header). */
  async #claimWinner(n: number, assignees: readonly string[]): Promise<string | null> {
    const comments = await api.listComments(this.http, this.slug, n);
    return claimWinner(comments, assignees, this.http.forgeDate ?? this.options.now());
  }

  /** Refuse unless I am the issue's assignee: only the holder gives an issue back or blocks it. */
  async #mustHold(n: number, verb: string): Promise<void> {
    const issue = await api.getIssue(this.http, this.slug, n);
    if (!issue || issue.pull_request) throw new NotHolder(`#${n}: no such issue on ${this.slug}`);
    const holders = logins(issue);
    if (holders.some((a) => a.toLowerCase() === this.options.me.toLowerCase())) return;
    throw new NotHolder(
      `#${n}: cannot ${verb} an issue ${
        holders.length ? `held by ${holders.join(", ")}` : "nobody holds"
      }; only its assignee may (acting as ${this.options.me})`,
    );
  }

  async #markInProgress(n: number, issue: api.Issue): Promise<void> {
    const names = labelNames(issue);
    if (!names.includes("in-progress")) {
      await api.addIssueLabels(this.http, this.slug, n, [await this.#labelId("in-progress")]);
    }
    if (names.includes("backlog")) {
      await api.removeIssueLabel(this.http, this.slug, n, await this.#labelId("backlog"));
    }
  }

  /**
   * Give the issue back: release marker, `in-progress` → `backlog`, unassign.
   * Only its assignee may (NotHolder otherwise). Labels before unassigning,
   * the mirror of the claim: "in-progress with no assignee" is what other
   * pollers' stale sweeps block, so it must never show, even for a moment.
   */
  async release(n: number, reason = "Released"): Promise<void> {
    await this.#mustHold(n, "release");
    await api.postComment(
      this.http,
      this.slug,
      n,
      releaseBody(this.options.me, reason, this.options.now()),
    );
    await api.addIssueLabels(this.http, this.slug, n, [await this.#labelId("backlog")]);
    await api.removeIssueLabel(this.http, this.slug, n, await this.#labelId("in-progress"));
    await api.setAssignees(this.http, this.slug, n, []);
  }

  /**
   * Mark stuck: a comment with the reason and a UTC timestamp, `in-progress` →
   * `blocked`. Only its assignee may (NotHolder otherwise); the stale sweep,
   * which blocks issues nobody holds, is the one exception.
   */
  async block(n: number, reason: string): Promise<void> {
    await this.#mustHold(n, "block");
    await this.#block(n, reason);
  }

  async #block(n: number, reason: string): Promise<void> {
    const at = new Date(this.options.now()).toISOString();
    await api.postComment(
      this.http,
      this.slug,
      n,
      `${RELEASE_MARKER}\nBlocked at ${at} by @${this.options.me}: ${reason}`,
    );
    // Labels first, then unassign (as in release).
    await api.addIssueLabels(this.http, this.slug, n, [await this.#labelId("blocked")]);
    await api.removeIssueLabel(this.http, this.slug, n, await this.#labelId("in-progress"));
    const issue = await api.getIssue(this.http, this.slug, n);
    if (issue && logins(issue).some((a) => a.toLowerCase() === this.options.me.toLowerCase())) {
      await api.setAssignees(this.http, this.slug, n, []);
    }
  }

  async close(n: number): Promise<void> {
    await api.editIssue(this.http, this.slug, n, { state: "closed" });
  }

  /** Whether every dependency of the issue is closed. */
  ready(issue: Pick<api.Issue, "body">): Promise<{ ready: boolean; open: number[] }> {
    return dependenciesClosed(issue.body, async (dep) => {
      const found = await api.getIssue(this.http, this.slug, dep);
      return found ? found.state : null;
    });
  }

  /**
   * What to work on next: my own in-progress issue, else the first backlog issue
   * (priority, then oldest) whose dependencies are closed; null when nothing is.
   */
  async next(): Promise<{ action: "resume" | "claim"; issue: number } | null> {
    const issues = await api.listIssues(this.http, this.slug, { state: "open" });
    const queue = devQueue(
      issues.map((issue) => ({ ...issue, labels: labelNames(issue), assignees: logins(issue) })),
      this.options.me,
    );
    if (queue.resume !== null) return { action: "resume", issue: queue.resume };
    const byNumber = new Map(issues.map((issue) => [issue.number, issue]));
    for (const n of queue.backlog) {
      if ((await this.ready(byNumber.get(n)!)).ready) return { action: "claim", issue: n };
    }
    return null;
  }

  /** Stale detection over every open in-progress issue; stale ones become `blocked`. */
  async sweep(options: { dryRun?: boolean } = {}): Promise<SweepResult[]> {
    const issues = await api.listIssues(this.http, this.slug, { labels: "in-progress" });
    const candidates = issues.filter((issue) => labelNames(issue).includes("in-progress"));
    if (candidates.length === 0) return [];
    const pulls = await api.openPullsFrom(this.http, this.slug);
    const branches = new Set(pulls.map((pull) => pull.head.ref));
    const results: SweepResult[] = [];
    for (const issue of candidates) {
      const n = issue.number;
      const timeline = await api.timeline(this.http, this.slug, n);
      const decision = decideStale(
        {
          state: issue.state,
          labels: labelNames(issue),
          assignees: logins(issue),
          timeline,
          hasOpenPr: branches.has(`fix/issue-${n}`),
          lockHeld: (await this.options.lockHeld?.(n)) ?? false,
        },
        this.options.now(),
        this.options.graceMs ?? GRACE_MS,
      );
      let relabelled = false;
      if (decision.stale && !options.dryRun) {
        await this.#block(n, `stale: ${decision.reason}`);
        relabelled = true;
      }
      results.push({ issue: n, stale: decision.stale, reason: decision.reason, relabelled });
    }
    return results;
  }
}
