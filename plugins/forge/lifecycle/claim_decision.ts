/**
 * Who wins a claim (SPEC §6.2). The forge has no compare-and-swap, so the
 * winner is decided by something every claimer sees in the same order:
 * comment ids, which the forge hands out in one global sequence. Each
 * claimer posts a claim comment, then reads the comments back; the claim
 * with the lowest id after the claimant's last release marker wins.
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

/**
 * The winning claim's author, or null when there is no live claim. In id
 * order, the first live claim becomes the claimant; a release marker resets
 * the order only when the claimant posted it (anyone else's marker, a loser's
 * or a bystander's, changes nothing), and the next live claim after it wins.
 * `now` is the forge's clock (its `Date` header), as the claims' `created_at`.
 */
export function claimWinner(
  comments: readonly CommentFacts[],
  assignees: readonly string[],
  now: number,
): string | null {
  const sorted = [...comments].sort((a, b) => a.id - b.id);
  const assigned = new Set(assignees.map((a) => a.toLowerCase()));
  let claimant: string | null = null;
  for (const comment of sorted) {
    const login = comment.user.login;
    if (comment.body.includes(RELEASE_MARKER)) {
      if (claimant !== null && login.toLowerCase() === claimant.toLowerCase()) claimant = null;
      continue;
    }
    if (claimant !== null || !comment.body.startsWith(CLAIM_MARKER)) continue;
    const age = now - Date.parse(comment.created_at);
    if (age > CLAIM_TTL_MS && !assigned.has(login.toLowerCase())) continue;
    claimant = login;
  }
  return claimant;
}
