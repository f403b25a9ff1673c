/** Git tags through the API. */
import { type ForgejoHttp, repoParams } from "./http.ts";
import { type Tag, TagSchema } from "./schema.ts";

export async function getTag(http: ForgejoHttp, slug: string, tag: string): Promise<Tag | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/tags/{tag}", {
    params: { ...repoParams(slug), tag },
    accept: [404],
    schema: TagSchema,
  });
  return r.status === 404 ? null : r.data;
}

/** Create a tag at `target` (branch or commit); annotated when a message is given. */
export async function createTag(
  http: ForgejoHttp,
  slug: string,
  input: { tag_name: string; target?: string; message?: string },
): Promise<Tag> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/tags", {
    params: repoParams(slug),
    body: input,
    schema: TagSchema,
  });
  return r.data;
}

/** Delete a tag; false when there was none. */
export async function deleteTag(http: ForgejoHttp, slug: string, tag: string): Promise<boolean> {
  const r = await http.request("DELETE", "/repos/{owner}/{repo}/tags/{tag}", {
    params: { ...repoParams(slug), tag },
    accept: [404],
  });
  return r.status !== 404;
}
