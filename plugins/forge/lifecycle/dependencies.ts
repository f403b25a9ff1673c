/**
 * Issue dependencies (SPEC §6.2): `#N` references under a "Depends on" /
 * "Blocked by" / "Dependencies" heading, or on a line that says "depends on"
 * or "blocked by". Code fences and inline code are ignored.
 */

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const DEP_HEADING = /^(depends\s+on|blocked\s+by|dependencies)\b/i;
/** A bold pseudo-heading on its own line, e.g. `**Depends on:**`. */
const BOLD_HEADING =
  /^\s*(\*\*|__)(depends\s+on|blocked\s+by|dependencies)\s*:?\s*(\*\*|__)\s*:?\s*$/i;
const INLINE = /\b(depends\s+on|blocked\s+by)\b/i;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const REFERENCE = /(?<![\w/&])#(\d+)\b/g;

/** The issue numbers an issue body depends on, sorted, without duplicates. */
export function parseDependencies(body: string | null | undefined): number[] {
  const found = new Set<number>();
  let fence: string | null = null;
  let inSection = false;
  for (const rawLine of (body ?? "").split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(rawLine);
    if (fence !== null) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) {
        fence = null;
      }
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      continue;
    }
    const line = rawLine.replace(/`[^`]*`/g, "");
    const heading = HEADING.exec(line);
    if (heading) {
      inSection = DEP_HEADING.test(heading[2]!);
      continue;
    }
    if (BOLD_HEADING.test(line)) {
      inSection = true;
      continue;
    }
    if (inSection || INLINE.test(line)) {
      for (const match of line.matchAll(REFERENCE)) found.add(Number(match[1]));
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** Ready when every dependency is closed; `state` answers for one issue number. */
export async function dependenciesClosed(
  body: string | null | undefined,
  state: (issue: number) => Promise<"open" | "closed" | null>,
): Promise<{ ready: boolean; open: number[] }> {
  const open: number[] = [];
  for (const issue of parseDependencies(body)) {
    // An issue that does not exist cannot block anything.
    if ((await state(issue)) === "open") open.push(issue);
  }
  return { ready: open.length === 0, open };
}
