/**
 * Forgejo's answer shapes (shared/FORGEJO-API.md §1.3, §1.5): JSON with a
 * trailing newline, `{message,url}` errors, not-found bodies with `errors`,
 * status-only answers, and the paging headers with Forgejo's Link format.
 */

const JSON_TYPE = "application/json;charset=utf-8";

export function json(
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${JSON.stringify(data)}\n`, {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
  });
}

/** Generic ctx.Error: `{"message","url"}`. */
export function apiError(rootUrl: string, status: number, message: string): Response {
  return json(status, { message, url: `${rootUrl}api/swagger` });
}

/** Gate and sudo errors carry only a message. */
export function gateError(status: number, message: string): Response {
  return json(status, { message });
}

/** The default not-found body, or one with a title replacing the message. */
export function notFound(rootUrl: string, title?: string, errors: string[] = []): Response {
  return json(404, {
    message: title ?? "The target couldn't be found.",
    url: `${rootUrl}api/swagger`,
    errors,
  });
}

export function statusOnly(status: number): Response {
  return new Response(null, { status });
}

/** `response` with header `name` set: in place, or on a copy when its headers are immutable. */
export function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const headers = new Headers(response.headers);
    headers.set(name, value);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}

export interface PageRequest {
  page: number;
  limit: number;
  /** Whether `page` was given at all (some endpoints return everything without it). */
  pageGiven: boolean;
}

/** page/limit as Forgejo reads them: 1-based, default 30, clamped to 50. */
export function pageRequest(query: URLSearchParams): PageRequest {
  const rawPage = query.get("page");
  const page = Math.max(Number.parseInt(rawPage ?? "", 10) || 0, 0);
  const rawLimit = Number.parseInt(query.get("limit") ?? "", 10) || 0;
  const limit = rawLimit <= 0 ? 30 : Math.min(rawLimit, 50);
  return { page: page === 0 ? 1 : page, limit, pageGiven: rawPage !== null && page > 0 };
}

export interface PagingRules {
  /** Without `page`, return every item (labels, timeline, tokens, mirrors). */
  allWithoutPage?: boolean;
  /** Add the Link header (issues, pulls, branches). */
  link?: boolean;
  /** X-Total-Count counts this page's items, not the total (timeline). */
  countPage?: boolean;
}

export function paged<T>(
  request: Request,
  rootUrl: string,
  items: T[],
  rules: PagingRules = {},
): { items: T[]; headers: Record<string, string> } {
  const query = new URL(request.url).searchParams;
  const paging = pageRequest(query);
  const all = rules.allWithoutPage && !paging.pageGiven;
  const slice = all
    ? items
    : items.slice((paging.page - 1) * paging.limit, paging.page * paging.limit);
  const headers: Record<string, string> = {
    "x-total-count": String(rules.countPage ? slice.length : items.length),
    "access-control-expose-headers": "X-Total-Count, Link",
  };
  if (rules.link && !all) {
    const link = linkHeader(request, rootUrl, paging, items.length);
    if (link) headers.link = link;
  }
  return { items: slice, headers };
}

/** next, last, first, prev — only the relevant ones, comma without space, keys sorted. */
function linkHeader(request: Request, rootUrl: string, paging: PageRequest, total: number) {
  const pages = Math.max(Math.ceil(total / paging.limit), 1);
  if (pages <= 1) return "";
  const url = new URL(request.url);
  const at = (page: number) => {
    const params = new URLSearchParams(url.search);
    params.set("page", String(page));
    const query = goEncode(params);
    return `<${rootUrl}${url.pathname.replace(/^\//, "")}?${query}>`;
  };
  // modules/paginator New clamps the current page to the last one, so a page
  // past the end links like the last page (prev = last - 1), not page - 1.
  const page = Math.min(paging.page, pages);
  const parts: string[] = [];
  if (page < pages) parts.push(`${at(page + 1)}; rel="next"`, `${at(pages)}; rel="last"`);
  if (page > 1) parts.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
  return parts.join(",");
}

/**
 * Go's url.Values.Encode, which genAPILinks (services/context/api.go, v11) uses:
 * keys sorted by byte order (sort.Strings), each pair QueryEscape'd.
 */
function goEncode(params: URLSearchParams): string {
  const bytes = new TextEncoder();
  const byteOrder = (a: string, b: string) => {
    const [x, y] = [bytes.encode(a), bytes.encode(b)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i]! - y[i]!;
    }
    return x.length - y.length;
  };
  // A stable sort keeps a repeated key's values in order, as Encode does.
  const sorted = [...params.entries()].sort(([a], [b]) => byteOrder(a, b));
  return sorted.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`).join("&");
}

/** net/url QueryEscape: only A-Z a-z 0-9 - _ . ~ stay; a space becomes `+`. */
function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");
}

/** Read a JSON body the way Forgejo's binding does (missing Content-Type → 422). */
export async function readJson(
  request: Request,
  rootUrl: string,
): Promise<{ body: Record<string, unknown> } | { error: Response }> {
  const text = await request.text();
  if (text.trim() === "") return { body: {} };
  const type = request.headers.get("content-type") ?? "";
  if (type === "") return { error: apiError(rootUrl, 422, "[]: Empty Content-Type") };
  if (!type.includes("json")) return { body: {} };
  try {
    const parsed = JSON.parse(text);
    return { body: parsed && typeof parsed === "object" ? lowerKeysToo(parsed) : {} };
  } catch (error) {
    return { error: apiError(rootUrl, 422, `[]: ${(error as Error).message}`) };
  }
}

/** Keys match struct fields case-insensitively; expose lower-case aliases (e.g. "Do" → "do"). */
function lowerKeysToo(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (!(lower in out)) out[lower] = v;
  }
  return out;
}
