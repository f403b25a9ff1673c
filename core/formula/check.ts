/**
 * The rules of a formula that span several keys (SPEC §12): unique step ids,
 * `needs` naming earlier steps and no cycle, every `{{var}}` declared, context
 * paths inside their repo. The schema (schema.ts) has already passed.
 */
import { BadInputError } from "../errors.ts";
import { parseContextPath } from "./context_path.ts";
import type { Formula } from "./schema.ts";
import { parseTemplate, placeholderNames } from "./template.ts";

/** One broken rule: the step it concerns, when there is one, and the rule in words. */
export interface Problem {
  step?: string;
  rule: string;
}

/** Every broken rule of `formula`, in file order (empty when it is valid). */
export function formulaProblems(formula: Formula): Problem[] {
  return [
    ...varProblems(formula),
    ...contextProblems(formula),
    ...stepIdProblems(formula),
    ...needsProblems(formula),
    ...templateProblems(formula),
  ];
}

/** Throw a bad-input error for the first broken rule: `file: step "id": rule`. */
export function checkFormula(formula: Formula, file: string): Formula {
  const first = formulaProblems(formula)[0];
  if (first) throw new BadInputError(describeProblem(file, first));
  return formula;
}

export function describeProblem(file: string, problem: Problem): string {
  const step = problem.step === undefined ? "" : `step "${problem.step}": `;
  return `${file}: ${step}${problem.rule}`;
}

function varProblems(formula: Formula): Problem[] {
  return Object.entries(formula.vars).flatMap(([name, spec]) =>
    spec.required && spec.default !== undefined
      ? [{ rule: `vars.${name}: a required variable cannot have a default` }]
      : []
  );
}

function contextProblems(formula: Formula): Problem[] {
  return formula.context.files.flatMap((entry) => {
    const parsed = parseContextPath(entry);
    return "rule" in parsed ? [{ rule: `context.files: ${parsed.rule}` }] : [];
  });
}

function stepIdProblems(formula: Formula): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const step of formula.steps) {
    if (seen.has(step.id)) problems.push({ step: step.id, rule: "duplicate step id" });
    seen.add(step.id);
  }
  return problems;
}

function needsProblems(formula: Formula): Problem[] {
  const position = new Map(formula.steps.map((step, index) => [step.id, index] as const));
  const problems: Problem[] = [];
  for (const step of formula.steps) {
    for (const need of step.needs) {
      if (!position.has(need)) {
        problems.push({ step: step.id, rule: `needs unknown step "${need}"` });
      }
    }
  }
  const cycle = findCycle(formula);
  if (cycle) {
    problems.push({ step: cycle[0]!, rule: `dependency cycle: ${cycle.join(" -> ")}` });
    return problems;
  }
  formula.steps.forEach((step, index) => {
    for (const need of step.needs) {
      const at = position.get(need);
      if (at !== undefined && at > index) {
        problems.push({
          step: step.id,
          rule: `needs "${need}", which comes later (needs must name earlier steps)`,
        });
      }
    }
  });
  return problems;
}

/** A dependency cycle as the list of step ids walked (first repeated last), or null. */
export function findCycle(formula: Formula): string[] | null {
  const needs = new Map(formula.steps.map((step) => [step.id, step.needs] as const));
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    const open = path.indexOf(id);
    if (open !== -1) return [...path.slice(open), id];
    if (done.has(id) || !needs.has(id)) return null;
    path.push(id);
    for (const need of needs.get(id)!) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(id);
    return null;
  };
  for (const step of formula.steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle;
  }
  return null;
}

function templateProblems(formula: Formula): Problem[] {
  const texts: { step?: string; key: string; text: string }[] = [
    { key: "description", text: formula.description },
    ...formula.steps.flatMap((step) => [
      { step: step.id, key: "title", text: step.title },
      { step: step.id, key: "description", text: step.description },
    ]),
  ];
  const problems: Problem[] = [];
  for (const { step, key, text } of texts) {
    const at = step === undefined ? {} : { step };
    const parsed = parseTemplate(text);
    if (!parsed.ok) {
      problems.push({
        ...at,
        rule: `${key}: malformed placeholder "${parsed.snippet}" ` +
          `(expected {{name}}; write \\{{ for literal braces)`,
      });
      continue;
    }
    for (const name of placeholderNames(parsed.parts)) {
      if (!Object.hasOwn(formula.vars, name)) {
        problems.push({
          ...at,
          rule: `${key}: undeclared variable "${name}" (declare it in [vars.${name}])`,
        });
      }
    }
  }
  return problems;
}
