/** Which JavaScript runtime runs this process. Only core/runtime/ may ask. */
export type RuntimeName = "deno" | "bun" | "node";

export function runtimeName(): RuntimeName {
  const g = globalThis as Record<string, unknown>;
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}
