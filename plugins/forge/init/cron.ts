/**
 * Step 9 of init (optional, `--install-cron`): the poll schedule in the
 * user's crontab for bare hosts without containers. A missing `crontab` is a
 * warning, never fatal (regression 8).
 */
import { execFile, spawn } from "node:child_process";
import type { StepStatus } from "../../../core/plugin.ts";

export interface CronOptions {
  project: string;
  root: string;
  binary: string;
  env: Readonly<Record<string, string | undefined>>;
  dryRun: boolean;
  warn: (text: string) => void;
}

/** The crontab line polling the project's dev role every 5 minutes. */
export function cronLine(options: Pick<CronOptions, "project" | "root" | "binary">): string {
  return `*/5 * * * * cd '${options.root}' && '${options.binary}' --project ${options.project} agents poll dev --once # disinto:${options.project}`;
}

function cleanEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

export async function ensureCron(options: CronOptions): Promise<StepStatus> {
  const env = cleanEnv(options.env);
  const current = await new Promise<string | null>((resolve) => {
    execFile("crontab", ["-l"], { env }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") return resolve(null);
      // "no crontab for user" exits 1 with empty output: an empty table.
      resolve(error ? "" : String(stdout));
    });
  });
  if (current === null) {
    options.warn("crontab is not installed; the poll schedule was not installed (init goes on)");
    return "skipped";
  }
  const marker = `# disinto:${options.project}`;
  const wanted = cronLine(options);
  const lines = current.split("\n").filter((line) => line !== "");
  const index = lines.findIndex((line) => line.endsWith(marker));
  if (index >= 0 && lines[index] === wanted) return "unchanged";
  if (index >= 0) lines[index] = wanted;
  else lines.push(wanted);
  if (!options.dryRun) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("crontab", ["-"], { env, stdio: ["pipe", "ignore", "pipe"] });
      child.on("error", reject);
      child.on(
        "close",
        (code) => code === 0 ? resolve() : reject(new Error(`crontab - exited with ${code}`)),
      );
      child.stdin.end(lines.join("\n") + "\n");
    }).catch((error: unknown) => {
      options.warn(
        `crontab could not be written: ${error instanceof Error ? error.message : error}`,
      );
    });
  }
  return index >= 0 ? "updated" : "created";
}
