/** Repository labels: list, create, read, edit and delete (scope: issue). */
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import { type ApiApp, bodyOf, repoAccess } from "./route_kit.ts";
import type { LabelRecord } from "./state.ts";

export function registerLabelRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  app.get("/repos/:owner/:repo/labels", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const labels = state.repoLabels(found.ok.repo).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id
    );
    if (c.req.query("sort") === "reversealphabetically") labels.reverse();
    const page = paged(c.req.raw, forge.rootUrl, labels, { allWithoutPage: true });
    return json(200, page.items.map((l) => forge.labelJson(l, found.ok.repo)), page.headers);
  });

  app.post("/repos/:owner/:repo/labels", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.name ?? "");
    if (!name) return apiError(forge.rootUrl, 422, "[Name]: Required");
    const color = normalizeColor(String(body.ok.color ?? ""));
    if (color === null) {
      return apiError(forge.rootUrl, 422, `bad color code: ${body.ok.color ?? ""}`);
    }
    // No uniqueness check: Forgejo creates a second label of the same name.
    const label: LabelRecord = {
      id: state.nextId("label"),
      repoId: found.ok.repo.id,
      name,
      color,
      description: String(body.ok.description ?? ""),
      exclusive: body.ok.exclusive === true,
      isArchived: body.ok.is_archived === true,
    };
    state.data.labels.push(label);
    forge.onChange();
    return json(201, forge.labelJson(label, found.ok.repo));
  });

  app.get("/repos/:owner/:repo/labels/:id", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const key = c.req.param("id");
    const labels = state.repoLabels(found.ok.repo);
    const label = /^\d+$/.test(key) ? labels.find((l) => l.id === Number(key)) : undefined;
    const byName = label ?? labels.find((l) => l.name === key);
    return byName ? json(200, forge.labelJson(byName, found.ok.repo)) : notFound(forge.rootUrl);
  });

  app.patch("/repos/:owner/:repo/labels/:id", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const label = state.repoLabels(found.ok.repo).find((l) => l.id === Number(c.req.param("id")));
    if (!label) return notFound(forge.rootUrl);
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    if (typeof b.name === "string" && b.name) label.name = b.name;
    if (typeof b.color === "string") {
      const color = normalizeColor(b.color);
      if (color === null) return apiError(forge.rootUrl, 422, `bad color code: ${b.color}`);
      label.color = color;
    }
    if (typeof b.description === "string") label.description = b.description;
    if (typeof b.exclusive === "boolean") label.exclusive = b.exclusive;
    label.isArchived = b.is_archived === true;
    forge.onChange();
    return json(200, forge.labelJson(label, found.ok.repo));
  });

  app.delete("/repos/:owner/:repo/labels/:id", (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const id = Number(c.req.param("id"));
    const label = state.repoLabels(found.ok.repo).find((l) => l.id === id);
    if (label) {
      // Deleting a label also deletes its issue links and its timeline events.
      state.data.labels = state.data.labels.filter((l) => l !== label);
      for (const issue of state.data.issues) issue.labels = issue.labels.filter((l) => l !== id);
      state.data.events = state.data.events.filter((e) => e.labelId !== id);
      forge.onChange();
    }
    return statusOnly(204);
  });
}

/** `#RGB`, `RGB`, `#RRGGBB`, `RRGGBB`, any case → six lowercase hex digits. */
export function normalizeColor(input: string): string | null {
  const hex = input.replace(/^#/, "").toLowerCase();
  if (/^[0-9a-f]{6}$/.test(hex)) return hex;
  if (/^[0-9a-f]{3}$/.test(hex)) return [...hex].map((ch) => ch + ch).join("");
  return null;
}
