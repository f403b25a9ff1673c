/**
 * The factory's `.env`: read with docker compose's rules for the forms we and
 * operators write, and updated in place — keys replaced where they stand or
 * appended, every other line (comments, unknown lines) kept byte for byte.
 */
import { chmod, readdir, readFile, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { withStateLock } from "./state_lock.ts";

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// `s`: a value may hold U+2028/U+2029 or \r, which `.` alone does not match.
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/s;

/** One line of an env file: an assignment or anything else (kept verbatim). */
type EnvLine =
  | { kind: "assignment"; key: string; value: string; raw: string }
  | { kind: "other"; raw: string };

/** Parse `.env` text into key → value (the last assignment of a key wins, as in compose). */
export function parseEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of splitEnvLines(text)) {
    if (line.kind === "assignment") values.set(line.key, line.value);
  }
  return values;
}

/** Split into logical lines; a quoted value may span several physical lines. */
function splitEnvLines(text: string): EnvLine[] {
  const lines: EnvLine[] = [];
  const physical = text.split("\n");
  for (let i = 0; i < physical.length; i++) {
    let raw = physical[i]!;
    if (i === physical.length - 1 && raw === "") break;
    const match = ASSIGNMENT.exec(raw);
    if (!match) {
      lines.push({ kind: "other", raw });
      continue;
    }
    let rest = match[2]!.trimStart();
    const quote = rest[0];
    if ((quote === '"' || quote === "'") && !closesQuote(rest.slice(1), quote)) {
      // Multi-line quoted value: take lines until the closing quote.
      while (i + 1 < physical.length && !closesQuote(rest.slice(1), quote)) {
        i++;
        raw += "\n" + physical[i];
        rest += "\n" + physical[i];
      }
    }
    lines.push({ kind: "assignment", key: match[1]!, value: parseValue(rest), raw });
  }
  return lines;
}

function closesQuote(body: string, quote: string): boolean {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === "\\") {
      i++;
      continue;
    }
    if (body[i] === quote) return true;
  }
  return false;
}

function parseValue(rest: string): string {
  if (rest.startsWith("'")) {
    const end = rest.indexOf("'", 1);
    return end < 0 ? rest.slice(1) : rest.slice(1, end);
  }
  if (rest.startsWith('"')) {
    let out = "";
    for (let i = 1; i < rest.length; i++) {
      const ch = rest[i]!;
      if (ch === '"') break;
      if (ch === "\\" && i + 1 < rest.length) {
        const next = rest[++i]!;
        out += ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[next] ?? next;
        continue;
      }
      out += ch;
    }
    return out;
  }
  // Unquoted: an inline comment starts at " #"; surrounding blanks are dropped.
  const comment = rest.search(/\s#/);
  return (comment >= 0 ? rest.slice(0, comment) : rest).trim();
}

/**
 * Quote a value so docker compose reads it back unchanged: bare when it is
 * plain, single quotes (no interpolation) when it has special characters,
 * double quotes with escapes when it holds a single quote or a line break.
 */
export function formatEnvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return value;
  if (!value.includes("'") && !/[\n\r]/.test(value)) return `'${value}'`;
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\$/g, "\\$")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r");
  return `"${escaped}"`;
}

/**
 * Apply updates to `.env` text: each key's assignments are rewritten where
 * they stand, new keys are appended in the order given; nothing else changes.
 */
export function applyEnvUpdates(text: string, updates: Readonly<Record<string, string>>): string {
  for (const key of Object.keys(updates)) {
    if (!KEY.test(key)) {
      throw new TypeError(`Invalid .env key "${key}": expected [A-Za-z_][A-Za-z0-9_]*`);
    }
  }
  const lines = splitEnvLines(text);
  const seen = new Set<string>();
  let changed = false;
  const out = lines.map((line) => {
    if (line.kind !== "assignment" || !Object.hasOwn(updates, line.key)) return line.raw;
    seen.add(line.key);
    const wanted = updates[line.key]!;
    // Keep the operator's own formatting when the value is already right.
    if (line.value === wanted) return line.raw;
    changed = true;
    return `${line.key}=${formatEnvValue(wanted)}`;
  });
  for (const [key, value] of Object.entries(updates)) {
    if (seen.has(key)) continue;
    changed = true;
    out.push(`${key}=${formatEnvValue(value)}`);
  }
  if (!changed) return text;
  return out.length === 0 ? "" : out.join("\n") + "\n";
}

/** Read `.env` as text; a missing file is empty. */
export async function readEnvText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/** Read `.env` into key → value; a missing file is empty. */
export async function readEnvFile(path: string): Promise<Map<string, string>> {
  return parseEnv(await readEnvText(path));
}

/**
 * Update `.env` atomically with mode 0600. Returns true when the file changed;
 * when nothing changes the file is not rewritten at all.
 *
 * Writers take `state/env.lock` beside the file, so two commands updating
 * `.env` at once (init and hire-an-agent) cannot lose each other's keys, and
 * the holder may clear temp files a killed writer left behind (they hold
 * secrets, even if only readable by the owner).
 */
export function updateEnvFile(
  path: string,
  updates: Readonly<Record<string, string>>,
): Promise<boolean> {
  return withStateLock(dirname(path), "env", async () => {
    await removeAbandonedTemps(path);
    const before = await readEnvText(path);
    const after = applyEnvUpdates(before, updates);
    if (after === before && before !== "") {
      await chmod(path, 0o600);
      return false;
    }
    if (after === "" && Object.keys(updates).length === 0) return false;
    await writeFileAtomic(path, after, { mode: 0o600 });
    return true;
  });
}

/** Temp files of writeFileAtomic for `path` (`.<name>.<id>.tmp`) left by a killed writer. */
async function removeAbandonedTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) {
      await rm(join(dirname(path), name), { force: true });
    }
  }
}
