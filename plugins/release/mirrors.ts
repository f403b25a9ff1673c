/**
 * Which path each `[mirrors]` entry takes (SPEC §10): `ssh` is `git push
 * <url> refs/tags/<v>` with the operator's SSH setup (also plain `git push`
 * for file and local-path mirrors); `token` is an API call to the mirror's
 * forge. Default per mirror: SSH for `git@`/`ssh://` URLs, else token where a
 * token for that host is set, else `git push`.
 *
 * Token hosts: github.com → GITHUB_TOKEN (GitHub API), codeberg.org →
 * CODEBERG_TOKEN (Forgejo API). `DISINTO_MIRROR_API_<NAME>` (the mirror name
 * upper-cased, `-` as `_`) overrides the API base URL of one mirror, e.g. so
 * that a second local forge plays Codeberg in tests.
 */
import { BadInputError } from "../../core/errors.ts";

export type MirrorPath = "ssh" | "token";
export type MirrorsMode = "token" | "ssh" | "both";
export type ApiFlavor = "github" | "forgejo";

export interface MirrorApi {
  flavor: ApiFlavor;
  /** e.g. https://api.github.com or https://codeberg.org/api/v1 */
  base: string;
  /** The env key holding the token. */
  tokenKey: "GITHUB_TOKEN" | "CODEBERG_TOKEN";
  owner: string;
  repo: string;
}

export interface MirrorPlan {
  name: string;
  url: string;
  /** Paths to try, in order; each is reported. */
  paths: MirrorPath[];
  /** Set when the token path is planned. */
  api?: MirrorApi;
}

export function parseMirrorsMode(value: string | undefined): MirrorsMode | undefined {
  if (value === undefined) return undefined;
  if (value === "token" || value === "ssh" || value === "both") return value;
  throw new BadInputError(`--mirrors ${JSON.stringify(value)}: expected token, ssh or both`);
}

interface ParsedRemote {
  kind: "ssh" | "http" | "local";
  host: string;
  /** The path on the host, without leading slash or `.git`. */
  path: string;
}

export function parseRemote(url: string): ParsedRemote {
  const scp = /^[^@/\s]+@([^:/\s]+):(.+)$/.exec(url);
  if (scp) return { kind: "ssh", host: scp[1]!.toLowerCase(), path: cleanPath(scp[2]!) };
  if (url.startsWith("/") || url.startsWith("file://")) {
    return { kind: "local", host: "", path: "" };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: "local", host: "", path: "" };
  }
  const kind = parsed.protocol === "ssh:"
    ? "ssh"
    : /^https?:$/.test(parsed.protocol)
    ? "http"
    : "local";
  return { kind, host: parsed.hostname.toLowerCase(), path: cleanPath(parsed.pathname) };
}

function cleanPath(path: string): string {
  return path.replace(/^\/+/, "").replace(/\.git$/, "").replace(/\/+$/, "");
}

export function envKeyOf(name: string): string {
  return `DISINTO_MIRROR_API_${name.toUpperCase().replace(/-/g, "_")}`;
}

/** The API of a mirror's forge, or null when its host has none we know. */
export function mirrorApi(
  name: string,
  url: string,
  env: Readonly<Record<string, string | undefined>>,
): MirrorApi | null {
  const remote = parseRemote(url);
  const [owner, repo, ...rest] = remote.path.split("/");
  if (remote.kind === "local" || !owner || !repo || rest.length > 0) return null;
  const override = env[envKeyOf(name)]?.replace(/\/+$/, "");
  if (remote.host === "github.com") {
    return {
      flavor: "github",
      base: override ?? "https://api.github.com",
      tokenKey: "GITHUB_TOKEN",
      owner,
      repo,
    };
  }
  if (remote.host === "codeberg.org") {
    return {
      flavor: "forgejo",
      base: override ?? "https://codeberg.org/api/v1",
      tokenKey: "CODEBERG_TOKEN",
      owner,
      repo,
    };
  }
  return null;
}

/**
 * Plan every mirror. `setting` reads env then `.env`. Throws bad input when
 * a chosen path cannot work (no API for the host, or its token is not set),
 * before anything is written.
 */
export function planMirrors(
  mirrors: Readonly<Record<string, string>>,
  mode: MirrorsMode | undefined,
  env: Readonly<Record<string, string | undefined>>,
  setting: (key: string) => string | undefined,
): MirrorPlan[] {
  return Object.entries(mirrors).map(([name, url]) => {
    const api = mirrorApi(name, url, env);
    const hasToken = api !== null && Boolean(setting(api.tokenKey));
    const kind = parseRemote(url).kind;
    let paths: MirrorPath[];
    if (mode === "ssh") paths = ["ssh"];
    else if (mode === "token") paths = ["token"];
    else if (mode === "both") paths = api ? ["token", "ssh"] : ["ssh"];
    else paths = kind !== "ssh" && hasToken ? ["token"] : ["ssh"];
    if (paths.includes("token")) {
      if (!api) {
        throw new BadInputError(
          `mirrors.${name}: no token path for ${JSON.stringify(url)}; expected a github.com or ` +
            `codeberg.org URL (or ${envKeyOf(name)}), or --mirrors ssh`,
        );
      }
      if (!hasToken) {
        throw new BadInputError(
          `${api.tokenKey}: not set; expected it in the environment or .env for mirror ${name}`,
        );
      }
    }
    return api && paths.includes("token") ? { name, url, paths, api } : { name, url, paths };
  });
}
