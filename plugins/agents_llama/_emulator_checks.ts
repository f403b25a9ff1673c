/**
 * Test helpers for `hire-an-agent` against the Forgejo emulator: the project
 * repository to hire onto, a model server and a closed port on loopback, and
 * what the forge itself says about an agent (asked through its API, with the
 * agent's own credentials).
 */
import { createServer } from "node:net";
import { authorizationHeader, basicAuth, tokenAuth } from "../../core/forgejo/auth.ts";
import { type RunningServer, serve } from "../../core/runtime/serve.ts";
import type { StartedEmulator } from "../../tests/helpers/emulator.ts";
import { adminCall } from "../../tests/helpers/emulator_api.ts";

/** Create `owner/name` as the admin: the organisation (unless it exists), then the repository. */
export async function createProjectRepo(
  emulator: StartedEmulator,
  slug: string,
  options: { orgExists?: boolean } = {},
): Promise<void> {
  const [owner, name] = slug.split("/") as [string, string];
  if (!options.orgExists) await adminCall(emulator, "POST", "/orgs", { username: owner }, 201);
  await adminCall(emulator, "POST", `/orgs/${owner}/repos`, { name, auto_init: true }, 201);
}

/** What the forge answers about an agent. */
export interface AgentOnForge {
  /** GET /users/{user} as the admin. */
  userStatus: number;
  /** The login GET /user answers to the agent's token (null when refused). */
  tokenLogin: string | null;
  /** The login GET /user answers to the agent's user and password (null when refused). */
  passwordLogin: string | null;
  /** GET /repos/{repo}/collaborators/{user}/permission as the admin. */
  permission: string | null;
  /** The collaborator entry of the repository in the emulator's model. */
  collaborator: string | undefined;
}

export async function agentOnForge(
  emulator: StartedEmulator,
  repo: string,
  user: string,
  credentials: { token: string; password: string },
): Promise<AgentOnForge> {
  const admin = basicAuth(emulator.admin.user, emulator.admin.pass);
  const get = async (path: string, auth: ReturnType<typeof basicAuth>) => {
    const response = await fetch(emulator.url + "/api/v1" + path, {
      headers: { authorization: authorizationHeader(auth)! },
    });
    const body = response.ok ? await response.json() : (await response.body?.cancel(), null);
    return { status: response.status, body };
  };
  const login = (answer: { body: { login?: string } | null }) => answer.body?.login ?? null;
  const [owner, name] = repo.split("/") as [string, string];
  return {
    userStatus: (await get(`/users/${user}`, admin)).status,
    tokenLogin: login(await get("/user", tokenAuth(credentials.token))),
    passwordLogin: login(await get("/user", basicAuth(user, credentials.password))),
    permission: (await get(`/repos/${repo}/collaborators/${user}/permission`, admin)).body
      ?.permission ?? null,
    collaborator: emulator.forge.state.repo(owner, name)?.collaborators[user.toLowerCase()],
  };
}

/** A model server on loopback whose /health answers 200; it counts the probes. */
export async function startModelServer(): Promise<RunningServer & { probes: string[] }> {
  const probes: string[] = [];
  const server = await serve((request) => {
    const path = new URL(request.url).pathname;
    probes.push(path);
    return path === "/health"
      ? Response.json({ status: "ok" })
      : new Response("not found", { status: 404 });
  }, { hostname: "127.0.0.1", port: 0 });
  return Object.assign(server, { probes });
}

/** http://127.0.0.1:<port> of a port nothing listens on (bound, then closed). */
export function closedLoopbackUrl(): Promise<string> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}
