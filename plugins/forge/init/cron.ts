/**
 * Step 9 of init (optional, `--install-cron`): the poll schedule in the
 * user's crontab for bare hosts without containers. A missing `crontab` is a
 * warning, never fatal (regression 8). A crontab that cannot be read (any
 * error but "no crontab for <user>") stops the step before anything is
 * written: writing would replace the user's table with ours alone. A write
 * that fails is a failed step.
 */
import { execFile, spawn } from "node:child_process";
import type { StepOutcome } from "../../../core/plugin.ts";

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

/** The first line of a child's stderr, or how it ended. */
function why(stderr: string, fallback: string): string {
  return stderr.trim().split("\n")[0] || fallback;
}

type Read = { table: string } | { missing: true } | { failed: string };

/** `crontab -l`: the table, an empty one for "no crontab for <user>", or why it failed. */
function readCrontab(env: Record<string, string>): Promise<Read> {
  return new Promise((resolve) => {
    execFile("crontab", ["-l"], { env }, (error, stdout, stderr) => {
      if (!error) return resolve({ table: String(stdout) });
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return resolve({ missing: true });
      if (/^no crontab for /im.test(String(stderr))) return resolve({ table: "" });
      resolve({ failed: `crontab -l: ${why(String(stderr), error.message)}` });
    });
  });
}

function writeCrontab(env: Record<string, string>, text: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn("crontab", ["-"], { env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk));
    child.on("error", (error) => resolve(`crontab -: ${error.message}`));
    child.on(
      "close",
      (code) => resolve(code === 0 ? null : `crontab -: ${why(stderr, `exited with ${code}`)}`),
    );
    child.stdin.on("error", () => {}); // a child that exits early: its status says why
    child.stdin.end(text);
  });
}

export async function ensureCron(options: CronOptions): Promise<StepOutcome> {
  const env = cleanEnv(options.env);
  const current = await readCrontab(env);
  if ("missing" in current) {
    options.warn("crontab is not installed; the poll schedule was not installed (init goes on)");
    return { status: "skipped" };
  }
  if ("failed" in current) return { status: "failed", detail: current.failed };
  const marker = `# disinto:${options.project}`;
  const wanted = cronLine(options);
  const lines = current.table.split("\n").filter((line) => line !== "");
  const index = lines.findIndex((line) => line.endsWith(marker));
  if (index >= 0 && lines[index] === wanted) return { status: "unchanged" };
  if (index >= 0) lines[index] = wanted;
  else lines.push(wanted);
  if (!options.dryRun) {
    const failed = await writeCrontab(env, lines.join("\n") + "\n");
    if (failed) return { status: "failed", detail: failed };
  }
  return { status: index >= 0 ? "updated" : "created" };
}
