/**
 * ensureLabel: a label of that name (compared case-insensitively, as
 * people read them) exists with that colour. The forge does not refuse
 * duplicate names, so the list is read first; pass `labels` to reuse one
 * listing for several labels.
 */
import type { Ensured } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";
import { createLabel, editLabel, listLabels } from "./labels.ts";
import type { Label } from "./schema.ts";

export interface EnsureLabelInput {
  name: string;
  /** "#rrggbb", "rrggbb", "#rgb" or "rgb". */
  color: string;
  description?: string;
  exclusive?: boolean;
}

export async function ensureLabel(
  http: ForgejoHttp,
  slug: string,
  input: EnsureLabelInput,
  options: { labels?: readonly Label[] } = {},
): Promise<Ensured<Label>> {
  const labels = options.labels ?? await listLabels(http, slug);
  const found = labels.find((l) => l.name.toLowerCase() === input.name.toLowerCase());
  if (!found) return { outcome: "created", value: await createLabel(http, slug, input) };
  if (normalColor(found.color) === normalColor(input.color)) {
    return { outcome: "unchanged", value: found };
  }
  const value = await editLabel(http, slug, found.id, { color: input.color });
  return { outcome: "updated", value };
}

/** The forge's stored form: 6 lowercase hex digits without "#". */
export function normalColor(color: string): string {
  const hex = color.trim().replace(/^#/, "").toLowerCase();
  return hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
}
