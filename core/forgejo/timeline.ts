/** The issue timeline: every event (labels, assignees, comments, close…), oldest first. */
import { z } from "zod";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { type TimelineEvent, TimelineEventSchema } from "./schema.ts";

/**
 * All events of an issue or PR (no `page` = all of them; X-Total-Count here
 * counts the page, not the total, so it is not used). `since`/`before`
 * (RFC 3339) compare with each event's update time.
 */
export async function timeline(
  http: ForgejoHttp,
  slug: string,
  index: number,
  filter: { since?: string; before?: string } = {},
): Promise<TimelineEvent[]> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/issues/{index}/timeline", {
    params: { ...repoParams(slug), index },
    query: { since: filter.since, before: filter.before },
    schema: z.array(TimelineEventSchema).nullable(),
  });
  return r.data ?? [];
}
