/**
 * Chat history: one append-only NDJSON file per user
 * (`<dir>/<path-safe user>.ndjson`), one `{ts, user, role, content}` line per
 * message. Appends use O_APPEND, so a line is never interleaved with another;
 * a torn last line (a crash mid-write) is skipped when reading.
 */
import { Buffer } from "node:buffer";
import { appendFile, type FileHandle, mkdir, open } from "node:fs/promises";
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

const TAIL_CHUNK_BYTES = 64 * 1024;
/** The most of a history read for one page (the newest entries are the ones shown). */
export const MAX_TAIL_BYTES = 32 * 1024 * 1024;

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

  /**
   * The user's last `limit` entries, oldest first. The file only grows, so it
   * is read from its end, in growing chunks, until `limit` entries are found,
   * the start is reached, or at least `MAX_TAIL_BYTES` have been read.
   */
  async read(user: string, limit = 500): Promise<HistoryEntry[]> {
    let file: FileHandle;
    try {
      file = await open(this.#file(user), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    try {
      const chunks: Buffer[] = [];
      let position = (await file.stat()).size;
      let entries: HistoryEntry[] = [];
      // Doubling, so the re-reads of what was gathered stay linear in all.
      for (let size = TAIL_CHUNK_BYTES; position > 0; size *= 2) {
        const length = Math.min(size, position);
        position -= length;
        const chunk = Buffer.alloc(length);
        await file.read(chunk, 0, length, position);
        chunks.unshift(chunk);
        const tail = Buffer.concat(chunks);
        // Above `position` the first line may be cut: start after its newline.
        // (A newline byte never occurs inside a UTF-8 character.)
        const from = position === 0 ? 0 : tail.indexOf(0x0a) + 1;
        if (from === 0 && position > 0) continue;
        entries = parseLines(tail.subarray(from).toString("utf8"));
        if (entries.length >= limit || tail.length >= MAX_TAIL_BYTES) break;
      }
      return entries.slice(-limit);
    } finally {
      await file.close();
    }
  }

  #file(user: string): string {
    return join(this.#dir, `${pathSafeUser(user)}.ndjson`);
  }
}

function parseLines(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const line of text.split("\n")) {
    const entry = parseLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
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
