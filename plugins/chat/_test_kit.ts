/**
 * For the chat's tests: a forge emulator with the chat's OAuth2 application,
 * users, and a chat app wired to it with a scripted turn runner; the model
 * emulator with a request held back (a reply still running); the processes
 * left in a folder.
 */
import { mkdir, mkdtemp, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StartedEmulator, startEmulator } from "../../tests/helpers/emulator.ts";
import { basic, call, newUser } from "../../tests/helpers/emulator_api.ts";
import { claudeEnvFor } from "../../tests/helpers/model_emulator.ts";
import { Conversation, type TurnInput, type TurnOutcome, type TurnRunner } from "./conversation.ts";
import type { ChatLimits } from "./limits.ts";
import { createChatApp } from "./server.ts";
import { allowList } from "./settings.ts";
import { tokenSigner } from "./signed_token.ts";
import { serve } from "../../core/runtime/serve.ts";
import {
  createModelApp,
  type ModelScriptInput,
  validateModelScript,
} from "../model/emulator/server.ts";

export const PUBLIC_URL = "http://127.0.0.1:8999";
export const SECRET = "a-session-secret-of-at-least-32-characters";

export interface ChatFixture {
  em: StartedEmulator;
  app: { fetch(request: Request): Response | Promise<Response> };
  conversation: Conversation;
  stateDir: string;
  logs: string[];
  clock: { now: number };
  clientId: string;
  dispose(): Promise<void>;
}

export async function chatFixture(options: {
  runTurn: TurnRunner;
  allowed?: string[];
  limits?: ChatLimits;
  publicUrl?: string;
  confidential?: boolean;
  /** How the chat server reaches the forge (default: the real fetch). */
  fetch?: typeof fetch;
  signInTimeoutMs?: number;
}): Promise<ChatFixture> {
  const em = await startEmulator();
  const dir = await mkdtemp(join(tmpdir(), "chat-web-"));
  try {
    const publicUrl = options.publicUrl ?? PUBLIC_URL;
    for (const name of ["alice", "mallory"]) await newUser(em, name);
    const confidential = options.confidential ?? true;
    const created = await call(em, "POST", "/user/applications/oauth2", {
      auth: basic(em.admin.user, em.admin.pass),
      body: {
        name: "chat",
        redirect_uris: [`${publicUrl}/oauth/callback`],
        confidential_client: confidential,
      },
    });
    const limits = options.limits ?? { requestsPerHour: 0, requestsPerDay: 0, tokensPerDay: 0 };
    const clock = { now: Date.UTC(2025, 0, 1, 12) };
    const conversation = new Conversation({
      stateDir: dir,
      limits,
      runTurn: options.runTurn,
      now: () => clock.now,
    });
    const logs: string[] = [];
    const app = createChatApp({
      publicUrl,
      oauth: {
        forgeUrl: em.url,
        forgeBrowserUrl: em.url,
        clientId: created.body.client_id,
        clientSecret: confidential ? created.body.client_secret : "",
        redirectUri: `${publicUrl}/oauth/callback`,
      },
      signer: tokenSigner(SECRET),
      isAllowed: allowList({ admin: em.admin.user, allowedUsers: options.allowed ?? ["alice"] }),
      fetch: options.fetch ?? globalThis.fetch,
      ...(options.signInTimeoutMs === undefined
        ? {}
        : { signInTimeoutMs: options.signInTimeoutMs }),
      now: () => clock.now,
      log: (line) => logs.push(line),
      conversation,
      limits,
      heartbeatMs: 1_000,
    });
    return {
      em,
      app,
      conversation,
      stateDir: dir,
      logs,
      clock,
      clientId: created.body.client_id,
      async dispose() {
        await conversation.board.stopAll();
        await em.dispose();
        await rm(dir, { recursive: true });
      },
    };
  } catch (error) {
    await em.dispose();
    await rm(dir, { recursive: true });
    throw error;
  }
}

/** A turn runner that streams back `echo: <prompt>` and succeeds. */
export const echo = (input: TurnInput): Promise<TurnOutcome> => {
  input.onText(`echo: ${input.prompt}`);
  return Promise.resolve({ outcome: "done", text: "", sessionId: "s1", tokens: 10 });
};

/** Runs `body` against a chat fixture answering with `echo`, disposing it after. */
export async function withChat(
  body: (fx: ChatFixture) => Promise<void>,
  options: Partial<Parameters<typeof chatFixture>[0]> = {},
) {
  const fx = await chatFixture({ runTurn: echo, ...options });
  try {
    await body(fx);
  } finally {
    await fx.dispose();
  }
}

/** The `name=value` pairs a response sets (attributes dropped). */
export function setCookies(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const at = pair!.indexOf("=");
    out[pair!.slice(0, at)] = pair!.slice(at + 1);
  }
  return out;
}

/** Sign in through the forge's authorize endpoint (basic auth); returns the session cookie. */
export async function signIn(fx: ChatFixture, user: string): Promise<Response> {
  const pass = user === fx.em.admin.user ? fx.em.admin.pass : `${user}-pass-123`;
  const login = await fx.app.fetch(new Request(`${PUBLIC_URL}/login`));
  const loginCookie = setCookies(login).chat_login!;
  const authorize = await fetch(login.headers.get("location")!, {
    headers: { authorization: basic(user, pass) },
    redirect: "manual",
  });
  await authorize.body?.cancel();
  const back = new URL(authorize.headers.get("location")!);
  return fx.app.fetch(
    new Request(`${PUBLIC_URL}/oauth/callback${back.search}`, {
      headers: { cookie: `chat_login=${loginCookie}` },
    }),
  );
}

export async function sessionOf(fx: ChatFixture, user: string): Promise<string> {
  const reply = await signIn(fx, user);
  const cookie = setCookies(reply).chat_session;
  if (reply.status !== 303 || !cookie) throw new Error(`sign-in of ${user}: HTTP ${reply.status}`);
  return `chat_session=${cookie}`;
}

/** A request to the chat app as a browser on its page would make it. */
export function request(
  path: string,
  init: { cookie?: string; method?: string; body?: unknown; origin?: string | null } = {},
): Request {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  const method = init.method ?? "GET";
  if (method === "POST" && init.origin !== null) headers.origin = init.origin ?? PUBLIC_URL;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${PUBLIC_URL}${path}`, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

/** Processes whose working directory is `dir` (the CLI and anything it started). */
export async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if ((await readlink(`/proc/${name}/cwd`)) === dir) found.push(Number(name));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface HeldModel {
  url: string;
  /** The Messages API request bodies so far, in arrival order. */
  bodies: string[];
  /** Whether the request to hold has arrived (and is held). */
  holding(): boolean;
  release(): void;
  dispose(): Promise<void>;
}

/**
 * The model emulator on `script` (127.0.0.1, a free port), holding the first
 * request whose body contains `holdPhrase` until release(): the CLI answering
 * it keeps running meanwhile. `rewrite` may change any answer on its way out.
 */
export async function startHeldModel(
  script: ModelScriptInput,
  holdPhrase: string,
  rewrite: (response: Response) => Response | Promise<Response> = (response) => response,
): Promise<HeldModel> {
  const model = createModelApp(validateModelScript(script));
  const held = Promise.withResolvers<void>();
  const bodies: string[] = [];
  let holding = false;
  const server = await serve(async (request) => {
    const body = await request.clone().text();
    if (new URL(request.url).pathname === "/v1/messages") bodies.push(body);
    // Only the first: a later turn resumes the session, whose history holds the phrase.
    if (!holding && body.includes(holdPhrase)) {
      holding = true;
      await held.promise;
    }
    return rewrite(await model.fetch(request));
  }, { hostname: "127.0.0.1", port: 0 });
  return {
    url: server.url,
    bodies,
    holding: () => holding,
    release: () => held.resolve(),
    async dispose() {
      held.resolve();
      await server.shutdown();
    },
  };
}

/**
 * For running the chat's binary: a temp dir with a factory root and a HOME,
 * and the environment the real claude CLI needs against the model emulator
 * at `modelUrl`. No CLAUDE_CONFIG_DIR: that names the agents' directory, and
 * the chat keeps its own (state/chat/claude).
 */
export async function chatBinarySetup(prefix: string, modelUrl: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const root = join(dir, "factory");
  const home = join(dir, "home");
  await mkdir(root, { recursive: true });
  await mkdir(home, { recursive: true });
  const { CLAUDE_CONFIG_DIR: _agents, ...env } = claudeEnvFor(modelUrl, home);
  return { dir, root, home, env: { ...env, HOME: home } as Record<string, string> };
}
