/**
 * `{{var}}` placeholders in formula text. A placeholder is `{{name}}`, with
 * optional spaces or tabs inside the braces (`{{ name }}`); `\{{` stands for
 * a literal `{{`. Any other `{{` is malformed, so a typo never reaches an agent
 * as text. Substitution is one pass: a value containing `{{` stays as it is.
 */

export type TemplatePart = { text: string } | { name: string };

export type ParsedTemplate =
  | { ok: true; parts: TemplatePart[] }
  | { ok: false; snippet: string };

const OPENING = /\\\{\{|\{\{/g;
const PLACEHOLDER = /\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}/y;

/** Split `text` into literal runs and placeholders, or name the first malformed `{{`. */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let literal = "";
  let from = 0;
  for (const match of text.matchAll(OPENING)) {
    const at = match.index;
    if (at < from) continue;
    literal += text.slice(from, at);
    if (match[0].startsWith("\\")) {
      literal += "{{";
      from = at + 3;
      continue;
    }
    PLACEHOLDER.lastIndex = at;
    const placeholder = PLACEHOLDER.exec(text);
    if (!placeholder) return { ok: false, snippet: snippetAt(text, at) };
    if (literal) parts.push({ text: literal });
    literal = "";
    parts.push({ name: placeholder[1]! });
    from = PLACEHOLDER.lastIndex;
  }
  literal += text.slice(from);
  if (literal) parts.push({ text: literal });
  return { ok: true, parts };
}

/** The variable names a template uses, in order of first use. */
export function placeholderNames(parts: readonly TemplatePart[]): string[] {
  const names = new Set<string>();
  for (const part of parts) if ("name" in part) names.add(part.name);
  return [...names];
}

/** Join the parts with each placeholder replaced by its value; a missing value is an error. */
export function fillTemplate(
  parts: readonly TemplatePart[],
  values: Readonly<Record<string, string>>,
): string {
  return parts.map((part) => {
    if ("text" in part) return part.text;
    const value = values[part.name];
    if (value === undefined) throw new Error(`No value for variable "${part.name}"`);
    return value;
  }).join("");
}

/** The malformed placeholder as the user wrote it: up to the closing braces, one line, short. */
function snippetAt(text: string, at: number): string {
  const line = text.slice(at).split("\n")[0]!;
  const close = line.indexOf("}}");
  const end = close === -1 ? Math.min(line.length, 30) : Math.min(close + 2, 40);
  return line.slice(0, end);
}
