/** The one label colour table used everywhere (SPEC §6.1 step 6). */
export const LABELS: ReadonlyArray<{ name: string; color: string }> = [
  { name: "backlog", color: "#0075ca" },
  { name: "in-progress", color: "#e4e669" },
  { name: "blocked", color: "#d73a4a" },
  { name: "tech-debt", color: "#cfd3d7" },
  { name: "underspecified", color: "#fbca04" },
  { name: "vision", color: "#0e8a16" },
  { name: "action", color: "#1d76db" },
  { name: "bug-report", color: "#e11d48" },
  { name: "prediction/unreviewed", color: "#a2eeef" },
  { name: "prediction/dismissed", color: "#d73a4a" },
  { name: "prediction/actioned", color: "#28a745" },
  { name: "needs-triage", color: "#f9d0c4" },
  { name: "reproduced", color: "#0e8a16" },
  { name: "cannot-reproduce", color: "#cccccc" },
  { name: "in-triage", color: "#1d76db" },
  { name: "rejected", color: "#cccccc" },
  { name: "priority", color: "#f59e0b" },
];

/** Labels that take an issue out of the dev lifecycle (SPEC §6.2). */
export function isNonDevLabel(name: string): boolean {
  return ["bug-report", "vision", "in-triage", "action", "formula"].includes(name) ||
    name.startsWith("prediction/");
}
