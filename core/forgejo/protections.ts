/**
 * Branch protection rules (`/branch_protections`, repo admin). A rule may
 * name a branch that does not exist yet; creating an existing rule is a 403
 * "Branch protection already exist" (no upsert: edit with PATCH).
 */
import { z } from "zod";
import { ForgejoError } from "./error.ts";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { type BranchProtection, BranchProtectionSchema } from "./schema.ts";

/** Every rule (this route does not page). */
export async function listBranchProtections(
  http: ForgejoHttp,
  slug: string,
): Promise<BranchProtection[]> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/branch_protections", {
    params: repoParams(slug),
    schema: z.array(BranchProtectionSchema).nullable(),
  });
  return r.data ?? [];
}

export async function getBranchProtection(
  http: ForgejoHttp,
  slug: string,
  name: string,
): Promise<BranchProtection | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/branch_protections/{name}", {
    params: { ...repoParams(slug), name },
    accept: [404],
    schema: BranchProtectionSchema,
  });
  return r.status === 404 ? null : r.data;
}

/** Create a rule; null when a rule of that name exists already (403). */
export async function createBranchProtection(
  http: ForgejoHttp,
  slug: string,
  body: Record<string, unknown>,
): Promise<BranchProtection | null> {
  try {
    const r = await http.request("POST", "/repos/{owner}/{repo}/branch_protections", {
      params: repoParams(slug),
      body,
      schema: BranchProtectionSchema,
    });
    return r.data;
  } catch (error) {
    if (isRuleExists(error)) return null;
    throw error;
  }
}

/** Partial update: only the keys sent change. */
export async function editBranchProtection(
  http: ForgejoHttp,
  slug: string,
  name: string,
  body: Record<string, unknown>,
): Promise<BranchProtection> {
  const r = await http.request("PATCH", "/repos/{owner}/{repo}/branch_protections/{name}", {
    params: { ...repoParams(slug), name },
    body,
    schema: BranchProtectionSchema,
  });
  return r.data;
}

/** Delete a rule; false when there was none. */
export async function deleteBranchProtection(
  http: ForgejoHttp,
  slug: string,
  name: string,
): Promise<boolean> {
  const r = await http.request("DELETE", "/repos/{owner}/{repo}/branch_protections/{name}", {
    params: { ...repoParams(slug), name },
    accept: [404],
  });
  return r.status !== 404;
}

function isRuleExists(error: unknown): boolean {
  return error instanceof ForgejoError && error.status === 403 &&
    /already exist/.test(error.forgeMessage);
}
