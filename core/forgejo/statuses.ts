/**
 * Commit statuses (what CI reports about a commit). Forgejo v11
 * routers/api/v1/repo/status.go: a commit with no status at all answers the
 * combined route 200 with an empty object (state "", total_count 0,
 * statuses null); otherwise the combined state is the worst of the latest
 * status per context, with "error" reported as "failure"
 * (services/convert/status.go ToCombinedStatus).
 */
import { z } from "zod";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { paginate } from "./paginate.ts";

export type CommitState = "pending" | "success" | "error" | "failure" | "warning";

export const CommitStatusSchema = z.object({
  id: z.number(),
  /** The state; the API names this field `status` on a single status. */
  status: z.string(),
  context: z.string().optional(),
  description: z.string().nullish(),
  target_url: z.string().nullish(),
  created_at: z.string().optional(),
}).loose();
export type CommitStatus = z.infer<typeof CommitStatusSchema>;

export const CombinedStatusSchema = z.object({
  /** "" when the commit has no status. */
  state: z.string().nullish().transform((state) => state ?? ""),
  sha: z.string().nullish(),
  total_count: z.number().nullish().transform((count) => count ?? 0),
  statuses: z.array(CommitStatusSchema).nullish().transform((statuses) => statuses ?? []),
}).loose();
export type CombinedStatus = z.infer<typeof CombinedStatusSchema>;

/** Report a status on commit `sha` (needs write access to the code). */
export async function createCommitStatus(
  http: ForgejoHttp,
  slug: string,
  sha: string,
  input: { state: CommitState; context?: string; description?: string; target_url?: string },
): Promise<CommitStatus> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/statuses/{sha}", {
    params: { ...repoParams(slug), sha },
    body: input,
    schema: CommitStatusSchema,
  });
  return r.data;
}

/** The combined status of a branch, tag or commit; null when the forge answers 404. */
export async function combinedStatus(
  http: ForgejoHttp,
  slug: string,
  ref: string,
): Promise<CombinedStatus | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/commits/{ref}/status", {
    params: { ...repoParams(slug), ref },
    accept: [404],
    schema: CombinedStatusSchema,
  });
  return r.status === 404 ? null : r.data;
}

/** Every status reported on a ref, newest first, following every page. */
export async function listCommitStatuses(
  http: ForgejoHttp,
  slug: string,
  ref: string,
): Promise<CommitStatus[]> {
  return await paginate(http, "/repos/{owner}/{repo}/commits/{ref}/statuses", {
    params: { ...repoParams(slug), ref },
    item: CommitStatusSchema,
  });
}

/**
 * What a combined status means for merging: no status at all is green (no
 * CI configured), "success" is green, "pending" waits, anything else failed.
 */
export function ciVerdict(status: CombinedStatus | null): "green" | "pending" | "failed" {
  if (status === null || status.total_count === 0 || status.state === "") return "green";
  if (status.state === "success") return "green";
  if (status.state === "pending") return "pending";
  return "failed";
}
