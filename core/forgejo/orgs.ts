/** Organisations. */
import { isAlreadyExists } from "./error.ts";
import type { ForgejoHttp } from "./http.ts";
import { type Org, OrgSchema } from "./schema.ts";

/** `GET /orgs/{org}`; null when there is no such org (a user of that name is no org). */
export async function getOrg(http: ForgejoHttp, org: string): Promise<Org | null> {
  const r = await http.request("GET", "/orgs/{org}", {
    params: { org },
    accept: [404],
    schema: OrgSchema,
  });
  return r.status === 404 ? null : r.data;
}

export async function orgExists(http: ForgejoHttp, org: string): Promise<boolean> {
  return (await getOrg(http, org)) !== null;
}

/** Create an org; null when the name is taken already (422). */
export async function createOrg(
  http: ForgejoHttp,
  org: string,
  input: { visibility?: "public" | "limited" | "private"; full_name?: string } = {},
): Promise<Org | null> {
  try {
    const body = { username: org, visibility: "public", ...input };
    return (await http.request("POST", "/orgs", { body, schema: OrgSchema })).data;
  } catch (error) {
    if (isAlreadyExists(error)) return null;
    throw error;
  }
}
