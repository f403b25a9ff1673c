/**
 * Vault action files (`vault/actions/<id>.toml` in the ops repo): what a
 * runner container may use for one action. Secrets are names of `.env` keys;
 * mounts are aliases for operator directories mounted read-only. Mounts sit
 * alongside secrets, never instead (SPEC §14 regression 4): a release needs
 * both, so either mirror path (token or SSH) works in the runner.
 */
import { stringify } from "smol-toml";
import { z } from "zod";
import { parseTomlFile } from "../../core/config/project.ts";
import { parseOrBadInput } from "../../core/config/validate.ts";
import { BadInputError } from "../../core/errors.ts";
import type { ReleaseForge } from "./api.ts";

/** Secrets an action may ask for. */
export const ALLOWED_SECRETS = ["GITHUB_TOKEN", "CODEBERG_TOKEN"] as const;

/** Mount aliases: the directory under the operator's home, mounted read-only. */
export const MOUNT_ALIASES = {
  ssh: ".ssh",
  gpg: ".gnupg",
  sops: ".config/sops/age",
} as const;

export type MountAlias = keyof typeof MOUNT_ALIASES;

/** The home directory of the agent user inside runner containers. */
export const CONTAINER_HOME = "/home/agent";

const aliasSchema = z.string().refine(
  (value) => Object.hasOwn(MOUNT_ALIASES, value),
  { message: `expected a mount alias (${Object.keys(MOUNT_ALIASES).join(", ")})` },
);

const secretSchema = z.string().refine(
  (value) => (ALLOWED_SECRETS as readonly string[]).includes(value),
  { message: `expected an allowed secret (${ALLOWED_SECRETS.join(", ")})` },
);

export const vaultActionSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]+$/, "expected an id of [A-Za-z0-9._-]"),
  formula: z.string().min(1),
  context: z.string().default(""),
  secrets: z.array(secretSchema).default([]),
  mounts: z.array(aliasSchema).default([]),
  vars: z.record(z.string(), z.string()).default({}),
}).superRefine((action, ctx) => {
  // Regression 4: a release needs the tokens AND the SSH mount, never one instead of the other.
  if (action.formula !== "release") return;
  for (const secret of ALLOWED_SECRETS) {
    if (!action.secrets.includes(secret)) {
      ctx.addIssue({ code: "custom", path: ["secrets"], message: `a release needs ${secret}` });
    }
  }
  if (!action.mounts.includes("ssh")) {
    ctx.addIssue({ code: "custom", path: ["mounts"], message: 'a release needs "ssh"' });
  }
});

export type VaultAction = z.infer<typeof vaultActionSchema>;

/** Validate a parsed action document; errors name the file, key path and rule (exit 2). */
export function validateVaultAction(data: unknown, file: string): VaultAction {
  return parseOrBadInput(vaultActionSchema, data, file) as VaultAction;
}

/** Parse and validate action file text. */
export function parseVaultAction(text: string, file: string): VaultAction {
  return validateVaultAction(parseTomlFile(text, file), file);
}

/** The action that asks the runner to release `version`. */
export function releaseAction(version: string): VaultAction {
  return {
    id: `release-${version}`,
    formula: "release",
    context: `Release ${version}: tag on the forge, push the tag to every mirror`,
    secrets: ["GITHUB_TOKEN", "CODEBERG_TOKEN"],
    mounts: ["ssh"],
    vars: { version },
  };
}

/** Its path inside the ops repo. */
export function vaultActionPath(action: VaultAction): string {
  return `vault/actions/${action.id}.toml`;
}

/** The file content (validated before it is rendered, so a bad action is never written). */
export function renderVaultAction(action: VaultAction): string {
  const valid = validateVaultAction(action, vaultActionPath(action));
  const header = "# A vault action: what the runner container may use for this action.\n";
  return header + stringify({
    id: valid.id,
    formula: valid.formula,
    context: valid.context,
    secrets: valid.secrets,
    mounts: valid.mounts,
    vars: valid.vars,
  }) + "\n";
}

/**
 * Docker volume specs for an action's mounts: `<home>/<dir>:<container home>/<dir>:ro`.
 * `home` is the operator's home directory on the host.
 */
export function mountVolumes(mounts: readonly string[], home: string): string[] {
  if (!home.startsWith("/")) {
    throw new BadInputError(`HOME ${JSON.stringify(home)}: expected an absolute path`);
  }
  const base = home.replace(/\/+$/, "");
  return mounts.map((alias) => {
    if (!Object.hasOwn(MOUNT_ALIASES, alias)) {
      throw new BadInputError(
        `mounts: unknown alias ${JSON.stringify(alias)}; expected one of ${
          Object.keys(MOUNT_ALIASES).join(", ")
        }`,
      );
    }
    const dir = MOUNT_ALIASES[alias as MountAlias];
    return `${base}/${dir}:${CONTAINER_HOME}/${dir}:ro`;
  });
}

/** The part of the forge this needs: a branch, the contents API and a pull request. */
export type VaultForge = Pick<ReleaseForge, "createBranch" | "createFile" | "openPull">;

/** The branch of the ops repo a release's vault action is proposed on. */
export const vaultBranch = (action: VaultAction) => `vault/${action.id}`;

/**
 * Propose the release's action in the ops repo: a branch `vault/release-<v>`
 * from `base`, the file committed on it through the contents API, and a pull
 * request into `base`. The ops repo's primary branch is protected (push
 * disabled, one approval): the action takes effect when the operator
 * approves and merges it. Returns the file's path and the PR's number.
 */
export async function writeReleaseAction(
  forge: VaultForge,
  opsRepo: string,
  version: string,
  base: string,
): Promise<{ path: string; branch: string; pull: number }> {
  const action = releaseAction(version);
  const path = vaultActionPath(action);
  const branch = vaultBranch(action);
  const title = `vault: request ${action.id}`;
  await forge.createBranch(opsRepo, branch, base);
  await forge.createFile(opsRepo, path, renderVaultAction(action), title, branch);
  const pull = await forge.openPull(
    opsRepo,
    branch,
    base,
    title,
    `${action.context}.\n\nSecrets: ${action.secrets.join(", ")}; mounts: ${
      action.mounts.join(", ")
    } (read-only). Approve and merge to let the runner container run it.`,
  );
  return { path, branch, pull };
}
