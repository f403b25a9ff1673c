/** Push mirrors: kept per repository and pushed for real on sync (scope: repository). */
import type { Forge } from "./forge.ts";
import { apiError, json, paged, statusOnly } from "./respond.ts";
import { type ApiApp, bodyOf, signedInRepo } from "./route_kit.ts";
import { type MirrorRecord, randomHex, type RepoRecord } from "./state.ts";

export function registerMirrorRoutes(app: ApiApp, forge: Forge): void {
  const { git } = forge;

  const mirrorJson = (repo: RepoRecord, m: MirrorRecord) => ({
    repo_name: repo.name,
    remote_name: m.remoteName,
    remote_address: m.remoteAddress,
    created: m.created,
    last_update: m.lastUpdate,
    last_error: m.lastError,
    interval: m.interval,
    sync_on_commit: m.syncOnCommit,
    public_key: "",
  });

  app.get("/repos/:owner/:repo/push_mirrors", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const page = paged(c.req.raw, forge.rootUrl, found.ok.repo.mirrors, { allWithoutPage: true });
    return json(200, page.items.map((m) => mirrorJson(found.ok.repo, m)), page.headers);
  });

  app.post("/repos/:owner/:repo/push_mirrors", async (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    const interval = parseGoDuration(String(b.interval ?? ""));
    if (interval === null) {
      return apiError(forge.rootUrl, 400, `time: invalid duration "${b.interval ?? ""}"`);
    }
    if (interval !== 0 && interval < 600) return apiError(forge.rootUrl, 400, "%!s(<nil>)");
    if (b.use_ssh === true && (b.remote_username || b.remote_password)) {
      return apiError(
        forge.rootUrl,
        400,
        "'use_ssh' is mutually exclusive with 'remote_username' and 'remote_passoword'",
      );
    }
    let address: URL;
    try {
      address = new URL(String(b.remote_address ?? ""));
    } catch {
      return apiError(forge.rootUrl, 400, "Invalid Url ");
    }
    if (!["http:", "https:", "git:", "ssh:"].includes(address.protocol)) {
      return apiError(forge.rootUrl, 400, "Invalid mirror protocol");
    }
    const username = String(b.remote_username ?? address.username ?? "");
    const password = String(b.remote_password ?? address.password ?? "");
    address.username = "";
    address.password = "";
    const mirror: MirrorRecord = {
      remoteName: `remote_mirror_${randomHex(5)}`,
      remoteAddress: address.toString(),
      remoteUsername: username,
      remotePassword: password,
      interval: formatGoDuration(interval),
      syncOnCommit: b.sync_on_commit === true,
      created: forge.iso(),
      lastUpdate: null,
      lastError: "",
    };
    found.ok.repo.mirrors.push(mirror);
    forge.onChange();
    return json(200, mirrorJson(found.ok.repo, mirror));
  });

  app.get("/repos/:owner/:repo/push_mirrors/:name", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const mirror = found.ok.repo.mirrors.find((m) => m.remoteName === c.req.param("name"));
    return mirror
      ? json(200, mirrorJson(found.ok.repo, mirror))
      : apiError(forge.rootUrl, 404, "%!s(<nil>)");
  });

  app.delete("/repos/:owner/:repo/push_mirrors/:name", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    found.ok.repo.mirrors = found.ok.repo.mirrors.filter((m) =>
      m.remoteName !== c.req.param("name")
    );
    forge.onChange();
    return statusOnly(204);
  });

  app.post("/repos/:owner/:repo/push_mirrors-sync", async (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    let failed = false;
    for (const mirror of repo.mirrors) {
      const target = new URL(mirror.remoteAddress);
      if (mirror.remoteUsername || mirror.remotePassword) {
        target.username = encodeURIComponent(mirror.remoteUsername);
        target.password = encodeURIComponent(mirror.remotePassword);
      }
      try {
        await git.pushMirror(repo.owner, repo.name, target.toString());
        mirror.lastError = "";
      } catch (error) {
        mirror.lastError = (error as Error).message;
        failed = true;
      }
      mirror.lastUpdate = forge.iso();
    }
    forge.onChange();
    return failed
      ? json(500, { message: "", url: `${forge.rootUrl}api/swagger` })
      : new Response(null, { status: 200 });
  });
}

/** Go durations such as "8h0m0s", "10m", "0" → seconds, or null. */
export function parseGoDuration(text: string): number | null {
  if (text === "0") return 0;
  if (!/^(\d+(\.\d+)?(h|m|s|ms))+$/.test(text)) return null;
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    seconds += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001 }[unit!] ?? 0);
  }
  return seconds;
}

export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}
