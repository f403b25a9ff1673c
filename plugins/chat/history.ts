/**
 * Chat history: one append-only NDJSON file per user
 * (`<dir>/<path-safe user>.ndjson`), one `{ts, user, role, content}` line per
 * message. Appends use O_APPEND, so a line is never interleaved with another;
 * a torn last line (a crash mid-write) is skipped when reading.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathSafeUser } from "./user_path.ts";

export type ChatRole = "user" | "assistant" | "system";

export interface HistoryEntry {
  ts: string;
  user: string;
  role: ChatRole;
  content: string;
}

const ROLES = new Set<string>(["user", "assistant", "system"]);

export class HistoryStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async append(entry: HistoryEntry): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const line = JSON.stringify({
      ts: entry.ts,
      user: entry.user,
      role: entry.role,
      content: entry.content,
    });
    await appendFile(this.#file(entry.user), line + "\n", { mode: 0o600 });
  }

  /** The user's last `limit` entries, oldest first. */
  async read(user: string, limit = 500): Promise<HistoryEntry[]> {
    let text: string;
    try {
      text = await readFile(this.#file(user), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const entries: HistoryEntry[] = [];
    for (const line of text.split("\n")) {
      const entry = parseLine(line);
      if (entry) entries.push(entry);
    }
    return entries.slice(-limit);
  }

  #file(user: string): string {
    return join(this.#dir, `${pathSafeUser(user)}.ndjson`);
  }
}

function parseLine(line: string): HistoryEntry | null {
  if (line.trim() === "") return null;
  try {
    const value = JSON.parse(line);
    return typeof value?.ts === "string" && typeof value.user === "string" &&
        ROLES.has(value.role) && typeof value.content === "string"
      ? value
      : null;
  } catch {
    return null;
  }
}
