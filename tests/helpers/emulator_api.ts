/**
 * Plain fetch calls against a started emulator, and the set-up steps (users,
 * tokens, repos, labels, issues) tests need: the one place tests talk to the
 * emulator's API without going through the product's client.
 */
import type { StartedEmulator } from "./emulator.ts";

/** What the kit needs of a forge: an in-process emulator, or `forge emulate` on the binary. */
export type ForgeAt = Pick<StartedEmulator, "url" | "admin">;

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
  em: ForgeAt,
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

/**
 * Call and insist on the answer: the `expected` status (any 2xx when not
 * given), else throw naming the call. Returns the JSON body (null when none).
 */
export async function mustCall(
  em: ForgeAt,
  method: string,
  path: string,
  options: CallOptions & { expected?: number } = {},
): Promise<Json> {
  const reply = await call(em, method, path, options);
  const ok = options.expected === undefined
    ? reply.status >= 200 && reply.status < 300
    : reply.status === options.expected;
  if (!ok) throw new Error(`${method} ${path}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
  return reply.body ?? null;
}

/** The admin's basic credentials. */
export const adminAuth = (em: ForgeAt) => basic(em.admin.user, em.admin.pass);

/** As the admin; see mustCall. */
export const adminCall = (
  em: ForgeAt,
  method: string,
  path: string,
  body?: unknown,
  expected?: number,
): Promise<Json> =>
  mustCall(em, method, path, {
    auth: adminAuth(em),
    ...(body === undefined ? {} : { body }),
    ...(expected === undefined ? {} : { expected }),
  });

export interface TestUser {
  name: string;
  pass: string;
  auth: string;
  id: number;
}

/** A user created by the admin, ready to use (must_change_password false unless asked). */
export async function newUser(
  em: ForgeAt,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<TestUser> {
  const pass = `${name}-pass-123`;
  const user = await adminCall(em, "POST", "/admin/users", {
    username: name,
    email: `${name}@example.test`,
    password: pass,
    must_change_password: false,
    ...extra,
  }, 201);
  return { name, pass, auth: basic(name, pass), id: user.id };
}

/** A personal access token for `user`, minted with their basic credentials. */
export async function newToken(
  em: ForgeAt,
  user: { name: string; auth: string },
  scopes: string[],
  name = `t-${crypto.randomUUID().slice(0, 8)}`,
): Promise<string> {
  const made = await mustCall(em, "POST", `/users/${user.name}/tokens`, {
    auth: user.auth,
    body: { name, scopes },
    expected: 201,
  });
  return made.sha1;
}

/** A repository created by the admin under `owner` (auto-initialised unless told). */
export function newRepo(
  em: ForgeAt,
  owner: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<Json> {
  return adminCall(em, "POST", `/admin/users/${owner}/repos`, {
    name,
    auto_init: true,
    ...extra,
  }, 201);
}

/** A label in owner/repo, returning its id. */
export async function newLabel(
  em: ForgeAt,
  repo: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const label = await adminCall(em, "POST", `/repos/${repo}/labels`, {
    name,
    color: "#00aa00",
    ...extra,
  }, 201);
  return label.id;
}

/** An issue in owner/repo, returning its number. */
export async function newIssue(
  em: ForgeAt,
  repo: string,
  title: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const issue = await adminCall(em, "POST", `/repos/${repo}/issues`, { title, ...extra }, 201);
  return issue.number;
}

/** An issue labelled `backlog` (the label init made) in owner/repo, returning its number. */
export async function backlogIssue(
  em: ForgeAt,
  repo: string,
  title: string,
  body = "",
): Promise<number> {
  const labels = await adminCall(em, "GET", `/repos/${repo}/labels?limit=50`);
  const backlog = labels.find((l: { name: string }) => l.name === "backlog");
  if (!backlog) throw new Error(`${repo} has no backlog label (run init first)`);
  return await newIssue(em, repo, title, { body, labels: [backlog.id] });
}

/** The `{message,url}` error body Forgejo's ctx.Error writes. */
export function errorBody(em: ForgeAt, message: string) {
  return { message, url: `${em.url.replace(/\/$/, "")}/api/swagger` };
}
