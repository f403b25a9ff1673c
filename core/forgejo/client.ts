/**
 * ForgejoClient: every endpoint function bound to one HTTP layer, grouped by
 * resource (`client.issues.getIssue(slug, 7)`), plus `withAuth` for acting
 * as another identity on the same forge.
 */
import type { Credentials } from "./auth.ts";
import type { ForgejoHttp } from "./http.ts";
import * as admin from "./admin.ts";
import * as branches from "./branches.ts";
import * as collaborators from "./collaborators.ts";
import * as contents from "./contents.ts";
import * as issues from "./issues.ts";
import * as labels from "./labels.ts";
import * as mirrors from "./mirrors.ts";
import * as misc from "./misc.ts";
import * as oauth from "./oauth.ts";
import * as orgs from "./orgs.ts";
import * as protections from "./protections.ts";
import * as pulls from "./pulls.ts";
import * as repos from "./repos.ts";
import * as tags from "./tags.ts";
import * as timeline from "./timeline.ts";
import * as tokens from "./tokens.ts";
import * as users from "./users.ts";

/** A module's endpoint functions with the HTTP layer bound as their first argument. */
export type Bound<M> = {
  [K in keyof M as M[K] extends (http: ForgejoHttp, ...args: never[]) => unknown ? K : never]:
    M[K] extends (http: ForgejoHttp, ...args: infer A) => infer R ? (...args: A) => R : never;
};

function bind<M extends object>(module: M, http: ForgejoHttp): Bound<M> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === "function" && value.length >= 1) {
      out[name] = (...args: unknown[]) => value(http, ...args);
    }
  }
  return out as Bound<M>;
}

const modules = {
  admin,
  branches,
  collaborators,
  contents,
  issues,
  labels,
  mirrors,
  misc,
  oauth,
  orgs,
  protections,
  pulls,
  repos,
  tags,
  timeline,
  tokens,
  users,
};

export type ForgejoClient =
  & { [K in keyof typeof modules]: Bound<(typeof modules)[K]> }
  & {
    readonly http: ForgejoHttp;
    /** The same forge acting as another identity. */
    withAuth(credentials: Credentials): ForgejoClient;
  };

export function forgejoClient(http: ForgejoHttp): ForgejoClient {
  const bound = Object.fromEntries(
    Object.entries(modules).map(([name, module]) => [name, bind(module, http)]),
  ) as { [K in keyof typeof modules]: Bound<(typeof modules)[K]> };
  return { ...bound, http, withAuth: (credentials) => forgejoClient(http.as(credentials)) };
}
