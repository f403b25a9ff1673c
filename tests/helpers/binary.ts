/**
 * The compiled binary for end-to-end tests. `deno task ci` builds it before the
 * tests run; a missing binary is a loud failure, never a silent skip.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import process from "node:process";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
/** DISINTO_BINARY points the tests at another build (e.g. one per work tree). */
export const binaryPath = process.env.DISINTO_BINARY ??
  fileURLToPath(new URL("../../dist/disinto", import.meta.url));

export function requireBinary(): string {
  if (!existsSync(binaryPath)) {
    throw new Error(`${binaryPath} is missing: run 'deno task build' first`);
  }
  return binaryPath;
}

export interface BinaryResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled binary to completion (bounded by `timeoutMs`, then SIGKILL). */
export function runBinary(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string; timeoutMs?: number } = {},
): Promise<BinaryResult> {
  const child = spawn(requireBinary(), args, {
    stdio: ["pipe", "pipe", "pipe"],
    env: options.env ?? { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/nonexistent" },
    cwd: options.cwd,
  });
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  child.stdout.on("data", (chunk: Uint8Array) => stdout += decoder.decode(chunk));
  child.stderr.on("data", (chunk: Uint8Array) => stderr += decoder.decode(chunk));
  child.stdin.end(options.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
