/** Server info, users, admin users, access tokens and organisations. */
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import {
  type ApiApp,
  type ApiContext,
  bodyOf,
  callerOf,
  publicOnlyRefusal,
  reservedUserName,
  signedIn,
  siteAdmin,
  validUsername,
} from "./route_kit.ts";
import { normalizeScopes, ScopeError } from "./scopes.ts";
import { randomHex, sha256 } from "./state.ts";

export const VERSION = "11.0.1+gitea-1.22.0";

export function registerUserRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  app.get("/version", () => json(200, { version: VERSION }));
  app.get("/settings/api", () =>
    json(200, {
      max_response_items: 50,
      default_paging_num: 30,
      default_git_trees_per_page: 1000,
      default_max_blob_size: 10485760,
    }));

  app.get("/user", (c) => {
    const who = signedIn(c, forge);
    return "error" in who ? who.error : json(200, forge.userJson(who.ok.user, who.ok.user));
  });

  app.get("/users/:username", (c) => {
    const name = c.req.param("username");
    const user = state.user(name);
    const org = user ? undefined : state.org(name);
    if (!user && !org) {
      return apiError(forge.rootUrl, 404, `user redirect does not exist [name: ${name}]`);
    }
    return json(
      200,
      user ? forge.userJson(user, callerOf(c)?.user ?? null) : forge.ownerJson(org!.name),
    );
  });

  app.post("/admin/users", async (c) => {
    const admin = siteAdmin(c, forge);
    if ("error" in admin) return admin.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const username = String(body.ok.username ?? "");
    const email = String(body.ok.email ?? "");
    const password = typeof body.ok.password === "string" ? body.ok.password : "";
    if (!username) return apiError(forge.rootUrl, 422, "[Username]: Required");
    if (!validUsername(username)) {
      return apiError(forge.rootUrl, 422, "[Username]: invalid username");
    }
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return apiError(forge.rootUrl, 422, "[Email]: Email");
    const reserved = reservedUserName(username);
    if (reserved) return apiError(forge.rootUrl, 422, reserved);
    if (state.nameTaken(username)) {
      return apiError(forge.rootUrl, 422, `user already exists [name: ${username}]`);
    }
    if (state.data.users.some((u) => u.email.toLowerCase() === email.toLowerCase())) {
      return apiError(forge.rootUrl, 422, `e-mail already in use [email: ${email}]`);
    }
    if (password.length < 8) return apiError(forge.rootUrl, 400, "PasswordIsRequired");
    const user = {
      id: state.nextId("user"),
      login: username,
      email,
      fullName: String(body.ok.full_name ?? ""),
      passwordSalt: "",
      passwordHash: "",
      isAdmin: false,
      // Forgejo defaults this to true when omitted.
      mustChangePassword: body.ok.must_change_password !== false,
      active: true,
      prohibitLogin: false,
      created: forge.iso(),
    };
    state.setPassword(user, password);
    state.data.users.push(user);
    forge.onChange();
    return json(201, forge.userJson(user, admin.ok.user));
  });

  app.patch("/admin/users/:username", async (c) => {
    const admin = siteAdmin(c, forge);
    if ("error" in admin) return admin.error;
    const name = c.req.param("username");
    const user = state.user(name);
    if (!user) return apiError(forge.rootUrl, 404, `user redirect does not exist [name: ${name}]`);
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    if (typeof b.password === "string" && b.password !== "") {
      if (b.password.length < 8) {
        return apiError(forge.rootUrl, 400, "password must be at least 8 characters");
      }
      state.setPassword(user, b.password);
    }
    if (typeof b.must_change_password === "boolean") {
      user.mustChangePassword = b.must_change_password;
    }
    if (typeof b.admin === "boolean") {
      const admins = state.data.users.filter((u) => u.isAdmin);
      if (!b.admin && user.isAdmin && admins.length === 1) {
        return apiError(forge.rootUrl, 400, "cannot remove the last admin");
      }
      user.isAdmin = b.admin;
    }
    if (typeof b.active === "boolean") user.active = b.active;
    if (typeof b.prohibit_login === "boolean") user.prohibitLogin = b.prohibit_login;
    if (typeof b.full_name === "string") user.fullName = b.full_name;
    if (typeof b.email === "string" && b.email !== "") user.email = b.email;
    forge.onChange();
    return json(200, forge.userJson(user, admin.ok.user));
  });

  app.delete("/admin/users/:username", (c) => {
    const admin = siteAdmin(c, forge);
    if ("error" in admin) return admin.error;
    const name = c.req.param("username");
    const user = state.user(name);
    if (!user) {
      return state.org(name)
        ? apiError(forge.rootUrl, 422, `user is an organization [name: ${name}]`)
        : apiError(forge.rootUrl, 404, `user redirect does not exist [name: ${name}]`);
    }
    if (user.id === admin.ok.user.id) {
      return apiError(forge.rootUrl, 422, "You cannot delete yourself.");
    }
    if (state.data.repos.some((r) => r.owner.toLowerCase() === user.login.toLowerCase())) {
      return apiError(
        forge.rootUrl,
        422,
        `user still has ownership of repositories [uid: ${user.id}, count: 1]`,
      );
    }
    state.data.users = state.data.users.filter((u) => u !== user);
    state.removeTokens((t) => t.userId === user.id);
    forge.onChange();
    return statusOnly(204);
  });

  // Tokens: self or site admin; creation and deletion only with basic auth.
  const tokenOwner = (c: ApiContext) => {
    const name = c.req.param("username") ?? "";
    const owner = state.user(name);
    if (!owner) return { error: notFound(forge.rootUrl) } as const;
    const caller = callerOf(c);
    if (!caller || (caller.user.id !== owner.id && !caller.user.isAdmin)) {
      return {
        error: apiError(
          forge.rootUrl,
          403,
          "doer should be the site admin or be same as the contextUser",
        ),
      } as const;
    }
    return { owner, caller } as const;
  };

  app.get("/users/:username/tokens", (c) => {
    const found = tokenOwner(c);
    if ("error" in found) return found.error;
    const tokens = state.data.tokens.filter((t) => t.userId === found.owner.id && !t.oauthExpires)
      .sort((a, b) => b.id - a.id);
    const page = paged(c.req.raw, forge.rootUrl, tokens, { allWithoutPage: true });
    return json(
      200,
      page.items.map((t) => ({
        id: t.id,
        name: t.name,
        sha1: "",
        token_last_eight: t.lastEight,
        scopes: t.scopes,
      })),
      page.headers,
    );
  });

  app.post("/users/:username/tokens", async (c) => {
    const found = tokenOwner(c);
    if ("error" in found) return found.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = typeof body.ok.name === "string" ? body.ok.name : "";
    if (!name) return apiError(forge.rootUrl, 422, "[Name]: Required");
    if (!found.caller.basic) return apiError(forge.rootUrl, 401, "auth required");
    if (state.data.tokens.some((t) => t.userId === found.owner.id && t.name === name)) {
      return apiError(forge.rootUrl, 400, "access token name has been used already");
    }
    const requested = Array.isArray(body.ok.scopes) ? body.ok.scopes.map(String) : [];
    let scopes: string[];
    try {
      scopes = normalizeScopes(requested);
    } catch (error) {
      if (error instanceof ScopeError) return apiError(forge.rootUrl, 400, error.message);
      throw error;
    }
    if (scopes.length === 0) return apiError(forge.rootUrl, 400, "access token must have a scope");
    const secret = randomHex(20);
    const token = {
      id: state.nextId("token"),
      userId: found.owner.id,
      name,
      hash: sha256(secret),
      lastEight: secret.slice(-8),
      scopes,
      created: forge.iso(),
    };
    state.addToken(token);
    forge.onChange();
    return json(201, {
      id: token.id,
      name,
      sha1: secret,
      token_last_eight: token.lastEight,
      scopes,
    });
  });

  app.delete("/users/:username/tokens/:token", (c) => {
    const found = tokenOwner(c);
    if ("error" in found) return found.error;
    if (!found.caller.basic) return apiError(forge.rootUrl, 401, "auth required");
    const key = c.req.param("token");
    const mine = state.data.tokens.filter((t) => t.userId === found.owner.id && !t.oauthExpires);
    const matches = /^\d+$/.test(key)
      ? mine.filter((t) => t.id === Number(key))
      : mine.filter((t) => t.name === key);
    if (matches.length === 0) return notFound(forge.rootUrl);
    if (matches.length > 1) {
      return apiError(forge.rootUrl, 422, `multiple matches for token name '${key}'`);
    }
    state.removeTokens((t) => t === matches[0]);
    forge.onChange();
    return statusOnly(204);
  });

  app.post("/orgs", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.username ?? "");
    if (!name) return apiError(forge.rootUrl, 422, "[UserName]: Required");
    if (!validUsername(name)) return apiError(forge.rootUrl, 422, "[UserName]: invalid username");
    const reserved = reservedUserName(name);
    if (reserved) return apiError(forge.rootUrl, 422, reserved);
    if (state.nameTaken(name)) {
      return apiError(forge.rootUrl, 422, `user already exists [name: ${name}]`);
    }
    const org = {
      id: state.nextId("user"),
      name,
      fullName: String(body.ok.full_name ?? ""),
      description: String(body.ok.description ?? ""),
      visibility: String(body.ok.visibility ?? "public"),
      created: forge.iso(),
      owners: [who.ok.user.login],
    };
    state.data.orgs.push(org);
    forge.onChange();
    return json(201, forge.orgJson(org));
  });

  app.get("/orgs/:org", (c) => {
    const name = c.req.param("org");
    const org = state.org(name);
    if (!org) {
      return notFound(forge.rootUrl, "GetOrgByName", [
        `user redirect does not exist [name: ${name}]`,
      ]);
    }
    const refused = org.visibility === "public"
      ? null
      : publicOnlyRefusal(forge, callerOf(c), "orgs");
    return refused ?? json(200, forge.orgJson(org));
  });
}
