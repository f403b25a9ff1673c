/**
 * Smart HTTP through `git http-backend` (CGI), pushes through the emulator's
 * pre-receive hook (git_push_hook.ts).
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PRE_RECEIVE_HOOK } from "./git_push_hook.ts";
import { type GitRunner, runProcess } from "./git_process.ts";

export interface HttpAccess {
  user: string | null;
  /** Set for a push: the hook's environment; a push without it is refused. */
  pushHookEnv?: Record<string, string>;
}

const hooksDirs = new WeakMap<GitRunner, Promise<string>>();

/** The directory holding the pre-receive hook, written once per store. */
function hooksDir(runner: GitRunner): Promise<string> {
  let dir = hooksDirs.get(runner);
  if (!dir) {
    dir = (async () => {
      const path = join(runner.root, ".hooks");
      await mkdir(path, { recursive: true });
      await writeFile(join(path, "pre-receive"), PRE_RECEIVE_HOOK, { mode: 0o755 });
      await chmod(join(path, "pre-receive"), 0o755);
      return path;
    })();
    hooksDirs.set(runner, dir);
  }
  return dir;
}

/** Answer one smart-HTTP request for `owner/repo` as `git http-backend` does. */
export async function httpBackend(
  runner: GitRunner,
  request: Request,
  owner: string,
  repo: string,
  pathInRepo: string,
  access: HttpAccess,
): Promise<Response> {
  const url = new URL(request.url);
  const service = url.searchParams.get("service") ?? "";
  const pushing = pathInRepo === "git-receive-pack" || service === "git-receive-pack";
  if (pushing && !access.pushHookEnv) return new Response("Forbidden\n", { status: 403 });
  const env: Record<string, string> = {
    ...runner.env,
    GIT_PROJECT_ROOT: runner.root,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${owner.toLowerCase()}/${repo.toLowerCase()}.git/${pathInRepo}`,
    REQUEST_METHOD: request.method,
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: request.headers.get("content-type") ?? "",
    REMOTE_ADDR: "127.0.0.1",
    GIT_COMMITTER_NAME: access.user ?? "anonymous",
    GIT_COMMITTER_EMAIL: `${access.user ?? "anonymous"}@noreply.localhost`,
  };
  if (access.user) env.REMOTE_USER = access.user;
  if (pushing) {
    Object.assign(env, access.pushHookEnv, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "core.hooksPath",
      GIT_CONFIG_VALUE_0: await hooksDir(runner),
    });
  }
  const encoding = request.headers.get("content-encoding");
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
  const protocol = request.headers.get("git-protocol");
  if (protocol) env.GIT_PROTOCOL = protocol;
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array();
  env.CONTENT_LENGTH = String(body.length);
  const result = await runProcess("git", ["http-backend"], env, runner.root, body);
  return cgiResponse(result.stdout);
}

/** Split a CGI answer into status, headers and body. */
function cgiResponse(output: Uint8Array): Response {
  let end = -1;
  let skip = 0;
  for (let i = 0; i < output.length - 1; i++) {
    if (output[i] === 10 && output[i + 1] === 10) {
      end = i;
      skip = 2;
      break;
    }
    if (output[i] === 13 && output[i + 1] === 10 && output[i + 2] === 13 && output[i + 3] === 10) {
      end = i;
      skip = 4;
      break;
    }
  }
  if (end < 0) return new Response("git http-backend gave no answer\n", { status: 500 });
  const head = new TextDecoder().decode(output.subarray(0, end));
  const headers = new Headers();
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers.append(name, value);
  }
  const body = output.slice(end + skip);
  return new Response(status === 204 || status === 304 ? null : body, { status, headers });
}
