/** Files through the contents API (a commit per call). */
import { type ForgejoHttp, repoParams } from "./http.ts";
import { FileChangeSchema } from "./schema.ts";

/** Create a file on `branch` (default: the default branch); 422 when it exists. */
export async function createFile(
  http: ForgejoHttp,
  slug: string,
  filepath: string,
  input: { content: string; message: string; branch?: string },
): Promise<{ commitSha: string | null }> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/contents/{filepath}", {
    params: { ...repoParams(slug), filepath },
    body: { ...input, content: base64(input.content) },
    schema: FileChangeSchema,
  });
  return { commitSha: r.data?.commit?.sha ?? null };
}

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
