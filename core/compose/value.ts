/**
 * The two kinds of values in a compose file (SPEC §9), as distinct types:
 *
 * - a **runtime** value (`runtime("FORGE_TOKEN_DEV_QWEN")`) is resolved by docker
 *   compose from `.env` when the stack starts; it is written as `${VAR}` or
 *   `${VAR:-default}`;
 * - a **generation-time** value is a plain string, already resolved by disinto;
 *   a `$` in it is written as `$$` so compose never interpolates it.
 *
 * Text mixing both (`${HOME}/.ssh:/home/agent/.ssh:ro`) is a `ComposeText`
 * built with the `text` tag. No other way to emit `${…}` exists, so an
 * unresolved placeholder cannot be produced by construction.
 */

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A variable docker compose resolves at runtime, with an optional default. */
export class RuntimeVar {
  readonly name: string;
  readonly fallback: string | undefined;

  constructor(name: string, fallback?: string) {
    if (!VAR_NAME.test(name)) {
      throw new TypeError(`Invalid runtime variable "${name}": expected [A-Za-z_][A-Za-z0-9_]*`);
    }
    if (fallback !== undefined && /[$}\n]/.test(fallback)) {
      throw new TypeError(
        `Invalid default for runtime variable "${name}": "$", "}" and line breaks are not allowed`,
      );
    }
    this.name = name;
    this.fallback = fallback;
  }

  /** `${NAME}` or `${NAME:-default}`. */
  render(): string {
    return this.fallback === undefined ? `\${${this.name}}` : `\${${this.name}:-${this.fallback}}`;
  }
}

/** A runtime value: `runtime("X")` → `${X}`, `runtime("X", "d")` → `${X:-d}`. */
export function runtime(name: string, fallback?: string): RuntimeVar {
  return new RuntimeVar(name, fallback);
}

/** Text made of literal (generation-time) parts and runtime variables. */
export class ComposeText {
  constructor(readonly parts: ReadonlyArray<string | RuntimeVar>) {}

  render(): string {
    return this.parts.map((part) => typeof part === "string" ? escapeLiteral(part) : part.render())
      .join("");
  }
}

/**
 * Tagged template for mixed text: every interpolated `RuntimeVar` stays a
 * runtime reference, every other interpolated value is a literal.
 *
 *     text`${runtime("HOME")}/.ssh:/home/agent/.ssh:ro`
 */
export function text(
  strings: TemplateStringsArray,
  ...values: ReadonlyArray<string | number | RuntimeVar>
): ComposeText {
  const parts: Array<string | RuntimeVar> = [];
  strings.forEach((literal, index) => {
    if (literal !== "") parts.push(literal);
    if (index < values.length) {
      const value = values[index]!;
      parts.push(value instanceof RuntimeVar ? value : String(value));
    }
  });
  return new ComposeText(parts);
}

/** Any scalar value in the compose model: a plain string is generation-time. */
export type ComposeValue = string | RuntimeVar | ComposeText;

/** A generation-time literal for compose: `$` → `$$`. */
export function escapeLiteral(value: string): string {
  return value.replaceAll("$", "$$$$");
}

/** The text written to the file for one value. */
export function renderValue(value: ComposeValue): string {
  if (typeof value === "string") return escapeLiteral(value);
  return value.render();
}
