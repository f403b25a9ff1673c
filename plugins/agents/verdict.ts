/**
 * The review verdict in an agent's final answer. The review-pr formula asks
 * the agent to end its answer with one line `VERDICT: APPROVE` or
 * `VERDICT: REQUEST_CHANGES`; the last such line wins. An answer without one
 * (or with anything else after `VERDICT:`) is unclear and posted as a plain
 * COMMENT review, which neither approves nor blocks, so a human can look.
 */
export type ReviewEvent = "APPROVED" | "REQUEST_CHANGES" | "COMMENT";

const MARKER = /^[ \t>*_`]*VERDICT:[ \t]*([A-Z_]+)[ \t*_`]*$/gim;

export function verdictOf(answer: string): ReviewEvent {
  let last: string | null = null;
  for (const match of answer.matchAll(MARKER)) last = match[1]!.toUpperCase();
  if (last === "APPROVE" || last === "APPROVED") return "APPROVED";
  if (last === "REQUEST_CHANGES") return "REQUEST_CHANGES";
  return "COMMENT";
}

/**
 * The review body: the answer without its verdict lines. An empty one gets a
 * note unless it approves: Forgejo refuses REQUEST_CHANGES and COMMENT
 * reviews without a body (422, routers/api/v1/repo/pull_review.go in v11).
 */
export function reviewBody(answer: string, event: ReviewEvent): string {
  const text = answer.replace(MARKER, "").trim();
  if (text !== "") return text;
  if (event === "COMMENT") return "The review agent gave no clear verdict.";
  if (event === "REQUEST_CHANGES") {
    return "The review agent asked for changes without saying which; see the run log.";
  }
  return "";
}
