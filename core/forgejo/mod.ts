/**
 * core/forgejo: the Forgejo API client (SPEC §5.3). One HTTP layer
 * (http.ts), one small function per endpoint grouped by resource, zod
 * schemas for the fields read (schema.ts), idempotent ensure verbs, and
 * CLIENT_ROUTES for the contract test.
 *
 * ```ts
 * const http = new ForgejoHttp(forgeUrl, basicAuth(adminUser, adminPass), {
 *   fetch: context.fetch,
 *   sleep: (ms, signal) => context.clock.sleep(ms, signal),
 *   signal: context.signal,
 * });
 * const issues = await listIssues(http, "acme/demo", { labels: ["backlog"] });
 * await ensureLabel(http, "acme/demo", { name: "backlog", color: "#0075ca" });
 * // The same, bound: forgejoClient(http).issues.listIssues("acme/demo", {…});
 * const bot = forgejoClient(http).withAuth(tokenAuth(botToken));
 * ```
 */
export * from "./auth.ts";
export * from "./error.ts";
export * from "./http.ts";
export * from "./paginate.ts";
export * from "./schema.ts";
export * from "./client.ts";
export * from "./admin.ts";
export * from "./branches.ts";
export * from "./collaborators.ts";
export * from "./contents.ts";
export * from "./issues.ts";
export * from "./labels.ts";
export * from "./mirrors.ts";
export * from "./misc.ts";
export * from "./oauth.ts";
export * from "./orgs.ts";
export * from "./protections.ts";
export * from "./pulls.ts";
export * from "./repos.ts";
export * from "./statuses.ts";
export * from "./tags.ts";
export * from "./timeline.ts";
export * from "./tokens.ts";
export * from "./users.ts";
export * from "./routes.ts";
export * from "./ensure.ts";
export * from "./ensure_user.ts";
export * from "./ensure_token.ts";
export * from "./ensure_repo.ts";
export * from "./ensure_collaborator.ts";
export * from "./ensure_label.ts";
export * from "./ensure_protection.ts";
