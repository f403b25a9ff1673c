/**
 * Whether the agents' shared Claude config directory holds a login (SPEC
 * §11.1). Claude Code keeps its OAuth login in `.credentials.json` — a dot
 * file — inside its config directory (SPEC §14 regression 10: looking for
 * `credentials.json` finds nothing and reports a logged-in factory as logged
 * out). Only the file's shape is read; no secret leaves this function.
 */
import { readFile } from "node:fs/promises";
import { posix } from "node:path";

export const CREDENTIALS_FILE = ".credentials.json";

export type ClaudeLogin =
  | { loggedIn: true; file: string }
  | { loggedIn: false; file: string; reason: string };

export async function claudeLogin(configDir: string): Promise<ClaudeLogin> {
  const file = posix.join(configDir, CREDENTIALS_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    return { loggedIn: false, file, reason: code === "ENOENT" ? "no such file" : code };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { loggedIn: false, file, reason: "not JSON" };
  }
  const oauth = (data as { claudeAiOauth?: { accessToken?: unknown } } | null)?.claudeAiOauth;
  return typeof oauth?.accessToken === "string" && oauth.accessToken !== ""
    ? { loggedIn: true, file }
    : { loggedIn: false, file, reason: "no claudeAiOauth login in it" };
}
