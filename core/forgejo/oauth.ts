/** OAuth2 applications of the calling user (for sign-in to the chat web server). */
import { type ForgejoHttp } from "./http.ts";
import { paginate } from "./paginate.ts";
import { type OAuth2App, OAuth2AppSchema } from "./schema.ts";

export interface OAuth2AppInput {
  name: string;
  redirect_uris: readonly string[];
  confidential_client?: boolean;
}

export async function listOAuth2Apps(http: ForgejoHttp): Promise<OAuth2App[]> {
  return await paginate(http, "/user/applications/oauth2", { item: OAuth2AppSchema });
}

export async function getOAuth2App(http: ForgejoHttp, id: number): Promise<OAuth2App | null> {
  const r = await http.request("GET", "/user/applications/oauth2/{id}", {
    params: { id },
    accept: [404],
    schema: OAuth2AppSchema,
  });
  return r.status === 404 ? null : r.data;
}

/** Create an app; the answer's `client_secret` is shown this once. */
export async function createOAuth2App(
  http: ForgejoHttp,
  input: OAuth2AppInput,
): Promise<OAuth2App> {
  const r = await http.request("POST", "/user/applications/oauth2", {
    body: input,
    schema: OAuth2AppSchema,
  });
  return r.data;
}

/** Replace an app's name and redirect URIs. */
export async function editOAuth2App(
  http: ForgejoHttp,
  id: number,
  input: OAuth2AppInput,
): Promise<OAuth2App> {
  const r = await http.request("PATCH", "/user/applications/oauth2/{id}", {
    params: { id },
    body: input,
    schema: OAuth2AppSchema,
  });
  return r.data;
}

export async function deleteOAuth2App(http: ForgejoHttp, id: number): Promise<boolean> {
  const r = await http.request("DELETE", "/user/applications/oauth2/{id}", {
    params: { id },
    accept: [404],
  });
  return r.status !== 404;
}
