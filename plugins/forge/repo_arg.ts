/**
 * The `<repo-url-or-slug>` argument of `disinto init` (SPEC §6.1): a slug
 * `owner/repo`, or a clone URL whose host and `.git` are stripped to give it.
 */
import { parseHttpUrl } from "../../core/config/http_url.ts";
import { SLUG } from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";

export interface RepoArg {
  slug: string;
  owner: string;
  name: string;
  /** Set when a clone URL was given: the forge migrates the history from it. */
  cloneUrl?: string;
}

const EXPECTED = "expected owner/repo of [A-Za-z0-9._-], an https:// URL or git@host:owner/repo";

/** Parse the argument or throw a bad-input error naming it. */
export function parseRepoArg(input: string, forgeUrl?: string): RepoArg {
  const text = input.trim();
  let path: string | null = null;
  let cloneUrl: string | undefined;
  const scp = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)(.+)$/.exec(text);
  if (scp) {
    path = scp[1]!;
    cloneUrl = text;
  } else if (/^(https?|ssh|git):\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw bad(input);
    }
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw bad(input); // a malformed %-escape, e.g. %zz
    }
    // A URL on the forge itself names the repo there; anything else is migrated.
    if (!(forgeUrl && sameOrigin(url, forgeUrl))) cloneUrl = text;
  } else {
    path = text;
  }
  const slug = path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");
  if (!SLUG.test(slug) || slug.split("/").some((part) => part === "." || part === "..")) {
    throw bad(input);
  }
  const [owner, name] = slug.split("/") as [string, string];
  return cloneUrl === undefined ? { slug, owner, name } : { slug, owner, name, cloneUrl };
}

function sameOrigin(url: URL, other: string): boolean {
  try {
    return new URL(other).host.toLowerCase() === url.host.toLowerCase();
  } catch {
    return false;
  }
}

function bad(input: string): BadInputError {
  return new BadInputError(`<repo-url-or-slug>: "${input}" is not valid; ${EXPECTED}`);
}

/** Validate a forge URL: http(s) only. */
export function parseForgeUrl(input: string, source: string): string {
  const url = parseHttpUrl(input, source);
  if (url.username || url.password) {
    throw new BadInputError(`${source}: credentials in the URL are not allowed`);
  }
  return url.toString().replace(/\/+$/, "");
}
