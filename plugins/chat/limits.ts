/**
 * Per-user limits: requests per hour and per day, tokens per day, over
 * sliding windows, kept on disk (one JSON file per user) so a restart does
 * not hand out a fresh allowance. A refusal says when the allowance comes
 * back: the moment the oldest entry that keeps the user over leaves its window.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/fs/atomic_write.ts";
import { withLock } from "../../core/lock/flock_lock.ts";
import { pathSafeUser } from "./user_path.ts";

export const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;

/** Each limit; 0 turns that limit off. */
export interface ChatLimits {
  requestsPerHour: number;
  requestsPerDay: number;
  tokensPerDay: number;
}

export const defaultLimits = {
  requestsPerHour: 30,
  requestsPerDay: 200,
  tokensPerDay: 2_000_000,
} satisfies ChatLimits;

export type LimitVerdict =
  | { ok: true }
  | { ok: false; limit: keyof ChatLimits; resetAt: number };

export interface Usage {
  requestsLastHour: number;
  requestsLastDay: number;
  tokensLastDay: number;
}

interface Ledger {
  /** When each request was admitted (ms). */
  requests: number[];
  /** [when, tokens] of each finished reply. */
  tokens: [number, number][];
}

export class LimitBook {
  readonly #dir: string;
  readonly #limits: ChatLimits;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  /** Unreadable files already logged, so each says so once. */
  readonly #reported = new Set<string>();

  constructor(
    dir: string,
    limits: ChatLimits,
    now: () => number,
    log: (line: string) => void = () => {},
  ) {
    this.#dir = dir;
    this.#limits = limits;
    this.#now = now;
    this.#log = log;
  }

  /** Count a request if every limit allows it; otherwise say which limit and until when. */
  admit(user: string): Promise<LimitVerdict> {
    return this.#update(user, async () => {
      const now = this.#now();
      const read = await this.#read(user);
      const ledger = prune(read, now);
      const verdict = judge(ledger, this.#limits, now);
      if (verdict.ok) ledger.requests.push(now);
      // A refusal writes only to keep future entries dated now, so they leave their window.
      if (verdict.ok || hasFuture(read, now)) await this.#write(user, ledger);
      return verdict;
    });
  }

  /** Record the tokens a finished reply used (from the result's usage). */
  addTokens(user: string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return Promise.resolve();
    return this.#update(user, async () => {
      const now = this.#now();
      const ledger = prune(await this.#read(user), now);
      ledger.tokens.push([now, Math.round(tokens)]);
      await this.#write(user, ledger);
    });
  }

  async usage(user: string): Promise<Usage> {
    const now = this.#now();
    const ledger = prune(await this.#read(user), now);
    return {
      requestsLastHour: ledger.requests.filter((t) => t > now - HOUR_MS).length,
      requestsLastDay: ledger.requests.length,
      tokensLastDay: ledger.tokens.reduce((sum, [, n]) => sum + n, 0),
    };
  }

  /**
   * One read-modify-write at a time per user, across processes too: `chat serve`
   * and `disinto chat` share these files, and without the flock an update from
   * one could be lost and a user admitted past the limit.
   */
  #update<T>(user: string, work: () => Promise<T>): Promise<T> {
    return withLock(`${this.#file(user)}.lock`, { timeoutSeconds: 30 }, work);
  }

  #file(user: string): string {
    return join(this.#dir, `${pathSafeUser(user)}.json`);
  }

  /**
   * The user's ledger; a file that cannot be read or parsed (a disk fault, a
   * hand edit) counts as empty, said once in the log, rather than failing
   * every request of that user; malformed entries are skipped.
   */
  async #read(user: string): Promise<Ledger> {
    const file = this.#file(user);
    try {
      const ledger = parseLedger(await readFile(file, "utf8"));
      this.#reported.delete(file);
      return ledger;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && !this.#reported.has(file)) {
        this.#reported.add(file);
        const why = code ?? (error instanceof Error ? error.message : String(error));
        this.#log(`chat limits: ${file} is unreadable (${why}); counted as empty`);
      }
      return { requests: [], tokens: [] };
    }
  }

  async #write(user: string, ledger: Ledger): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await writeFileAtomic(this.#file(user), JSON.stringify(ledger) + "\n", { mode: 0o600 });
  }
}

/** A ledger from its file's text, keeping only well-formed entries; throws on bad JSON. */
function parseLedger(text: string): Ledger {
  const parsed: unknown = JSON.parse(text);
  const { requests, tokens } = (parsed && typeof parsed === "object" ? parsed : {}) as {
    requests?: unknown;
    tokens?: unknown;
  };
  return {
    requests: Array.isArray(requests) ? requests.filter(Number.isFinite) : [],
    tokens: Array.isArray(tokens)
      ? tokens.filter((entry): entry is [number, number] =>
        Array.isArray(entry) && entry.length === 2 && Number.isFinite(entry[0]) &&
        Number.isFinite(entry[1]) && entry[1] >= 0
      )
      : [],
  };
}

/**
 * Drop what has left the longest window (a day), and date anything in the
 * future (the clock stepped back) now: it still counts, but no refusal waits
 * longer than its window.
 */
function prune(ledger: Ledger, now: number): Ledger {
  const clamp = (t: number) => Math.min(t, now);
  return {
    requests: ledger.requests.map(clamp).filter((t) => t > now - DAY_MS).sort((a, b) => a - b),
    tokens: ledger.tokens
      .map(([t, n]): [number, number] => [clamp(t), n])
      .filter(([t]) => t > now - DAY_MS)
      .sort((a, b) => a[0] - b[0]),
  };
}

function hasFuture(ledger: Ledger, now: number): boolean {
  return ledger.requests.some((t) => t > now) || ledger.tokens.some(([t]) => t > now);
}

/** Whether one more request fits; if not, the first limit hit and when it lets one through. */
export function judge(ledger: Ledger, limits: ChatLimits, now: number): LimitVerdict {
  const hour = ledger.requests.filter((t) => t > now - HOUR_MS);
  if (limits.requestsPerHour > 0 && hour.length >= limits.requestsPerHour) {
    // The request that must age out for one more to fit.
    const pivot = hour[hour.length - limits.requestsPerHour]!;
    return { ok: false, limit: "requestsPerHour", resetAt: pivot + HOUR_MS };
  }
  const day = ledger.requests;
  if (limits.requestsPerDay > 0 && day.length >= limits.requestsPerDay) {
    const pivot = day[day.length - limits.requestsPerDay]!;
    return { ok: false, limit: "requestsPerDay", resetAt: pivot + DAY_MS };
  }
  let spent = ledger.tokens.reduce((sum, [, n]) => sum + n, 0);
  if (limits.tokensPerDay > 0 && spent >= limits.tokensPerDay) {
    for (const [when, n] of ledger.tokens) {
      spent -= n;
      if (spent < limits.tokensPerDay) {
        return { ok: false, limit: "tokensPerDay", resetAt: when + DAY_MS };
      }
    }
  }
  return { ok: true };
}
