/**
 * `disinto hire-an-agent <name> <role> --local-model <url>` (SPEC §8):
 * every input is checked and the new project TOML and compose file are built
 * in memory first (bad input exits 2 with nothing written); then the forge
 * identity, the model-server probe, the TOML table and the compose file.
 */
import { readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { loadComposeInput, renderComposeFile } from "../../core/compose/generate.ts";
import { writeComposeFile } from "../../core/compose/write.ts";
import { readEnvFile } from "../../core/config/env_file.ts";
import {
  httpUrlSchema,
  parseTomlFile,
  resolveProjectFile,
  validateProject,
} from "../../core/config/project.ts";
import type { Context } from "../../core/context.ts";
import { BadInputError } from "../../core/errors.ts";
import { writeFileAtomic } from "../../core/fs/atomic_write.ts";
import {
  ensureIdentity,
  type IdentityForge,
  type IdentityResult,
} from "../../core/identity/ensure_identity.ts";
import { agentEnvKeys } from "../../core/identity/env_keys.ts";
import { EnvWriter } from "../../core/identity/env_writer.ts";
import type { Plugin } from "../../core/plugin.ts";
import { agentTable, type LocalAgent, withAgentTable } from "./agent_table.ts";
import { type ForgeAccess, forgeIdentityAdapter } from "./forge_identity.ts";
import { sectionOf, serviceOf, validateAgentName, validateRole } from "./names.ts";
import { probeModelServer, type ProbeResult } from "./probe.ts";

/** Scopes of a local-model agent's token: dev work like dev-bot's, nothing more. */
export const AGENT_TOKEN_SCOPES = ["write:issue", "write:repository", "read:user"] as const;

/** The command's options as given on the command line (strings, unchecked). */
export interface HireArguments {
  name: string;
  role: string;
  localModel?: string | undefined;
  model?: string | undefined;
  apiKey?: string | undefined;
  pollInterval?: string | undefined;
}

export interface HireRequest {
  name: string;
  role: string;
  section: string;
  agent: LocalAgent;
}

const PRINTABLE = /^[^\s\p{Cc}][^\p{Cc}]*$/u;

/** Check every argument; the first bad one is a BadInputError naming it. */
export function parseHireArguments(args: HireArguments): HireRequest {
  const name = validateAgentName(args.name);
  const role = validateRole(args.role);
  if (args.localModel === undefined) {
    throw new BadInputError(
      "--local-model: required; expected the http(s) URL of the agent's model server " +
        "(the Claude-backed bots are created by disinto init)",
    );
  }
  const url = args.localModel.replace(/\/+$/, "");
  if (!httpUrlSchema.safeParse(url).success || !URL.canParse(url)) {
    throw new BadInputError(`--local-model: "${args.localModel}" is not an http(s) URL`);
  }
  let pollInterval: number | undefined;
  if (args.pollInterval !== undefined) {
    if (!/^[1-9][0-9]{0,6}$/.test(args.pollInterval)) {
      throw new BadInputError(
        `--poll-interval: "${args.pollInterval}" is not a positive whole number of seconds`,
      );
    }
    pollInterval = Number(args.pollInterval);
  }
  for (const [flag, value] of [["--model", args.model], ["--api-key", args.apiKey]] as const) {
    if (value !== undefined && !PRINTABLE.test(value)) {
      throw new BadInputError(`${flag}: expected a non-empty value without control characters`);
    }
  }
  const agent = agentTable({
    baseUrl: url,
    model: args.model,
    apiKey: args.apiKey,
    role,
    forgeUser: name,
    pollInterval,
  });
  return { name, role, section: sectionOf(name), agent };
}

export interface HireDeps {
  context: Context;
  root: string;
  projectSelector: string | undefined;
  plugins: readonly Plugin[];
  /** The forge operations (default: the Forgejo API through `context.fetch`). */
  identityForge?: (access: ForgeAccess) => IdentityForge;
  probeTimeoutMs?: number;
}

export interface HireReport {
  projectFile: string;
  identity: IdentityResult;
  probe: ProbeResult;
  composeFile: string;
  service: string;
}

export async function hireLocalAgent(request: HireRequest, deps: HireDeps): Promise<HireReport> {
  const { context, root } = deps;
  // 1. Everything that can be bad input is checked before anything is written.
  const projectFile = await resolveProjectFile(root, deps.projectSelector, context.env);
  if (projectFile === null) {
    throw new BadInputError(
      `${join(root, "projects")}: no project TOML; expected one (run disinto init first)`,
    );
  }
  const settings = deps.plugins.flatMap((plugin) => plugin.settings ?? []);
  let before: string;
  try {
    before = await readFile(projectFile, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new BadInputError(`${projectFile}: cannot read project file (${code})`);
  }
  const project = validateProject(parseTomlFile(before, projectFile), projectFile, settings);
  let after: string;
  try {
    after = withAgentTable(before, request.section, request.agent);
  } catch (error) {
    // e.g. the agent written as dotted keys instead of a table: not ours to rewrite.
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new BadInputError(
      `${projectFile}: agents.${request.section}: cannot replace the table (${why}); ` +
        `expected it written as a [agents.${request.section}] table`,
    );
  }
  validateProject(parseTomlFile(after, projectFile), projectFile, settings);
  const composeInput = await loadComposeInput(root, context.env, deps.plugins, {
    projectOverrides: new Map([[projectFile, after]]),
  });
  const yaml = await renderComposeFile(composeInput, deps.plugins);

  const envPath = join(root, ".env");
  const env = new Map(await readEnvFile(envPath));
  for (const [key, value] of Object.entries(context.env)) {
    if (value !== undefined) env.set(key, value);
  }
  const adminPass = env.get("FORGE_ADMIN_PASS");
  if (!adminPass) {
    throw new BadInputError(
      "FORGE_ADMIN_PASS: not set; expected the forge admin's password in the environment or .env",
    );
  }
  const access: ForgeAccess = {
    url: env.get("FORGE_URL") || project.forge_url,
    admin: { user: env.get("FORGE_ADMIN_USER") || "disinto-admin", pass: adminPass },
    fetch: context.fetch,
    signal: context.signal,
  };

  // 2. The forge identity: user, password and token in .env, write collaborator.
  const keys = agentEnvKeys(request.name);
  const identity = await ensureIdentity({
    user: request.name,
    ...keys,
    scopes: AGENT_TOKEN_SCOPES,
    permissions: [{ repo: project.repo, permission: "write" }],
  }, {
    forge: (deps.identityForge ?? forgeIdentityAdapter)(access),
    env,
    envWriter: new EnvWriter(envPath),
  });

  // 3. The model server: down is a warning, the agent waits for it.
  const probe = await probeModelServer(context.fetch, request.agent.base_url, {
    timeoutMs: deps.probeTimeoutMs ?? 3000,
    signal: context.signal,
  });

  // 4. The project table, replaced whole; every other byte of the file kept.
  if (after !== before) {
    const mode = (await stat(projectFile)).mode & 0o777;
    await writeFileAtomic(projectFile, after, { mode });
  }

  // 5. The compose file, regenerated (--force for this change).
  const written = await writeComposeFile(root, yaml, { force: true });
  return {
    projectFile,
    identity,
    probe,
    composeFile: written.path,
    service: serviceOf(request.section),
  };
}

/** The lines printed after a hire. */
export function describeHire(request: HireRequest, report: HireReport, root: string): string[] {
  const id = report.identity;
  const shown = (path: string) => relative(root, path) || path;
  return [
    `forge user ${id.user}: ${id.account} (password ${id.password}, token ${id.token}, ` +
    `write collaborator ${id.permissions})`,
    report.probe.up
      ? `model server ${request.agent.base_url}: up (${report.probe.detail})`
      : `model server ${request.agent.base_url}: not answering (${report.probe.detail})`,
    `${shown(report.projectFile)}: [agents.${request.section}] written ` +
    `(roles ${request.agent.roles.join(",")}, poll_interval ${request.agent.poll_interval}, ` +
    `compact_pct ${request.agent.compact_pct})`,
    `${shown(report.composeFile)}: service ${report.service} generated`,
    `start it: disinto up   (or: docker compose -f ${report.composeFile} up -d ${report.service})`,
  ];
}

/** The `--json` report of a hire (no secrets: only what was done). */
export function hireJson(request: HireRequest, report: HireReport): Record<string, unknown> {
  return {
    user: report.identity.user,
    identity: {
      account: report.identity.account,
      password: report.identity.password,
      token: report.identity.token,
      collaborator: report.identity.permissions,
    },
    model_server: { url: request.agent.base_url, ...report.probe },
    project_file: report.projectFile,
    section: request.section,
    service: report.service,
    compose_file: report.composeFile,
  };
}
