/**
 * A fetch that answers like GitHub's git refs API for one repository, since
 * no emulator plays GitHub: `POST /repos/{o}/{r}/git/refs` (201 with the ref,
 * 422 "Reference already exists" or "Object does not exist") and
 * `GET /repos/{o}/{r}/git/ref/{ref}` (200 or 404), behind a Bearer token
 * (401 "Bad credentials"). The commits it knows are given up front, as if
 * earlier branch pushes had put them there.
 */

export interface GitHubRefs {
  fetch: typeof fetch;
  /** ref name → SHA, e.g. "refs/tags/v1.0.0" */
  refs: Map<string, string>;
  /** "METHOD path" of every request, in order. */
  seen: string[];
}

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

export function githubRefs(options: {
  base: string;
  repo: string;
  token: string;
  commits: readonly string[];
}): GitHubRefs {
  const refs = new Map<string, string>();
  const seen: string[] = [];
  const known = new Set(options.commits);
  const prefix = `${options.base}/repos/${options.repo}/git/`;
  const refJson = (ref: string, sha: string) => ({
    ref,
    url: `${prefix}${ref}`,
    object: { type: "commit", sha, url: `${prefix}commits/${sha}` },
  });
  const handle = (url: string, init: RequestInit): Response => {
    const method = init.method ?? "GET";
    seen.push(`${method} ${url.slice(options.base.length)}`);
    const headers = new Headers(init.headers);
    if (headers.get("authorization") !== `Bearer ${options.token}`) {
      return answer(401, { message: "Bad credentials", status: "401" });
    }
    if (!url.startsWith(prefix)) return answer(404, { message: "Not Found", status: "404" });
    const rest = url.slice(prefix.length);
    if (method === "POST" && rest === "refs") {
      const body = JSON.parse(String(init.body ?? "{}")) as { ref?: string; sha?: string };
      if (!body.ref?.startsWith("refs/") || body.ref.split("/").length < 3) {
        return answer(422, { message: "Reference name must start with 'refs/'.", status: "422" });
      }
      if (refs.has(body.ref)) {
        return answer(422, { message: "Reference already exists", status: "422" });
      }
      if (!body.sha || !known.has(body.sha)) {
        return answer(422, { message: "Object does not exist", status: "422" });
      }
      refs.set(body.ref, body.sha);
      return answer(201, refJson(body.ref, body.sha));
    }
    if (method === "GET" && rest.startsWith("ref/")) {
      const ref = `refs/${decodeURIComponent(rest.slice("ref/".length))}`;
      const sha = refs.get(ref);
      return sha ? answer(200, refJson(ref, sha)) : answer(404, { message: "Not Found" });
    }
    return answer(404, { message: "Not Found", status: "404" });
  };
  const fetcher = ((input: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(
      handle(String(input instanceof Request ? input.url : input), init ?? {}),
    )) as typeof fetch;
  return { fetch: fetcher, refs, seen };
}
