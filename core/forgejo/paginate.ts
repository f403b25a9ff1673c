/**
 * Walks a paged Forgejo list (shared/FORGEJO-API.md §1.5): `page` is 1-based,
 * `limit` is capped by the forge at MAX_RESPONSE_ITEMS (50 by default). The
 * walk follows `Link: rel="next"` when the forge sends Link headers, else
 * `X-Total-Count`, else stops at the first short page. Use it only for
 * endpoints that page by default (issues, pulls, branches, collaborators,
 * reviews, OAuth2 apps); labels, the timeline, comments, tokens and push
 * mirrors return everything when no `page` is given, so one request suffices.
 */
import { z } from "zod";
import type { ForgejoHttp, RequestOptions } from "./http.ts";

/** Forgejo's default MAX_RESPONSE_ITEMS: a larger `limit` is clamped to it. */
export const MAX_PAGE_SIZE = 50;

/** A guard against a forge that never stops answering full pages. */
const MAX_PAGES = 1000;

export interface PaginateOptions<T> extends Omit<RequestOptions<T[]>, "schema" | "body"> {
  /** Items per page (default MAX_PAGE_SIZE). */
  pageSize?: number;
  /** Checks each item. */
  item?: z.ZodType<T>;
  /** Stop after this many items (the last page may bring more; they are dropped). */
  max?: number;
}

export async function paginate<T>(
  http: ForgejoHttp,
  template: string,
  options: PaginateOptions<T> = {},
): Promise<T[]> {
  const { pageSize = MAX_PAGE_SIZE, item, max, ...request } = options;
  // An empty repository's branch list is the JSON literal null.
  const schema = z.array(item ?? z.unknown()).nullable() as z.ZodType<T[] | null>;
  const out: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await http.request("GET", template, {
      ...request,
      query: { ...request.query, page, limit: pageSize },
      schema,
    });
    const items = response.data ?? [];
    out.push(...items);
    if (max !== undefined && out.length >= max) return out.slice(0, max);
    if (items.length === 0) return out;
    const link = response.headers.get("link");
    const total = Number(response.headers.get("x-total-count") ?? NaN);
    if (link !== null) {
      if (!hasNext(link)) return out;
    } else if (!Number.isNaN(total)) {
      if (out.length >= total) return out;
    } else if (items.length < pageSize) {
      return out;
    }
  }
  return out;
}

/** The total behind a list answer: X-Total-Count, else the items in it. */
export function totalOf(response: { headers: Headers; data: readonly unknown[] | null }): number {
  const total = response.headers.get("x-total-count");
  return total === null ? (response.data ?? []).length : Number(total);
}

/** Whether a Link header (`<url>; rel="next",<url>; rel="last"`) names a next page. */
export function hasNext(link: string): boolean {
  return link.split(",").some((part) => /;\s*rel="?next"?/i.test(part));
}
