/**
 * `disinto hire-an-agent <name> <role> [--local-model <url>]` (SPEC §3, §8):
 * every input is checked and the new project TOML and compose file are built
 * in memory first (bad input exits 2 with nothing written); then the forge
 * identity and, for a local-model agent, the model-server probe, the TOML
 * table and the compose file. Without `--local-model` only the identity is
 * created (user, password, token, write collaborator).
 */
import { readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import {
  type ComposeInput,
  loadComposeInput,
  renderComposeFile,
} from "../../core/compose/generate.ts";
import { type ComposeWriteOutcome, replaceComposeFile } from "../../core/compose/write.ts";
import { readEnvFile, updateEnvFile } from "../../core/config/env_file.ts";
import { shadowedSecretWarnings } from "../../core/config/secret_shadow.ts";
import { withStateLock } from "../../core/config/state_lock.ts";
import {
  httpUrlSchema,
  parseTomlFile,
  resolveProjectFile,
  validateProject,
} from "../../core/config/project.ts";
import type { Context } from "../../core/context.ts";
import { BadInputError } from "../../core/errors.ts";
import { writeFileAtomic } from "../../core/fs/atomic_write.ts";
import type { IdentityResult } from "../../core/identity/ensure_identity.ts";
import { agentEnvKeys } from "../../core/identity/env_keys.ts";
import { EnvWriter } from "../../core/identity/env_writer.ts";
import type { Plugin } from "../../core/plugin.ts";
import { agentTable, type LocalAgent, withAgentTable } from "./agent_table.ts";
import { ensureAgentIdentity, type ForgeAccess } from "./forge_identity.ts";
import { agentFormula } from "./formula_option.ts";
import { assertNameOfItsOwn, knownAgents } from "./name_clash.ts";
import {
  sectionOf,
  serviceOf,
  validateAgentName,
  validateAgentRole,
  validateRole,
} from "./names.ts";
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
  formula?: string | undefined;
}

export interface HireRequest {
  name: string;
  role: string;
  section: string;
  /** The `[agents.<section>]` table; absent for an identity-only hire. */
  agent?: LocalAgent;
  /** `--formula` as given; checked and recorded on the table by hireAgent. */
  formula?: string;
  /** `--api-key`: written to `.env` under the table's `api_key_env`, never to the TOML. */
  apiKey?: string;
}

const PRINTABLE = /^[^\s\p{Cc}][^\p{Cc}]*$/u;

/** Check every argument; the first bad one is a BadInputError naming it. */
export function parseHireArguments(args: HireArguments): HireRequest {
  const name = validateAgentName(args.name);
  const role = validateRole(args.role);
  if (args.localModel === undefined) {
    for (
      const [flag, value] of [
        ["--model", args.model],
        ["--api-key", args.apiKey],
        ["--poll-interval", args.pollInterval],
        ["--formula", args.formula],
      ] as const
    ) {
      if (value !== undefined) {
        throw new BadInputError(
          `${flag}: only for a local-model agent; expected --local-model URL`,
        );
      }
    }
    return { name, role, section: sectionOf(name) };
  }
  validateAgentRole(role);
  const url = args.localModel.replace(/\/+$/, "");
  if (!httpUrlSchema.safeParse(url).success || !URL.canParse(url) || /[\s\p{Cc}]/u.test(url)) {
    throw new BadInputError(`--local-model: "${args.localModel}" is not an http(s) URL`);
  }
  const parsed = new URL(url);
  if (parsed.username || parsed.password) {
    // It would be printed, written to the TOML and the compose file; fetch refuses it anyway.
    throw new BadInputError(
      "--local-model: the URL carries credentials; expected the server's URL, " +
        "with its key given by --api-key",
    );
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
  return {
    name,
    role,
    section: sectionOf(name),
    agent,
    ...(args.formula === undefined ? {} : { formula: args.formula }),
    ...(args.apiKey === undefined ? {} : { apiKey: args.apiKey }),
  };
}

export interface HireDeps {
  context: Context;
  root: string;
  projectSelector: string | undefined;
  plugins: readonly Plugin[];
  probeTimeoutMs?: number;
}

export interface HireReport {
  projectFile: string;
  identity: IdentityResult;
  /** A shell value of the agent's secrets that differs from .env (by key, never the value). */
  warnings: string[];
  /** Set for a local-model agent. */
  local?: {
    probe: ProbeResult;
    /** Whether the agent's table was rewritten or already said the same. */
    table: "written" | "unchanged";
    composeFile: string;
    composeOutcome: ComposeWriteOutcome;
    service: string;
    formula?: string;
  };
}

export async function hireAgent(request: HireRequest, deps: HireDeps): Promise<HireReport> {
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
  const agent = request.agent && request.formula !== undefined
    ? { ...request.agent, formula: await agentFormula(request.formula, root, context.cwd) }
    : request.agent;
  // The agents already hired: this project as it is now, and the factory's others.
  const agents = knownAgents(projectFile, project.tables.agents);
  if (agent) {
    const planned = await planFiles(before, projectFile, request.section, agent, deps);
    for (const other of planned.others) {
      agents.push(...knownAgents(other.file, other.tables.agents));
    }
  }

  const envPath = join(root, ".env");
  const dotenv = await readEnvFile(envPath);
  // Settings: the process environment beats .env (SPEC §4). Identity secrets
  // are .env's alone (core/config/secret_shadow.ts), as init reads them.
  const setting = (key: string) => context.env[key] ?? dotenv.get(key);
  const adminPass = setting("FORGE_ADMIN_PASS");
  if (!adminPass) {
    throw new BadInputError(
      "FORGE_ADMIN_PASS: not set; expected the forge admin's password in the environment or .env",
    );
  }
  const adminUser = setting("FORGE_ADMIN_USER") || "disinto-admin";
  assertNameOfItsOwn(request.name, { adminUser, agents });
  const access: ForgeAccess = {
    url: setting("FORGE_URL") || project.forge_url,
    admin: { user: adminUser, pass: adminPass },
    fetch: context.fetch,
    clock: context.clock,
    signal: context.signal,
  };

  // 2. The forge identity: user, password and token in .env, write collaborator.
  const keys = agentEnvKeys(request.name);
  const identity = await ensureAgentIdentity(access, {
    user: request.name,
    ...keys,
    scopes: AGENT_TOKEN_SCOPES,
    permissions: [{ repo: project.repo, permission: "write" }],
  }, {
    env: dotenv,
    envWriter: new EnvWriter(envPath),
  });
  if (request.apiKey !== undefined && agent?.api_key_env) {
    await updateEnvFile(envPath, { [agent.api_key_env]: request.apiKey });
  }
  const secretKeys = [
    keys.tokenKey,
    keys.passKey,
    ...(agent?.api_key_env ? [agent.api_key_env] : []),
  ];
  const warnings = shadowedSecretWarnings(secretKeys, context.env, await readEnvFile(envPath));
  if (!agent) return { projectFile, identity, warnings };

  // 3. The model server: down is a warning, the agent waits for it.
  const probe = await probeModelServer(context.fetch, agent.base_url, {
    timeoutMs: deps.probeTimeoutMs ?? 3000,
    signal: context.signal,
  });

  // 4–5. Under the config lock, on the files as they are now (a concurrent init
  // or hire keeps its edits): the project table replaced whole, every other
  // byte of the file kept, and the compose file regenerated (--force for this change).
  const written = await withStateLock(root, "config", async () => {
    const current = await readFile(projectFile, "utf8");
    const planned = await planFiles(current, projectFile, request.section, agent, deps);
    const table = planned.toml === current ? "unchanged" as const : "written" as const;
    if (table === "written") {
      const mode = (await stat(projectFile)).mode & 0o777;
      await writeFileAtomic(projectFile, planned.toml, { mode });
    }
    return { table, compose: await replaceComposeFile(root, planned.yaml, { force: true }) };
  });
  return {
    projectFile,
    identity,
    warnings,
    local: {
      probe,
      table: written.table,
      composeFile: written.compose.path,
      composeOutcome: written.compose.outcome,
      service: serviceOf(request.section),
      ...(agent.formula === undefined ? {} : { formula: agent.formula }),
    },
  };
}

/**
 * The project TOML with the agent's table, checked, and the compose file
 * rendered from it and the factory's other projects (`others`).
 */
async function planFiles(
  text: string,
  projectFile: string,
  section: string,
  agent: LocalAgent,
  deps: HireDeps,
): Promise<{ toml: string; yaml: string; others: ComposeInput["projects"] }> {
  const settings = deps.plugins.flatMap((plugin) => plugin.settings ?? []);
  const toml = tableReplaced(text, projectFile, section, agent);
  validateProject(parseTomlFile(toml, projectFile), projectFile, settings);
  const input = await loadComposeInput(deps.root, deps.context.env, deps.plugins, {
    projectOverrides: new Map([[projectFile, toml]]),
  });
  const yaml = await renderComposeFile(input, deps.plugins);
  return { toml, yaml, others: input.projects.filter((other) => other.file !== projectFile) };
}

/** The project text with the agent's table replaced whole, or bad input naming why not. */
function tableReplaced(before: string, file: string, section: string, agent: LocalAgent): string {
  try {
    return withAgentTable(before, section, agent);
  } catch (error) {
    // e.g. the agent written as an inline table or dotted keys: not ours to rewrite.
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new BadInputError(
      `${file}: agents.${section}: cannot replace the table (${why}); ` +
        `expected it written as a [agents.${section}] table`,
    );
  }
}

/** The lines printed after a hire; `warning` is set when the model server is down. */
export function describeHire(
  request: HireRequest,
  report: HireReport,
  root: string,
): { lines: string[]; warning?: string } {
  const id = report.identity;
  const shown = (path: string) => relative(root, path) || path;
  const lines = [
    `forge user ${id.user}: ${id.account} (password ${id.password}, token ${id.token}, ` +
    `write collaborator ${id.permissions})`,
  ];
  const { agent } = request;
  const local = report.local;
  if (!agent || !local) return { lines };
  const server = `model server ${agent.base_url}`;
  if (local.probe.up) lines.push(`${server}: up (${local.probe.detail})`);
  lines.push(
    `${shown(report.projectFile)}: [agents.${request.section}] ${local.table} ` +
      `(roles ${agent.roles.join(",")}, poll_interval ${agent.poll_interval}, ` +
      `compact_pct ${agent.compact_pct}${local.formula ? `, formula ${local.formula}` : ""})`,
    `${shown(local.composeFile)}: service ${local.service} ${
      local.composeOutcome === "unchanged" ? "unchanged" : "generated"
    }`,
    `start it: disinto up   (or: docker compose -f ${local.composeFile} up -d ${local.service})`,
  );
  return local.probe.up
    ? { lines }
    : { lines, warning: `${server}: not answering (${local.probe.detail})` };
}

/** The `--json` report of a hire (no secrets: only what was done). */
export function hireJson(request: HireRequest, report: HireReport): Record<string, unknown> {
  const id = report.identity;
  const out: Record<string, unknown> = {
    user: id.user,
    identity: {
      account: id.account,
      password: id.password,
      token: id.token,
      collaborator: id.permissions,
    },
    project_file: report.projectFile,
  };
  if (request.agent && report.local) {
    Object.assign(out, {
      model_server: { url: request.agent.base_url, ...report.local.probe },
      section: request.section,
      table: report.local.table,
      service: report.local.service,
      compose_file: report.local.composeFile,
    });
  }
  return out;
}
