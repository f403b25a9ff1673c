/**
 * What an idempotent ensure verb did: made the thing, changed it to match,
 * or found it as wanted (then it sent no write request).
 */
export type Outcome = "created" | "updated" | "unchanged";

export interface Ensured<T> {
  outcome: Outcome;
  value: T;
}
