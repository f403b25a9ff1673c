/**
 * The forge's end state after `disinto init`, read through the emulator and
 * normalised (no ids, secrets or timestamps) so that two forges set up by
 * different runs compare equal exactly when init converged to the same
 * result. Users and repositories are enumerated from the emulator's model
 * (it serves no listing for them); everything else comes from real API
 * answers to the admin.
 */
import { adminCall } from "../helpers/emulator_api.ts";
import type { StartedEmulator } from "../helpers/emulator.ts";

export interface RepoEndState {
  slug: string;
  private: boolean;
  defaultBranch: string;
  labels: string[];
  /** "login:permission", as the forge reports the permission. */
  collaborators: string[];
  /** Each rule as the forge returns it, without its timestamps. */
  protections: Record<string, unknown>[];
}

export interface ForgeEndState {
  users: string[];
  /** "login:token name:scopes" for every API token. */
  tokens: string[];
  repos: RepoEndState[];
}

/** GET `path` (under /api/v1) as the emulator's admin; throws unless 200. */
export async function adminGet<T>(emulator: StartedEmulator, path: string): Promise<T> {
  return await adminCall(emulator, "GET", path, undefined, 200) as T;
}

export async function readEndState(emulator: StartedEmulator): Promise<ForgeEndState> {
  const data = emulator.forge.state.data;
  const users = data.users.map((u) => u.login).sort();
  const tokens: string[] = [];
  for (const login of users) {
    const listed = await adminGet<Array<{ name: string; scopes: string[] }>>(
      emulator,
      `/users/${login}/tokens`,
    );
    for (const t of listed) tokens.push(`${login}:${t.name}:${[...t.scopes].sort().join(",")}`);
  }
  const repos: RepoEndState[] = [];
  for (const slug of data.repos.map((r) => `${r.owner}/${r.name}`).sort()) {
    repos.push(await readRepo(emulator, slug));
  }
  return { users, tokens: tokens.sort(), repos };
}

async function readRepo(emulator: StartedEmulator, slug: string): Promise<RepoEndState> {
  const repo = await adminGet<{ private: boolean; default_branch: string }>(
    emulator,
    `/repos/${slug}`,
  );
  const labels = await adminGet<Array<{ name: string; color: string; description: string }>>(
    emulator,
    `/repos/${slug}/labels?limit=50`,
  );
  const collaborators = await adminGet<Array<{ login: string }>>(
    emulator,
    `/repos/${slug}/collaborators?limit=50`,
  );
  const permissions: string[] = [];
  for (const { login } of collaborators) {
    const answer = await adminGet<{ permission: string }>(
      emulator,
      `/repos/${slug}/collaborators/${login}/permission`,
    );
    permissions.push(`${login}:${answer.permission}`);
  }
  const rules = await adminGet<Array<Record<string, unknown>>>(
    emulator,
    `/repos/${slug}/branch_protections`,
  );
  return {
    slug,
    private: repo.private,
    defaultBranch: repo.default_branch,
    labels: labels.map((l) => `${l.name}:${l.color}:${l.description}`).sort(),
    collaborators: permissions.sort(),
    protections: rules.map(({ created_at: _c, updated_at: _u, ...rule }) => rule)
      .sort((a, b) => String(a.rule_name).localeCompare(String(b.rule_name))),
  };
}
