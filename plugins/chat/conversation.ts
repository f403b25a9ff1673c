/**
 * One user's side of the chat, shared by the web server and the terminal:
 * a message is checked against the user's limits, written to the history,
 * and answered by a turn of the agent CLI as the user's reply in flight.
 * The Claude session a turn continues is the one this user's previous turn
 * left, kept on the server by user; a client never names a session, so no
 * user can resume another's.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/fs/atomic_write.ts";
import { readJsonRecord } from "../../core/lock/json_record.ts";
import { type ChatRole, HistoryStore } from "./history.ts";
import { KeyedSerial } from "./keyed_serial.ts";
import { type ChatLimits, LimitBook, type LimitVerdict } from "./limits.ts";
import { type Reply, ReplyBoard, type ReplyOutcome } from "./replies.ts";
import { pathSafeUser } from "./user_path.ts";

/** The longest message accepted, in characters. */
export const MAX_MESSAGE_CHARS = 20_000;

export interface TurnInput {
  user: string;
  prompt: string;
  /** The user's own previous Claude session, to continue. */
  resume: string | null;
  /** The user's own working directory. */
  cwd: string;
  signal: AbortSignal;
  /** Reply text as it arrives. */
  onText(text: string): void;
}

export interface TurnOutcome {
  outcome: ReplyOutcome;
  /** The whole reply text (what the history keeps). */
  text: string;
  sessionId: string | null;
  /** Tokens the turn used, counted against the daily limit. */
  tokens: number;
  /** Why a failed turn failed, one line, no secrets. */
  message?: string;
}

/** Runs one turn of the agent CLI. */
export type TurnRunner = (input: TurnInput) => Promise<TurnOutcome>;

export interface ConversationOptions {
  /** The chat's state directory (`<factory>/state/chat`). */
  stateDir: string;
  limits: ChatLimits;
  runTurn: TurnRunner;
  now(): number;
  /** Where a damaged state file is reported (one line). */
  log?: (line: string) => void;
}

export type SendResult =
  | { kind: "started"; reply: Reply }
  | { kind: "busy"; reply: Reply }
  | { kind: "limited"; verdict: Extract<LimitVerdict, { ok: false }> }
  | { kind: "invalid"; message: string }
  /** The replies were stopped for shutdown; none starts any more. */
  | { kind: "closed" };

export class Conversation {
  readonly history: HistoryStore;
  readonly limits: LimitBook;
  readonly board = new ReplyBoard();
  readonly #options: ConversationOptions;
  readonly #admitting = new KeyedSerial();

  constructor(options: ConversationOptions) {
    this.#options = options;
    this.history = new HistoryStore(join(options.stateDir, "history"));
    this.limits = new LimitBook(
      join(options.stateDir, "limits"),
      options.limits,
      options.now,
      options.log,
    );
  }

  send(user: string, content: unknown): Promise<SendResult> {
    if (typeof content !== "string" || content.trim() === "") {
      return Promise.resolve({
        kind: "invalid",
        message: "content: expected a non-empty message",
      });
    }
    if (content.length > MAX_MESSAGE_CHARS) {
      return Promise.resolve({
        kind: "invalid",
        message: `content: expected at most ${MAX_MESSAGE_CHARS} characters`,
      });
    }
    // One message of a user at a time from the check to the start: a second
    // sent meanwhile sees the first's reply (busy), not counted nor stored.
    return this.#admitting.run<SendResult>(user, async () => {
      if (this.board.closed) return { kind: "closed" };
      const running = this.board.current(user);
      if (running) return { kind: "busy", reply: running };
      const verdict = await this.limits.admit(user);
      if (!verdict.ok) return { kind: "limited", verdict };
      await this.#note(user, "user", content);
      const reply = this.board.start(user, (r) => this.#answer(user, content, r))!;
      return { kind: "started", reply };
    });
  }

  async #answer(user: string, prompt: string, reply: Reply) {
    const safe = pathSafeUser(user);
    const cwd = join(this.#options.stateDir, "work", safe);
    await mkdir(cwd, { recursive: true, mode: 0o700 });
    let text = "";
    const turn = await this.#options.runTurn({
      user,
      prompt,
      resume: await this.#session(safe),
      cwd,
      signal: reply.signal,
      onText: (piece) => {
        text += piece;
        reply.push({ type: "text", text: piece });
      },
    });
    if (turn.sessionId) await this.#saveSession(safe, turn.sessionId);
    await this.limits.addTokens(user, turn.tokens);
    const shown = text || turn.text;
    if (!text && turn.text) reply.push({ type: "text", text: turn.text });
    if (shown) await this.#note(user, "assistant", shown);
    if (turn.outcome === "stopped") await this.#note(user, "system", "Reply stopped.");
    if (turn.outcome === "failed") {
      await this.#note(user, "system", `Reply failed: ${turn.message ?? "unknown error"}`);
    }
    return turn.message === undefined
      ? { outcome: turn.outcome }
      : { outcome: turn.outcome, message: turn.message };
  }

  #note(user: string, role: ChatRole, content: string): Promise<void> {
    const ts = new Date(this.#options.now()).toISOString();
    return this.history.append({ ts, user, role, content });
  }

  #sessionFile(safe: string): string {
    return join(this.#options.stateDir, "sessions", `${safe}.json`);
  }

  async #session(safe: string): Promise<string | null> {
    const { sessionId } = await readJsonRecord(this.#sessionFile(safe));
    return typeof sessionId === "string" ? sessionId : null;
  }

  async #saveSession(safe: string, sessionId: string): Promise<void> {
    await mkdir(join(this.#options.stateDir, "sessions"), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#sessionFile(safe), JSON.stringify({ sessionId }) + "\n", {
      mode: 0o600,
    });
  }
}
