/**
 * Contract test (issue 3): every route the Forgejo client calls and every
 * route the emulator serves exists, with that method, in the Forgejo v11
 * swagger (../shared/forgejo-v11-swagger.json beside the repository). The
 * failure message names each missing route.
 *
 * The client's list (CLIENT_ROUTES) is also checked against the calls in
 * core/forgejo/*.ts themselves, so the list cannot drift from the code.
 *
 * Exempt, because they are not part of /api/v1 and so not in the swagger:
 * the OAuth2 login endpoints (`/login/oauth/*`) and git smart HTTP
 * (`/{owner}/{repo}.git/…`).
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { CLIENT_ROUTES, type Route } from "../core/forgejo/routes.ts";
import { EMULATOR_ROUTES } from "../plugins/forge/emulator/routes.ts";

const SWAGGER = new URL("../../shared/forgejo-v11-swagger.json", import.meta.url);
const CLIENT_DIR = new URL("../core/forgejo/", import.meta.url);

/** Routes outside /api/v1, with the reason they are exempt. */
export const EXEMPT: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /^\/login\/oauth\//, why: "OAuth2 login endpoints live outside /api/v1" },
  { pattern: /^\/[^/]+\/[^/]+\.git(\/|$)/, why: "git smart HTTP is not part of the REST API" },
];

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

async function swaggerRoutes(): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(SWAGGER, "utf8");
  } catch (error) {
    throw new Error(
      `Cannot read the Forgejo swagger at ${SWAGGER.pathname} (expected ../shared beside the repository): ${error}`,
    );
  }
  const doc = JSON.parse(text) as { paths: Record<string, Record<string, unknown>> };
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (HTTP_METHODS.includes(method)) routes.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return routes;
}

/**
 * A route's method and path shape: parameter names do not matter to the
 * contract (the emulator's router says {name} where the swagger says {username}).
 */
const shape = (route: Route) =>
  `${route.method.toUpperCase()} ${route.path.replace(/\{[^}]+\}/g, "{}")}`;

/** The routes of `routes` the swagger lacks (exempt ones left out), as "METHOD /path". */
async function missingFromSwagger(routes: ReadonlyArray<Route>): Promise<string[]> {
  const known = new Set(
    [...await swaggerRoutes()].map((key) => {
      const [method, path] = key.split(" ") as [string, string];
      return shape({ method, path });
    }),
  );
  return routes
    .filter((route) => !EXEMPT.some((exempt) => exempt.pattern.test(route.path)))
    .filter((route) => !known.has(shape(route)))
    .map((route) => `${route.method.toUpperCase()} ${route.path}`);
}

/**
 * The routes core/forgejo's endpoint functions call: every
 * `request("METHOD", "/template"` and `paginate(http, "/template"` in the
 * resource files. A call whose path is not a literal is reported.
 */
async function calledRoutes(): Promise<{ routes: Set<string>; dynamic: string[] }> {
  const routes = new Set<string>();
  const dynamic: string[] = [];
  const skip = new Set(["http.ts", "paginate.ts", "routes.ts"]);
  for (const name of await readdir(CLIENT_DIR)) {
    if (!name.endsWith(".ts") || name.endsWith("_test.ts") || name.startsWith("_")) continue;
    if (skip.has(name)) continue;
    const text = await readFile(new URL(name, CLIENT_DIR), "utf8");
    const call = /\b(request|paginate)(?:<[^>]*>)?\(/g;
    for (let m = call.exec(text); m; m = call.exec(text)) {
      const rest = text.slice(m.index + m[0].length);
      const literal = m[1] === "request"
        ? /^\s*"([A-Z]+)",\s*"([^"]+)"/.exec(rest)
        : /^\s*\w+,\s*"([^"]+)"/.exec(rest);
      if (literal && m[1] === "request") routes.add(`${literal[1]} ${literal[2]}`);
      else if (literal) routes.add(`GET ${literal[1]}`);
      else dynamic.push(`${name}: ${rest.slice(0, 40)}`);
    }
  }
  return { routes, dynamic };
}

Deno.test("every route the client calls exists in the Forgejo v11 swagger", async () => {
  const missing = await missingFromSwagger(CLIENT_ROUTES);
  assert.deepEqual(missing, [], `client routes missing from the swagger: ${missing.join(", ")}`);
});

Deno.test("every route the emulator serves exists in the Forgejo v11 swagger", async () => {
  assert.ok(EMULATOR_ROUTES.length > 50, "the emulator's routes were read from its app");
  const missing = await missingFromSwagger(EMULATOR_ROUTES);
  assert.deepEqual(missing, [], `emulator routes missing from the swagger: ${missing.join(", ")}`);
});

Deno.test("the client calls only routes the emulator serves", () => {
  const served = new Set(EMULATOR_ROUTES.map(shape));
  const unserved = CLIENT_ROUTES
    .filter((route) => !served.has(shape(route)))
    .map((route) => `${route.method} ${route.path}`);
  assert.deepEqual(
    unserved,
    [],
    `client routes the emulator does not serve: ${unserved.join(", ")}`,
  );
});

Deno.test("CLIENT_ROUTES lists exactly the routes core/forgejo calls", async () => {
  const { routes, dynamic } = await calledRoutes();
  assert.deepEqual(dynamic, [], "calls whose path is not a literal template");
  const listed = new Set(CLIENT_ROUTES.map((r) => `${r.method} ${r.path}`));
  assert.equal(listed.size, CLIENT_ROUTES.length, "CLIENT_ROUTES has duplicates");
  const unlisted = [...routes].filter((r) => !listed.has(r)).sort();
  const unused = [...listed].filter((r) => !routes.has(r)).sort();
  assert.deepEqual(unlisted, [], `called but not in CLIENT_ROUTES: ${unlisted.join(", ")}`);
  assert.deepEqual(unused, [], `in CLIENT_ROUTES but never called: ${unused.join(", ")}`);
});

Deno.test("the check names a route the swagger lacks, honours the exemptions, ignores parameter names", async () => {
  const missing = await missingFromSwagger([
    { method: "GET", path: "/version" },
    { method: "POST", path: "/version" },
    { method: "PUT", path: "/repos/{owner}/{repo}/branches/{branch}/protection" },
    { method: "POST", path: "/login/oauth/access_token" },
    { method: "GET", path: "/{owner}/{repo}.git/info/refs" },
    { method: "GET", path: "/users/{name}" },
    { method: "GET", path: "/users/{name}/bogus" },
  ]);
  assert.deepEqual(missing, [
    "POST /version",
    "PUT /repos/{owner}/{repo}/branches/{branch}/protection",
    "GET /users/{name}/bogus",
  ]);
});
