/** Server information: version and settings (no authentication needed). */
import type { ForgejoHttp } from "./http.ts";
import { type ApiSettings, ApiSettingsSchema, VersionSchema } from "./schema.ts";

/**
 * The forge's version. A 401/403 still proves the forge is up (bad credentials
 * fail before routing, even here): it answers "version unknown" and the
 * caller's next authenticated request reports the credential problem.
 */
export async function getVersion(http: ForgejoHttp): Promise<string> {
  const r = await http.request("GET", "/version", { accept: [401, 403], schema: VersionSchema });
  return r.status === 200 ? r.data.version : "version unknown";
}

/** Paging limits: `max_response_items` (50) and `default_paging_num` (30). */
export async function getApiSettings(http: ForgejoHttp): Promise<ApiSettings> {
  return (await http.request("GET", "/settings/api", { schema: ApiSettingsSchema })).data;
}
