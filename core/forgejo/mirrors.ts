/**
 * Push mirrors (repo admin). The forge does not check duplicates, needs an
 * `interval` ("8h0m0s", "0" = only on sync), and refuses loopback and
 * private-network addresses unless ALLOW_LOCALNETWORKS is set.
 */
import { z } from "zod";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { type PushMirror, PushMirrorSchema } from "./schema.ts";

/** Every push mirror (no `page` = all of them). */
export async function listPushMirrors(http: ForgejoHttp, slug: string): Promise<PushMirror[]> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/push_mirrors", {
    params: repoParams(slug),
    schema: z.array(PushMirrorSchema).nullable(),
  });
  return r.data ?? [];
}

export interface CreatePushMirrorInput {
  remote_address: string;
  remote_username?: string;
  remote_password?: string;
  interval: string;
  sync_on_commit?: boolean;
}

/** Add a push mirror (200, not 201); the answer's address has the credentials removed. */
export async function createPushMirror(
  http: ForgejoHttp,
  slug: string,
  input: CreatePushMirrorInput,
): Promise<PushMirror> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/push_mirrors", {
    params: repoParams(slug),
    body: input,
    schema: PushMirrorSchema,
  });
  return r.data;
}

/** Delete a mirror by its `remote_name` (204 even when unknown). */
export async function deletePushMirror(
  http: ForgejoHttp,
  slug: string,
  name: string,
): Promise<void> {
  await http.request("DELETE", "/repos/{owner}/{repo}/push_mirrors/{name}", {
    params: { ...repoParams(slug), name },
    accept: [404],
  });
}

/** Push every mirror now (synchronous; 500 when a push fails). Safe to repeat. */
export async function syncPushMirrors(http: ForgejoHttp, slug: string): Promise<void> {
  await http.request("POST", "/repos/{owner}/{repo}/push_mirrors-sync", {
    params: repoParams(slug),
    idempotent: true,
  });
}
