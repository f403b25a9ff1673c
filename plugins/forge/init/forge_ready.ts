/**
 * Step 1 of init: the forge answers `GET /api/v1/version`. When it does not
 * and the factory's compose file manages Forgejo, start it with
 * `docker compose up -d forgejo`; the admin is then created inside the
 * container with `forgejo admin user create` when its login fails.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { FORGE_READINESS, retry, type Schedule } from "../../../core/backoff/mod.ts";
import { RuntimeFailure } from "../../../core/errors.ts";
import { redactUrl } from "../../../core/redact.ts";
import * as api from "../../../core/forgejo/mod.ts";
import type { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { basicAuth } from "../../../core/forgejo/auth.ts";

export interface ReadyOptions {
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
  progress: (line: string) => void;
  schedule?: Schedule;
  dryRun: boolean;
}

/** The compose file of the factory, when it has a `forgejo` service. */
export async function composeManagingForgejo(root: string): Promise<string | null> {
  for (const name of ["docker-compose.yml", "compose.yml", "docker-compose.yaml", "compose.yaml"]) {
    const file = join(root, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    try {
      const doc = parse(text) as { services?: Record<string, unknown> } | null;
      if (doc?.services && Object.hasOwn(doc.services, "forgejo")) return file;
    } catch {
      return null;
    }
  }
  return null;
}

/** Wait until the forge answers; returns "unchanged" or "created" (started by us). */
export async function ensureForgeReady(
  http: ForgejoHttp,
  options: ReadyOptions,
): Promise<{ status: "unchanged" | "created"; version: string; composeFile: string | null }> {
  // One request per probe, 3 s each: the readiness schedule does the waiting.
  const probe = http.with({
    schedule: { name: "probe", attempts: 1, delayMs: () => 0 },
    timeoutMs: 3000,
  });
  try {
    return { status: "unchanged", version: await api.getVersion(probe), composeFile: null };
  } catch {
    // Not answering (yet): start it if we manage it, then wait.
  }
  const composeFile = await composeManagingForgejo(options.root);
  if (composeFile && !options.dryRun) {
    options.progress(
      `forge at ${redactUrl(http.baseUrl)} is not answering; starting it with docker compose`,
    );
    await docker(["compose", "-f", composeFile, "up", "-d", "forgejo"], options.env);
  }
  const schedule = options.schedule ?? FORGE_READINESS;
  try {
    const version = await retry(() => api.getVersion(probe), {
      schedule,
      sleep: options.sleep,
      now: options.now,
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: (info) =>
        options.progress(
          `waiting for the forge at ${
            redactUrl(http.baseUrl)
          } (attempt ${info.attempt}/${info.attempts})`,
        ),
    });
    return {
      status: composeFile && !options.dryRun ? "created" : "unchanged",
      version,
      composeFile,
    };
  } catch {
    throw new RuntimeFailure(
      `The forge at ${
        redactUrl(http.baseUrl)
      } does not answer GET /api/v1/version after ${schedule.attempts} attempts${
        composeFile ? "" : " (no compose file here manages Forgejo; start it or pass --forge-url)"
      }`,
    );
  }
}

/**
 * Create the admin inside the Forgejo container (compose-managed forges only)
 * without the password on any command line: `forgejo admin user create` has
 * no environment or stdin option for it (Forgejo v11 cmd/admin_user_create.go:
 * `--password` or `--random-password`, which prints "generated random
 * password is '…'"), so the admin is created with a random password read from
 * its output, then sets the operator's password through the admin API
 * (`PATCH /admin/users/{u}`, authenticated with the random one).
 */
export async function createAdminInContainer(
  composeFile: string,
  user: string,
  password: string,
  env: Readonly<Record<string, string | undefined>>,
  http: ForgejoHttp,
): Promise<void> {
  const output = await docker([
    "compose",
    "-f",
    composeFile,
    "exec",
    "-T",
    "-u",
    "git",
    "forgejo",
    "forgejo",
    "admin",
    "user",
    "create",
    "--admin",
    "--username",
    user,
    "--random-password",
    "--random-password-length",
    "32",
    "--email",
    `${user}@disinto.local`,
    "--must-change-password=false",
  ], env);
  const generated = /generated random password is '([^'\n]+)'/.exec(output)?.[1];
  if (generated === undefined) {
    throw new RuntimeFailure(
      `forgejo admin user create did not print the generated password of "${user}"`,
    );
  }
  await api.editUser(http.as(basicAuth(user, generated)), user, {
    password,
    must_change_password: false,
  });
}

/** Run docker; resolves with its stdout. */
function docker(
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const cleanEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) cleanEnv[key] = value;
  return new Promise((resolve, reject) => {
    execFile("docker", args, { env: cleanEnv, timeout: 300_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(String(stdout));
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT"
        ? "docker is not installed"
        : String(stderr).trim().split("\n").at(-1);
      // Never echo the arguments or the output: the output may hold a generated password.
      reject(
        new RuntimeFailure(
          `docker ${args.slice(0, 5).filter((a) => !a.includes("/")).join(" ")} failed: ${why}`,
        ),
      );
    });
  });
}
