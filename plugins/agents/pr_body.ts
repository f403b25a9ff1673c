/**
 * The body of the PR a dev agent opens: `Closes #<n>` and the agent's own
 * summary. Forgejo closes every issue a merged PR's body references after a
 * closing keyword ("fixes #7", "Resolves: #7"; modules/references/references.go,
 * makeKeywordsPat, with setting.Repository.PullRequest.CloseKeywords), so a
 * summary saying "this also fixes #7" would close #7 on merge. Such a
 * reference to any other issue is reworded ("fixes issue #7"): still a link,
 * no longer a closing one.
 */

const CLOSING =
  /(^|[\s([])(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(:?)([ \t]+)((?:[\w.-]+\/[\w.-]+)?#(\d+))/gim;

export function pullBody(issue: number, summary: string): string {
  const safe = summary.replace(
    CLOSING,
    (all, before, word, colon, _space, ref, n) =>
      ref === `#${issue}` && Number(n) === issue ? all : `${before}${word}${colon} issue ${ref}`,
  );
  return `Closes #${issue}\n${safe ? `\n${safe}\n` : ""}`;
}

/**
 * The first issue of this repository a body closes by Forgejo's pattern
 * (`Closes #n`, `fixes: #n`…; a reference to another repository does not
 * count); null when there is none.
 */
export function closedIssue(body: string): number | null {
  for (const match of body.matchAll(CLOSING)) {
    if (match[5] === `#${match[6]}`) return Number(match[6]);
  }
  return null;
}
