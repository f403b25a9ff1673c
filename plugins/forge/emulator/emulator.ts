/**
 * The Forgejo emulator as one fetch handler: git smart HTTP, the OAuth login
 * pages and the /api/v1 routes, with authentication before routing (as
 * Forgejo does), token scopes, fault injection, added latency, a JSON-lines
 * request log and state saved to `stateDir` after every change.
 */
import { appendFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { writeFileAtomic } from "../../../core/fs/atomic_write.ts";
import {
  authenticate,
  basicCredentials,
  type FormValue,
  readForm,
  withQueryTokenWarning,
} from "./auth.ts";
import { Forge, type Knobs } from "./forge.ts";
import { handleGit } from "./git_http.ts";
import { GitStore } from "./git_store.ts";
import { apiError, json, withHeader } from "./respond.ts";
import type { ApiEnv } from "./route_kit.ts";
import { registerCodeRoutes } from "./routes_code.ts";
import { registerIssueRoutes } from "./routes_issues.ts";
import { registerOAuthApiRoutes, registerOAuthLoginRoutes } from "./routes_oauth.ts";
import { registerPullRoutes } from "./routes_pulls.ts";
import { registerRepoRoutes } from "./routes_repos.ts";
import { registerStatusRoutes } from "./routes_statuses.ts";
import { registerUserRoutes } from "./routes_users.ts";
import { scopeAllows } from "./scopes.ts";
import { emptyState, State, type StateData } from "./state.ts";
import type { Caller } from "./auth.ts";

export interface EmulatorOptions {
  adminUser?: string;
  adminPass?: string;
  faultRate?: number;
  latencyMs?: number;
  branchDelayMs?: number;
  requireSignin?: boolean;
  /** Mergeability of a new pull request becomes known after this long (default 0). */
  mergeCheckMs?: number;
  /** Keep state.json and the bare repositories here; a temp dir otherwise. */
  stateDir?: string;
  /** Append the request log as JSON lines to this file. */
  requestLogFile?: string;
  now?: () => number;
  random?: () => number;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  /** 0 for a dropped connection. */
  status: number;
  user: string | null;
}

export interface EmulatorControl {
  setFaultRate(rate: number): void;
  setLatency(ms: number): void;
  setBranchDelay(ms: number): void;
  setRequireSignin(on: boolean): void;
  setMergeCheck(ms: number): void;
  setMustChangePassword(user: string, on: boolean): void;
  /** Move every timeline event and comment of an issue `seconds` into the past. */
  ageTimeline(owner: string, repo: string, index: number, seconds: number): void;
}

export interface Emulator {
  handle(request: Request): Promise<Response>;
  /** Tell the emulator its public URL (ROOT_URL in links and error bodies). */
  setUrl(url: string): void;
  admin: { user: string; pass: string };
  /** Where the admin password came from, for the start-up line. */
  adminSource: "given" | "kept" | "generated";
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  control: EmulatorControl;
  forge: Forge;
  dispose(): Promise<void>;
}

const GIT_PATH =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+)$/;

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const temp = options.stateDir ? null : await mkdtemp(join(tmpdir(), "disinto-emulator-"));
  const dir = options.stateDir ?? temp!;
  await mkdir(join(dir, "repos"), { recursive: true });
  const stateFile = join(dir, "state.json");
  const data = await readFile(stateFile, "utf8").then(
    (t) => JSON.parse(t) as StateData,
    () => emptyState(),
  );
  const state = new State(data);
  const git = new GitStore(join(dir, "repos"), { now });
  for (const repo of state.data.repos) await git.seedSeen(repo.owner, repo.name);

  const knobs: Knobs = {
    faultRate: options.faultRate ?? 0,
    latencyMs: options.latencyMs ?? 0,
    branchDelayMs: options.branchDelayMs ?? 0,
    requireSignin: options.requireSignin ?? false,
    mergeCheckMs: options.mergeCheckMs ?? 0,
  };
  let saving = Promise.resolve();
  let dirty = false;
  const save = () => {
    if (dirty) return;
    dirty = true;
    saving = saving.then(async () => {
      dirty = false;
      await writeFileAtomic(stateFile, JSON.stringify(state.data), { mode: 0o600 });
    }).catch((error) => console.error(`emulator: could not save state: ${error}`));
  };
  const forge = new Forge(state, git, knobs, now, save);

  const adminUser = options.adminUser ?? "disinto-admin";
  const adminPass = options.adminPass ?? `${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const adminKept = options.adminPass === undefined && state.user(adminUser) !== undefined;
  ensureAdmin(forge, adminUser, adminKept ? undefined : adminPass);
  save();

  const callers = new WeakMap<Request, Caller | null>();
  const api = new Hono<ApiEnv>().basePath("/api/v1");
  api.use("*", async (c, next) => {
    c.set("caller", callers.get(c.req.raw) ?? null);
    await next();
  });
  registerApiRoutes(api, forge);
  api.notFound(() =>
    new Response("404 page not found\n", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    })
  );
  api.onError((error) => {
    console.error(`emulator: ${error instanceof Error ? error.stack : error}`);
    return json(500, { message: "", url: `${forge.rootUrl}api/swagger` });
  });
  const login = new Hono();
  registerOAuthLoginRoutes(login, forge);

  const log: RequestLogEntry[] = [];
  const record = (method: string, path: string, status: number, user: string | null) => {
    const entry = { time: forge.iso(), method, path, status, user };
    log.push(entry);
    if (options.requestLogFile) {
      appendFileSync(options.requestLogFile, `${JSON.stringify(entry)}\n`);
    }
  };

  const handleApi = async (
    request: Request,
    path: string,
    form: FormValue,
  ): Promise<{ response: Response; user: string | null }> => {
    const auth = authenticate(request, state, {
      rootUrl: forge.rootUrl,
      requireSignin: knobs.requireSignin,
      now,
      form,
    });
    if ("error" in auth) return { response: auth.error, user: null };
    const caller = auth.caller;
    const user = caller?.user.login ?? null;
    if (caller?.token) {
      const missing = scopeAllows(
        caller.token.scopes,
        request.method,
        path.replace(/^\/api\/v1/, ""),
      );
      if (missing) {
        return {
          response: apiError(
            forge.rootUrl,
            403,
            `token does not have at least one of required scope(s): [${missing}]`,
          ),
          user,
        };
      }
    }
    callers.set(request, caller);
    return { response: await api.fetch(request), user };
  };

  // Forgejo's answers carry a Date header (Go's net/http sets it on every
  // response); the emulator's comes from its own clock, so a client that ages
  // things by the forge's time (the claim TTL) follows a virtual clock too.
  const handle = async (incoming: Request): Promise<Response> => {
    // A response passed through may have immutable headers: withHeader copies it.
    return withHeader(await route(incoming), "date", new Date(forge.now()).toUTCString());
  };

  const route = async (incoming: Request): Promise<Response> => {
    const url = new URL(incoming.url);
    let path = url.pathname;
    const git = GIT_PATH.exec(path);
    if (git) {
      const [, owner, repo, rest] = git as unknown as [string, string, string, string];
      const response = await handleGit(forge, incoming, owner, repo, rest);
      record(
        incoming.method,
        path,
        response.status,
        basicCredentials(incoming.headers.get("authorization"))?.name ?? null,
      );
      return response;
    }
    if (path.startsWith("/login/oauth/")) {
      const response = await login.fetch(incoming);
      record(incoming.method, path, response.status, null);
      return response;
    }
    let request = incoming;
    if (path.startsWith("/api/forgejo/v1/")) {
      path = path.replace("/api/forgejo/v1/", "/api/v1/");
      request = new Request(new URL(path + url.search, url), incoming);
    }
    if (!path.startsWith("/api/v1/")) {
      record(incoming.method, path, 404, null);
      return new Response("404 page not found\n", { status: 404 });
    }
    if (knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, knobs.latencyMs));
    const fault = knobs.faultRate > 0 && random() < knobs.faultRate;
    const kind = fault ? random() : 1;
    if (fault && kind < 0.5) {
      // A 5xx before anything happened, with Forgejo's blanked 500 body.
      record(request.method, path, 500, null);
      return json(500, { message: "", url: `${forge.rootUrl}api/swagger` });
    }
    if (fault && kind < 0.75) {
      record(request.method, path, 0, null);
      return droppedConnection();
    }
    const form = await readForm(request);
    const { response, user } = await handleApi(request, path, form);
    if (fault) {
      // Dropped after the work was done: the client never learns it succeeded.
      record(request.method, path, 0, user);
      return droppedConnection();
    }
    record(request.method, path, response.status, user);
    return withQueryTokenWarning(form, response);
  };

  const control: EmulatorControl = {
    setFaultRate: (rate) => void (knobs.faultRate = rate),
    setLatency: (ms) => void (knobs.latencyMs = ms),
    setBranchDelay: (ms) => void (knobs.branchDelayMs = ms),
    setRequireSignin: (on) => void (knobs.requireSignin = on),
    setMergeCheck: (ms) => void (knobs.mergeCheckMs = ms),
    setMustChangePassword(name, on) {
      const user = state.user(name);
      if (!user) throw new Error(`no user ${name}`);
      user.mustChangePassword = on;
      save();
    },
    ageTimeline(owner, repoName, index, seconds) {
      const repo = state.repo(owner, repoName);
      const issue = repo && state.issue(repo, index);
      if (!issue) throw new Error(`no issue ${owner}/${repoName}#${index}`);
      for (const event of state.issueEvents(issue)) {
        event.created = forge.iso(Date.parse(event.created) - seconds * 1000);
        event.updated = forge.iso(Date.parse(event.updated) - seconds * 1000);
      }
      save();
    },
  };

  return {
    handle,
    setUrl(url) {
      forge.rootUrl = url.endsWith("/") ? url : `${url}/`;
      forge.domain = new URL(url).hostname;
    },
    admin: { user: adminUser, pass: options.adminPass ?? adminPass },
    adminSource: options.adminPass ? "given" : adminKept ? "kept" : "generated",
    requestLog: () => [...log],
    clearRequestLog: () => void log.splice(0),
    control,
    forge,
    async dispose() {
      await saving;
      if (temp) await rm(temp, { recursive: true, force: true });
    },
  };
}

export function registerApiRoutes(api: Hono<ApiEnv>, forge: Forge): void {
  registerUserRoutes(api, forge);
  registerRepoRoutes(api, forge);
  registerIssueRoutes(api, forge);
  registerCodeRoutes(api, forge);
  registerPullRoutes(api, forge);
  registerStatusRoutes(api, forge);
  registerOAuthApiRoutes(api, forge);
}

function ensureAdmin(forge: Forge, login: string, password: string | undefined): void {
  const { state } = forge;
  let user = state.user(login);
  if (!user) {
    user = {
      id: state.nextId("user"),
      login,
      email: `${login}@${forge.domain}`,
      fullName: "",
      passwordSalt: "",
      passwordHash: "",
      isAdmin: true,
      mustChangePassword: false,
      active: true,
      prohibitLogin: false,
      created: forge.iso(),
    };
    state.data.users.push(user);
  }
  user.isAdmin = true;
  if (password !== undefined) state.setPassword(user, password);
}

/**
 * A connection that breaks: under Bun the socket is reset before any answer;
 * under Deno the status line goes out and the body is cut, so the client's
 * read fails either way. The 500 status makes even a careless client retry.
 */
function droppedConnection(): Response {
  const body = new ReadableStream({
    start(controller) {
      // A plain string, not an Error: Deno's server logs the reason, and a
      // one-line note reads better in test output than a stack per fault.
      controller.error("connection dropped by the emulator's fault injection");
    },
  });
  return new Response(body, { status: 500 });
}
