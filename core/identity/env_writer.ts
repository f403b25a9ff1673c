/**
 * Serialises `.env` updates made by concurrent identity work in one process:
 * each update is a read-modify-write through `updateEnvFile` (atomic, 0600),
 * so two of them must never overlap.
 */
import { updateEnvFile } from "../config/env_file.ts";

export class EnvWriter {
  #tail: Promise<unknown> = Promise.resolve();
  /** Updates applied through this writer, in order (for dry-run plans and tests). */
  readonly applied: Record<string, string>[] = [];

  constructor(readonly path: string | null) {}

  /** Apply `updates` after every earlier update; null path (dry run) records only. */
  update(updates: Readonly<Record<string, string>>): Promise<void> {
    const run = async () => {
      this.applied.push({ ...updates });
      if (this.path !== null) await updateEnvFile(this.path, updates);
    };
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => {});
    return next;
  }
}
