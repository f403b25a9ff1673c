/**
 * Init's progress and summary: one line per step as it finishes (created /
 * updated / unchanged / failed), wait progress on stderr, and the summary as
 * text or JSON at the end.
 */
import type { Output } from "../../../core/context.ts";
import type { StepStatus } from "../../../core/plugin.ts";

export interface StepRecord {
  name: string;
  status: StepStatus;
  detail?: string;
}

const WIDTH = 9;

export class InitReport {
  readonly steps: StepRecord[] = [];

  constructor(
    private readonly stdout: Output,
    private readonly stderr: Output,
    private readonly options: { json: boolean; quiet: boolean; dryRun: boolean },
  ) {}

  /** Record a finished step and print its line (text mode). */
  step(record: StepRecord): void {
    this.steps.push(record);
    if (record.status === "failed" && !this.options.json) {
      this.stdout.write(this.line(record));
      return;
    }
    if (this.options.json || this.options.quiet) return;
    this.stdout.write(this.line(record));
  }

  /** A progress line while waiting (stderr, so --json output stays clean). */
  progress(text: string): void {
    if (!this.options.quiet) this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`WARNING: ${text}\n`);
  }

  error(text: string): void {
    this.stderr.write(`ERROR: ${text}\n`);
  }

  get failed(): boolean {
    return this.steps.some((step) => step.status === "failed");
  }

  /** The closing summary: counts per status, or the whole report as JSON. */
  finish(extra: Record<string, unknown>): void {
    if (this.options.json) {
      this.stdout.write(
        JSON.stringify({
          ...extra,
          dry_run: this.options.dryRun,
          ok: !this.failed,
          steps: this.steps,
        }) +
          "\n",
      );
      return;
    }
    const counts = new Map<string, number>();
    for (const step of this.steps) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
    const parts = ["created", "updated", "unchanged", "skipped", "failed"]
      .filter((status) => counts.has(status))
      .map((status) => `${counts.get(status)} ${status}`);
    const prefix = this.options.dryRun ? "dry run (nothing written): " : "";
    this.stdout.write(`${prefix}${this.steps.length} steps: ${parts.join(", ")}\n`);
  }

  private line(record: StepRecord): string {
    const status = this.options.dryRun && record.status !== "unchanged" &&
        record.status !== "failed" && record.status !== "skipped"
      ? `would be ${record.status}`
      : record.status;
    const detail = record.detail ? ` (${record.detail})` : "";
    return `${status.padEnd(WIDTH)} ${record.name}${detail}\n`;
  }
}
