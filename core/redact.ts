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
