/**
 * Step 6 of init: every label of the colour table exists once with its
 * colour. Missing labels are created, wrong colours patched, and duplicates
 * (the forge allows them; two concurrent runs could make them) removed,
 * keeping the oldest.
 */
import { mapLimit } from "../../../core/concurrency/map_limit.ts";
import type { StepStatus } from "../../../core/plugin.ts";
import * as api from "../../../core/forgejo/mod.ts";
import type { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { normalColor } from "../../../core/forgejo/ensure_label.ts";
import { LABELS } from "../labels.ts";

export async function ensureLabels(
  http: ForgejoHttp,
  slug: string,
  options: { dryRun: boolean; concurrency: number },
): Promise<StepStatus> {
  const existing = await api.listLabels(http, slug);
  const byName = new Map<string, api.Label[]>();
  for (const label of [...existing].sort((a, b) => a.id - b.id)) {
    byName.set(label.name, [...(byName.get(label.name) ?? []), label]);
  }
  const work: Array<() => Promise<void>> = [];
  let created = false;
  for (const wanted of LABELS) {
    const found = byName.get(wanted.name) ?? [];
    const [first, ...extra] = found;
    if (!first) {
      created = true;
      work.push(() => api.createLabel(http, slug, wanted).then(() => {}));
      continue;
    }
    if (normalColor(first.color) !== normalColor(wanted.color)) {
      work.push(async () => {
        await api.editLabel(http, slug, first.id, { color: wanted.color });
      });
    }
    for (const duplicate of extra) work.push(() => api.deleteLabel(http, slug, duplicate.id));
  }
  if (work.length === 0) return "unchanged";
  if (!options.dryRun) await mapLimit(work, options.concurrency, (fn) => fn());
  return created ? "created" : "updated";
}
