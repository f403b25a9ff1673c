/**
 * Keeps secrets out of output: every value registered here is replaced by
 * "***" in anything written through a redacting Output.
 */
import type { Output } from "./context.ts";

/** Names whose values are secrets: tokens, passwords, keys. */
export const SECRET_NAME = /(TOKEN|PASS|PASSWORD|SECRET|API_KEY|PRIVATE_KEY)/i;

/** Secrets shorter than this are not redacted: they would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  #secrets = new Set<string>();

  /** Register a secret value; short or empty values are ignored. */
  add(value: string | undefined): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.#secrets.add(value);
  }

  /** Register every value whose name looks like a secret. */
  addFromEnv(env: Readonly<Record<string, string | undefined>>): void {
    for (const [name, value] of Object.entries(env)) if (SECRET_NAME.test(name)) this.add(value);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join("***");
    }
    return out;
  }

  wrap(output: Output): Output {
    return {
      isTTY: output.isTTY,
      write: (text) => output.write(this.redact(text)),
    };
  }

  /**
   * A redacting Output for text that arrives in chunks (a child's output): a
   * secret split across two writes is still caught. The end of each write
   * that could be the start of a secret is held back until the next write
   * shows whether it is one; `end()` writes what is still held.
   */
  stream(output: Output): Output & { end(): void } {
    let held = "";
    return {
      isTTY: output.isTTY,
      write: (text) => {
        const redacted = this.redact(held + text);
        const keep = this.#secretPrefixLength(redacted);
        held = redacted.slice(redacted.length - keep);
        const ready = redacted.slice(0, redacted.length - keep);
        if (ready) output.write(ready);
      },
      end: () => {
        if (held) output.write(this.redact(held));
        held = "";
      },
    };
  }

  /** The length of the longest end of `text` that is the start (not the whole) of a secret. */
  #secretPrefixLength(text: string): number {
    let longest = 0;
    for (const secret of this.#secrets) {
      for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
        if (text.endsWith(secret.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}

/** Redact credentials in a URL: user info and token-like query values. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = "***";
    if (parsed.password) parsed.password = "***";
    for (const key of [...parsed.searchParams.keys()]) {
      if (/token|key|secret|pass|sig|code/i.test(key)) parsed.searchParams.set(key, "***");
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
