/** What `formula list` and `formula show` print, as text or as JSON-ready data. */
import type { LoadedFormula } from "../../core/formula/mod.ts";

/** One formula as data: the file's content plus where it came from. */
export function formulaData({ source, formula }: LoadedFormula): Record<string, unknown> {
  return {
    ...formula,
    origin: source.origin,
    overrides: source.overrides,
    file: source.file,
  };
}

/** One line per formula: name, version, origin, first sentence of the description. */
export function listText(loaded: readonly LoadedFormula[]): string {
  const width = Math.max(4, ...loaded.map(({ formula }) => formula.name.length));
  return loaded.map(({ source, formula }) => {
    const origin = source.overrides ? "factory (overrides built-in)" : source.origin;
    return `${formula.name.padEnd(width)}  v${formula.version}  ${origin.padEnd(8)}  ${
      summary(formula.description)
    }\n`;
  }).join("");
}

/** The whole formula, readable: header, variables, context files, steps. */
export function showText({ source, formula }: LoadedFormula): string {
  const lines = [
    `${formula.name} (version ${formula.version}, ${source.origin}: ${source.file})`,
    "",
    formula.description.trim(),
    "",
  ];
  if (formula.model !== undefined) lines.push(`model: ${formula.model}`);
  if (formula.timeout !== undefined) lines.push(`timeout: ${formula.timeout} s`);
  const vars = Object.entries(formula.vars);
  if (vars.length > 0) {
    lines.push("vars:");
    for (const [name, spec] of vars) {
      const how = spec.required
        ? "required"
        : spec.default !== undefined
        ? `default ${JSON.stringify(spec.default)}`
        : "optional";
      lines.push(`  ${name} (${how}): ${spec.description}`);
    }
  }
  if (formula.context.files.length > 0) {
    lines.push(`context files: ${formula.context.files.join(", ")}`);
  }
  lines.push("steps:");
  formula.steps.forEach((step, index) => {
    const needs = step.needs.length > 0 ? ` (needs ${step.needs.join(", ")})` : "";
    lines.push(`  ${index + 1}. ${step.id}: ${step.title}${needs}`);
  });
  return lines.join("\n") + "\n";
}

/** The first sentence (or line) of a description, at most 80 characters. */
function summary(description: string): string {
  const flat = description.trim().replace(/\s+/g, " ");
  const sentence = /^.*?[.!?](\s|$)/.exec(flat)?.[0]?.trim() ?? flat;
  return sentence.length > 80 ? `${sentence.slice(0, 79)}…` : sentence;
}
