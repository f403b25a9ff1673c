/**
 * Errors with a meaning for the exit code. Commands throw these; the command
 * runner turns them into one line on stderr and an exit code.
 */

/** Bad input from the user: exit 2, one line naming the input and what was expected. */
export class BadInputError extends Error {
  override readonly name = "BadInputError";
  readonly exitCode = 2;
}

/** An expected runtime failure (forge down, lock timeout): exit 1 without a stack trace. */
export class RuntimeFailure extends Error {
  override readonly name = "RuntimeFailure";
  readonly exitCode = 1;
}

/** The exit code an error maps to: 2 for bad input, otherwise 1. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof BadInputError) return 2;
  return 1;
}

/** A one-line message for the user, never a stack trace. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").map((line) => line.trim()).filter(Boolean).join(" ");
}
