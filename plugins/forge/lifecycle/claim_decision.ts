/**
 * Who wins a claim (SPEC §6.2). The forge has no compare-and-swap, so the
 * winner is decided by something every claimer sees in the same order:
 * comment ids, which the forge hands out in one global sequence. Each
 * claimer posts a claim comment, then reads the comments back; the claim
 * with the lowest id after the last release marker wins.
 *
 * Losers leave their claim comment in place (it records the attempt and,
 * having a higher id, can never change the outcome) and change nothing else.
 * A claim older than CLAIM_TTL_MS whose author never became the assignee is
 * void: its claimer died between posting and assigning.
 */

export const CLAIM_MARKER = "<!-- disinto:claim -->";
export const RELEASE_MARKER = "<!-- disinto:release -->";
export const CLAIM_TTL_MS = 10 * 60_000;

export interface CommentFacts {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
}

export function claimBody(user: string, now: number): string {
  return `${CLAIM_MARKER}\nClaimed by @${user} at ${new Date(now).toISOString()}.`;
}

export function releaseBody(user: string, reason: string, now: number): string {
  return `${RELEASE_MARKER}\n${reason} (by @${user} at ${new Date(now).toISOString()}).`;
}

/** The winning claim's author, or null when there is no live claim. */
export function claimWinner(
  comments: readonly CommentFacts[],
  assignees: readonly string[],
  now: number,
): string | null {
  const sorted = [...comments].sort((a, b) => a.id - b.id);
  let lastRelease = -Infinity;
  for (const comment of sorted) {
    if (comment.body.includes(RELEASE_MARKER)) lastRelease = comment.id;
  }
  const assigned = new Set(assignees.map((a) => a.toLowerCase()));
  for (const comment of sorted) {
    if (comment.id <= lastRelease || !comment.body.startsWith(CLAIM_MARKER)) continue;
    const login = comment.user.login;
    const age = now - Date.parse(comment.created_at);
    if (age > CLAIM_TTL_MS && !assigned.has(login.toLowerCase())) continue;
    return login;
  }
  return null;
}
