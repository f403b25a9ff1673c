/**
 * Where Claude lives on the host, and how containers see it (SPEC §11.1).
 * Both paths are generation-time values: resolved from the environment (the
 * process environment, then `.env`) when the compose file is written, and
 * mounted at the same absolute path inside the containers so that every
 * container sees the same `session.lock` inode. See docs/claude-auth.md.
 */
import { posix } from "node:path";
import { BadInputError } from "../errors.ts";
import type { ComposeService, ComposeValue } from "./model.ts";
import { renderValue } from "./value.ts";

export interface ClaudePaths {
  /** Host path of the Claude CLI (`CLAUDE_BIN`, default `$HOME/.local/bin/claude`). */
  bin: string;
  /** Host path of the shared config directory (`CLAUDE_CONFIG_DIR`, default `$HOME/.claude`). */
  configDir: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Resolve the Claude paths from the generation environment; bad values exit 2. */
export function resolveClaudePaths(env: Env): ClaudePaths {
  return {
    bin: hostPath(env, "CLAUDE_BIN", ".local/bin/claude"),
    configDir: resolveClaudeConfigDir(env),
  };
}

/** The shared config directory alone (for checks that do not need the CLI). */
export function resolveClaudeConfigDir(env: Env): string {
  return hostPath(env, "CLAUDE_CONFIG_DIR", ".claude");
}

function hostPath(env: Env, name: string, underHome: string): string {
  const given = env[name];
  let path: string;
  if (given !== undefined && given !== "") path = given;
  else {
    const home = env.HOME;
    if (!home || !posix.isAbsolute(home)) {
      throw new BadInputError(
        `${name}: not set and HOME is not an absolute path; expected an absolute host path`,
      );
    }
    path = posix.join(home, underHome);
  }
  if (!posix.isAbsolute(path) || /[:\n,]/.test(path)) {
    throw new BadInputError(
      `${name}: "${path}" is not usable; expected an absolute host path without ":" or ","`,
    );
  }
  const normal = posix.normalize(path);
  return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
}

/**
 * What a batch container (agents, runner, local-model agents) adds to share
 * the Claude login: the config directory and the CLI, each at its own host
 * path, and the variables pointing at them.
 */
export function sharedClaudeMount(paths: ClaudePaths): {
  volumes: ComposeValue[];
  environment: Record<string, ComposeValue>;
} {
  return {
    volumes: [`${paths.configDir}:${paths.configDir}`, `${paths.bin}:${paths.bin}:ro`],
    environment: { CLAUDE_BIN: paths.bin, CLAUDE_CONFIG_DIR: paths.configDir },
  };
}

/** The host side of a volume entry, when it is a literal absolute path. */
export function volumeSource(volume: ComposeValue): string | null {
  const rendered = renderValue(volume);
  const source = rendered.split(":")[0] ?? "";
  if (!source.startsWith("/") || source.includes("${")) return null;
  return posix.normalize(source.replaceAll("$$", "$")).replace(/(.)\/+$/, "$1");
}

/** True when a mount of `source` exposes `dir` (the same path, inside it, or above it). */
export function exposes(source: string, dir: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(outer === "/" ? "/" : `${outer}/`);
  return within(source, dir) || within(dir, source);
}

/** Services that are interactive chat front ends: `chat` and `chat-*`. */
export function isChatService(name: string): boolean {
  return name === "chat" || name.startsWith("chat-");
}

/**
 * Refuse a chat service that would mount the agents' shared config directory:
 * chat has its own identity and must never join `session.lock` (SPEC §11.1).
 */
export function assertChatIsolation(
  services: Readonly<Record<string, ComposeService>>,
  paths: ClaudePaths,
): void {
  for (const [name, service] of Object.entries(services)) {
    if (!isChatService(name)) continue;
    for (const volume of service.volumes ?? []) {
      const source = volumeSource(volume);
      if (source !== null && exposes(source, paths.configDir)) {
        throw new BadInputError(
          `service "${name}": mounts the agents' shared Claude config directory ` +
            `${paths.configDir} (via ${source}); expected a config directory of its own ` +
            `(CHAT_CLAUDE_CONFIG_DIR or the default volume)`,
        );
      }
    }
  }
}
