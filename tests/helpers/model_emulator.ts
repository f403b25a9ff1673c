/**
 * The model emulator in process for tests (127.0.0.1, a free port), and what
 * the real `claude` CLI needs to run against it offline.
 */
import { fileURLToPath } from "node:url";
import { type ChildExit, serve, spawnChild } from "../../core/runtime/mod.ts";
import {
  createModelApp,
  type ModelScript,
  type ModelScriptInput,
  parseModelScript,
  type RecordedRequest,
  validateModelScript,
} from "../../plugins/model/emulator/server.ts";

export type { ModelScript, ModelScriptInput, RecordedRequest };

export interface StartedModelEmulator {
  url: string;
  /** Every request so far, in arrival order (live: grows as requests come). */
  requests: RecordedRequest[];
  dispose(): Promise<void>;
}

/** Start the emulator on a script object or TOML/JSON text (validated: bad input throws). */
export async function startModelEmulator(
  script: ModelScriptInput | string,
): Promise<StartedModelEmulator> {
  const parsed = typeof script === "string"
    ? parseModelScript(script, "script")
    : validateModelScript(script);
  const requests: RecordedRequest[] = [];
  const app = createModelApp(parsed, { onRequest: (request) => requests.push(request) });
  const server = await serve((request) => app.fetch(request), { hostname: "127.0.0.1", port: 0 });
  return { url: server.url, requests, dispose: () => server.shutdown() };
}

/** The claude CLI installed as a dev dependency (@anthropic-ai/claude-code). */
export const claudeBinary = fileURLToPath(
  new URL("../../node_modules/.bin/claude", import.meta.url),
);

/**
 * The whole environment for running the real claude CLI against `url`
 * offline: its own config dir (a temp dir the caller owns, also HOME), no
 * update checks or telemetry, and IS_SANDBOX so that
 * --dangerously-skip-permissions is allowed as root.
 */
export function claudeEnvFor(
  url: string,
  configDir: string,
  options: { apiKey?: string; path?: string } = {},
): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: options.apiKey ?? "sk-model-emulator",
    CLAUDE_CONFIG_DIR: configDir,
    HOME: configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    IS_SANDBOX: "1",
    PATH: options.path ?? "/usr/local/bin:/usr/bin:/bin",
  };
}

/** The model script the quickstart, the agents e2e test and bench/agents.ts run. */
export const quickstartScript = fileURLToPath(
  new URL("../../scripts/quickstart-model.toml", import.meta.url),
);

/**
 * The environment for `disinto agents poll|run` with the real claude CLI on
 * the model emulator at `url`: claudeEnvFor plus the CLI's path and model.
 */
export function agentsEnvFor(
  url: string,
  configDir: string,
  options: { apiKey?: string; path?: string } = {},
): Record<string, string> {
  return {
    ...claudeEnvFor(url, configDir, options),
    CLAUDE_BIN: claudeBinary,
    CLAUDE_MODEL: "claude-test",
  };
}

/** The usual print-mode arguments: one prompt, NDJSON events out, no permission prompts. */
export function claudePrintArgs(prompt: string, model = "claude-test"): string[] {
  return [
    "-p",
    prompt,
    "--output-format",
    "stream-json",
    "--verbose",
    "--model",
    model,
    "--dangerously-skip-permissions",
  ];
}

export interface ClaudeRun {
  exit: ChildExit;
  stdout: string;
  stderr: string;
  /** The stdout lines that parse as JSON objects (stream-json events). */
  events: Record<string, unknown>[];
}

/** Run the real claude CLI to its end (stdin closed); SIGKILL after `timeoutMs`. */
export async function runClaude(
  args: readonly string[],
  options: { env: Record<string, string>; cwd: string; timeoutMs?: number },
): Promise<ClaudeRun> {
  const child = spawnChild(claudeBinary, args, { env: options.env, cwd: options.cwd });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  try {
    const [stdout, stderr, exit] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { exit, stdout, stderr, events: stdout.split("\n").flatMap(jsonObjectOf) };
  } finally {
    clearTimeout(timer);
  }
}

function jsonObjectOf(line: string): Record<string, unknown>[] {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? [value as Record<string, unknown>]
      : [];
  } catch {
    return [];
  }
}
