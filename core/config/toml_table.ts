/**
 * Surgical edits of a TOML file: replace one table (with its sub-tables) and
 * leave every other byte of the file as it was, comments and order included.
 */
import { parse, stringify } from "smol-toml";

/** A header line: `[a.b]` or `[[a.b]]`, with an optional trailing comment. */
const HEADER = /^\s*(\[\[?)\s*([^\]]+?)\s*(\]\]?)\s*(#.*)?$/;

interface Header {
  line: number;
  path: string[];
}

/** Split a dotted key (`agents."my agent"`) into its parts. */
export function splitDottedKey(key: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const ch of key) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ".") {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

/** Find header lines, skipping lines inside multi-line strings. */
function findHeaders(lines: readonly string[]): Header[] {
  const headers: Header[] = [];
  let openString: '"""' | "'''" | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (openString === null) {
      const match = HEADER.exec(line);
      if (match) headers.push({ line: i, path: splitDottedKey(match[2]!) });
    }
    openString = trackMultilineStrings(line, openString);
  }
  return headers;
}

/** After reading `line`, are we inside a multi-line string, and which kind? */
function trackMultilineStrings(
  line: string,
  open: '"""' | "'''" | null,
): '"""' | "'''" | null {
  let state = open;
  let i = 0;
  while (i < line.length) {
    if (state) {
      if (state === '"""' && line[i] === "\\") {
        i += 2;
        continue;
      }
      if (line.startsWith(state, i)) {
        state = null;
        i += 3;
        continue;
      }
      i++;
      continue;
    }
    const ch = line[i];
    if (ch === "#") break;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      state = line.slice(i, i + 3) as '"""' | "'''";
      i += 3;
      continue;
    }
    if (ch === '"' || ch === "'") {
      // A one-line string: skip to its end.
      i++;
      while (i < line.length && line[i] !== ch) i += ch === '"' && line[i] === "\\" ? 2 : 1;
    }
    i++;
  }
  return state;
}

function startsWithPath(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => path[i] === part);
}

/** Render `[a.b]` followed by `key = value` lines, in the order given. */
export function renderTable(path: readonly string[], values: Record<string, unknown>): string {
  const header = path.map((part) => /^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))
    .join(".");
  return `[${header}]\n${stringify(values)}`.replace(/\n*$/, "\n");
}

/**
 * Replace the table at `path` (and any of its sub-tables) with `tableText`, or
 * append it when absent. Comments and blank lines just before the next table
 * stay with that table. A table that appears several times (a corrupted file)
 * is collapsed into the first place. The result is parsed to make sure it is
 * still valid TOML.
 */
export function replaceTable(text: string, path: readonly string[], tableText: string): string {
  const lines = text.split("\n");
  const headers = findHeaders(lines);
  const spans: Array<[number, number]> = [];
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h]!;
    if (!startsWithPath(header.path, path)) continue;
    let end = h + 1 < headers.length ? headers[h + 1]!.line : lines.length;
    // Comments and blank lines at the end stay: they introduce what follows.
    while (end - 1 > header.line && /^\s*(#.*)?$/.test(lines[end - 1]!)) end--;
    spans.push([header.line, end]);
  }
  const block = tableText.replace(/\n+$/, "").split("\n");
  if (spans.length === 0) {
    const separator = text === "" || text.endsWith("\n\n")
      ? ""
      : text.endsWith("\n")
      ? "\n"
      : "\n\n";
    const appended = text + separator + block.join("\n") + "\n";
    parse(appended);
    return appended;
  }
  const out: string[] = [];
  let cursor = 0;
  spans.forEach(([start, end], index) => {
    out.push(...lines.slice(cursor, start));
    if (index === 0) out.push(...block);
    // A later duplicate goes with the blank lines that separated it.
    else while (out.length > 0 && out[out.length - 1] === "") out.pop();
    cursor = end;
  });
  out.push(...lines.slice(cursor));
  const result = out.join("\n");
  parse(result);
  return result;
}
