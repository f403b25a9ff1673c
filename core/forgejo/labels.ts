/** Repository labels, and the labels on one issue or PR (by id). */
import { z } from "zod";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { type Label, LabelSchema } from "./schema.ts";

const LabelListSchema = z.array(LabelSchema).nullable();

/** Every label of the repo (no `page` = all of them), sorted by name. */
export async function listLabels(http: ForgejoHttp, slug: string): Promise<Label[]> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/labels", {
    params: repoParams(slug),
    schema: LabelListSchema,
  });
  return r.data ?? [];
}

/** Create a label. The forge does not check names: the caller must look first. */
export async function createLabel(
  http: ForgejoHttp,
  slug: string,
  input: { name: string; color: string; description?: string; exclusive?: boolean },
): Promise<Label> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/labels", {
    params: repoParams(slug),
    body: input,
    schema: LabelSchema,
  });
  return r.data;
}

export async function editLabel(
  http: ForgejoHttp,
  slug: string,
  id: number,
  input: { name?: string; color?: string; description?: string },
): Promise<Label> {
  const r = await http.request("PATCH", "/repos/{owner}/{repo}/labels/{id}", {
    params: { ...repoParams(slug), id },
    body: input,
    schema: LabelSchema,
  });
  return r.data;
}

/** Delete a label (204 even when unknown); its timeline events go with it. */
export async function deleteLabel(http: ForgejoHttp, slug: string, id: number): Promise<void> {
  await http.request("DELETE", "/repos/{owner}/{repo}/labels/{id}", {
    params: { ...repoParams(slug), id },
  });
}

/** Add labels (ids) to an issue; returns the issue's whole label set. */
export async function addIssueLabels(
  http: ForgejoHttp,
  slug: string,
  index: number,
  ids: readonly number[],
): Promise<Label[]> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/issues/{index}/labels", {
    params: { ...repoParams(slug), index },
    body: { labels: ids },
    schema: LabelListSchema,
    // Adding a label that is already there changes nothing, so a retry is safe.
    idempotent: true,
  });
  return r.data ?? [];
}

/** Remove one label (by id) from an issue; a label not on it is a no-op. */
export async function removeIssueLabel(
  http: ForgejoHttp,
  slug: string,
  index: number,
  id: number,
): Promise<void> {
  await http.request("DELETE", "/repos/{owner}/{repo}/issues/{index}/labels/{id}", {
    params: { ...repoParams(slug), index, id },
    accept: [404],
  });
}

export async function listIssueLabels(
  http: ForgejoHttp,
  slug: string,
  index: number,
): Promise<Label[]> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/issues/{index}/labels", {
    params: { ...repoParams(slug), index },
    schema: LabelListSchema,
  });
  return r.data ?? [];
}
