/**
 * Small helpers for the fidelity tests: plain fetch calls against a started
 * emulator, and the set-up steps (users, tokens, repos) every area needs.
 * Test-only; nothing here is product code.
 */
import type { StartedEmulator } from "../../../tests/helpers/emulator.ts";

// deno-lint-ignore no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: Json;
}

export interface CallOptions {
  auth?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export const basic = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`;
export const tokenAuth = (secret: string) => `token ${secret}`;

/** Call `path` (relative to /api/v1 unless it starts with /api/ or /login/). */
export async function call(
  em: StartedEmulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const absolute = /^\/(api|login)\//.test(path) ? path : `/api/v1${path}`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${em.url.replace(/\/$/, "")}${absolute}`, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
    redirect: "manual",
  });
  const text = await response.text();
  let body: Json = undefined;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** The admin's basic credentials. */
export const adminAuth = (em: StartedEmulator) => basic(em.admin.user, em.admin.pass);

export interface TestUser {
  name: string;
  pass: string;
  auth: string;
  id: number;
}

/** A user created by the admin, ready to use (must_change_password false unless asked). */
export async function newUser(
  em: StartedEmulator,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<TestUser> {
  const pass = `${name}-pass-123`;
  const reply = await call(em, "POST", "/admin/users", {
    auth: adminAuth(em),
    body: {
      username: name,
      email: `${name}@example.test`,
      password: pass,
      must_change_password: false,
      ...extra,
    },
  });
  if (reply.status !== 201) throw new Error(`user ${name}: ${reply.status} ${reply.text}`);
  return { name, pass, auth: basic(name, pass), id: reply.body.id };
}

/** A personal access token for `user`, minted with their basic credentials. */
export async function newToken(
  em: StartedEmulator,
  user: { name: string; auth: string },
  scopes: string[],
  name = `t-${crypto.randomUUID().slice(0, 8)}`,
): Promise<string> {
  const reply = await call(em, "POST", `/users/${user.name}/tokens`, {
    auth: user.auth,
    body: { name, scopes },
  });
  if (reply.status !== 201) throw new Error(`token: ${reply.status} ${reply.text}`);
  return reply.body.sha1;
}

/** A repository created by the admin under `owner` (auto-initialised unless told). */
export async function newRepo(
  em: StartedEmulator,
  owner: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<Json> {
  const reply = await call(em, "POST", `/admin/users/${owner}/repos`, {
    auth: adminAuth(em),
    body: { name, auto_init: true, ...extra },
  });
  if (reply.status !== 201) throw new Error(`repo ${owner}/${name}: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** A label in owner/repo, returning its id. */
export async function newLabel(
  em: StartedEmulator,
  repo: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const reply = await call(em, "POST", `/repos/${repo}/labels`, {
    auth: adminAuth(em),
    body: { name, color: "#00aa00", ...extra },
  });
  if (reply.status !== 201) throw new Error(`label ${name}: ${reply.status} ${reply.text}`);
  return reply.body.id;
}

/** An issue in owner/repo, returning its number. */
export async function newIssue(
  em: StartedEmulator,
  repo: string,
  title: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const reply = await call(em, "POST", `/repos/${repo}/issues`, {
    auth: adminAuth(em),
    body: { title, ...extra },
  });
  if (reply.status !== 201) throw new Error(`issue ${title}: ${reply.status} ${reply.text}`);
  return reply.body.number;
}

/** The `{message,url}` error body Forgejo's ctx.Error writes. */
export function errorBody(em: StartedEmulator, message: string) {
  return { message, url: `${em.url.replace(/\/$/, "")}/api/swagger` };
}
