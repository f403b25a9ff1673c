/**
 * One agent run as the poll cycles see it: did it succeed, why not, and its
 * final answer (the review verdict is read from it). The runner chain may
 * answer an exit code or a richer outcome; when the outcome names the run's
 * stream-json log instead of carrying the text, the answer is the `result`
 * of the log's last `result` event.
 */
import { readFile } from "node:fs/promises";

export interface AgentOutcome {
  success: boolean;
  /** Why it failed (or how it ended), one line. */
  reason: string;
  /** The agent's final answer ("" when unknown). */
  answer: string;
}

type Loose = Record<string, unknown>;

const text = (value: unknown): string | null => typeof value === "string" ? value : null;

/** The `result` text of the last `result` event of an NDJSON stream. */
export function lastResultText(ndjson: string): string | null {
  let found: string | null = null;
  for (const line of ndjson.split("\n")) {
    if (!line.includes('"result"')) continue;
    try {
      const event = JSON.parse(line) as Loose;
      if (event?.type === "result" && typeof event.result === "string") found = event.result;
    } catch {
      // A garbage line is not an event.
    }
  }
  return found;
}

export async function outcomeOf(raw: unknown): Promise<AgentOutcome> {
  if (typeof raw === "number") {
    return { success: raw === 0, reason: raw === 0 ? "exit 0" : `exit code ${raw}`, answer: "" };
  }
  const outcome = (typeof raw === "object" && raw !== null ? raw : {}) as Loose;
  const success = outcome.success === true;
  let answer = text(outcome.result) ?? text(outcome.answer) ?? text(outcome.text);
  const log = text(outcome.logPath) ?? text(outcome.logFile) ?? text(outcome.log);
  if (answer === null && log !== null) {
    answer = await readFile(log, "utf8").then(lastResultText, () => null);
  }
  return {
    success,
    reason: text(outcome.reason) ?? (success ? "success" : "the agent failed"),
    answer: answer ?? "",
  };
}
