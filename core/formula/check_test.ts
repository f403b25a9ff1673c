import assert from "node:assert/strict";
import { describeProblem, findCycle, formulaProblems } from "./check.ts";
import type { Formula } from "./schema.ts";

Deno.test("check: a three-step cycle is named in walk order; forward needs are refused", () => {
  const step = (id: string, needs: string[]) => ({ id, title: id, description: id, needs });
  const formula: Formula = {
    name: "c",
    description: "d",
    version: 1,
    vars: {},
    context: { files: [] },
    steps: [step("a", ["c"]), step("b", ["a"]), step("c", ["b"])],
  };
  assert.deepEqual(formulaProblems(formula), [
    { step: "a", rule: "dependency cycle: a -> c -> b -> a" },
  ]);
  formula.steps = [step("a", ["b"]), step("b", [])];
  assert.deepEqual(formulaProblems(formula), [
    { step: "a", rule: 'needs "b", which comes later (needs must name earlier steps)' },
  ]);
  formula.steps = [step("a", []), step("b", ["a"]), step("c", ["a", "b"])];
  assert.deepEqual(formulaProblems(formula), []);
});

Deno.test("check: duplicate ids, a required var with a default, a bad context path, in file order", () => {
  const formula: Formula = {
    name: "c",
    description: "d",
    version: 1,
    vars: { a: { description: "a", required: true, default: "x" } },
    context: { files: ["/abs"] },
    steps: [
      { id: "s", title: "t", description: "{{a}}", needs: [] },
      { id: "s", title: "t", description: "{{ b }}", needs: [] },
    ],
  };
  assert.deepEqual(formulaProblems(formula).map((problem) => describeProblem("f.toml", problem)), [
    "f.toml: vars.a: a required variable cannot have a default",
    'f.toml: context.files: "/abs": expected a path inside the repo (relative, not leaving it)',
    'f.toml: step "s": duplicate step id',
    'f.toml: step "s": description: undeclared variable "b" (declare it in [vars.b])',
  ]);
  assert.equal(findCycle(formula), null);
});
