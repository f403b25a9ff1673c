/**
 * ensureOrg and ensureRepo. A repo owned by an org is created through the
 * org route, one owned by a user through the admin route (the caller must be
 * a site admin for that). An existing repo is left as it is.
 */
import type { Ensured, Outcome } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";
import { createOrg, getOrg } from "./orgs.ts";
import { createOrgRepo, createRepo, getRepo } from "./repos.ts";
import type { Repo } from "./schema.ts";

export async function ensureOrg(
  http: ForgejoHttp,
  org: string,
  options: { visibility?: "public" | "limited" | "private" } = {},
): Promise<Outcome> {
  if ((await getOrg(http, org)) !== null) return "unchanged";
  return (await createOrg(http, org, options)) === null ? "unchanged" : "created";
}

export interface EnsureRepoInput {
  owner: string;
  name: string;
  autoInit?: boolean;
  defaultBranch?: string;
  description?: string;
  private?: boolean;
}

export async function ensureRepo(
  http: ForgejoHttp,
  input: EnsureRepoInput,
): Promise<Ensured<Repo>> {
  const slug = `${input.owner}/${input.name}`;
  const existing = await getRepo(http, slug);
  if (existing) return { outcome: "unchanged", value: existing };
  const body = {
    name: input.name,
    auto_init: input.autoInit ?? false,
    default_branch: input.defaultBranch ?? "main",
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.private === undefined ? {} : { private: input.private }),
  };
  const isOrg = (await getOrg(http, input.owner)) !== null;
  const created = isOrg
    ? await createOrgRepo(http, input.owner, body)
    : await createRepo(http, input.owner, body);
  if (created) return { outcome: "created", value: created };
  // 409: created meanwhile; report what is there.
  const now = await getRepo(http, slug);
  if (!now) throw new Error(`Repository "${slug}" exists by the forge's answer but cannot be read`);
  return { outcome: "unchanged", value: now };
}
