import assert from "node:assert/strict";
import { BadInputError } from "../errors.ts";
import { parseFormula } from "./parse.ts";

const VALID = `
name = "demo"
description = "Work on {{issue}}"
version = 2
model = "opus"
timeout = 600
[vars.issue]
description = "the issue"
required = true
[vars.branch]
description = "the branch"
default = "main"
[context]
files = ["README.md?", "ops:journal.md"]
[[steps]]
id = "first"
title = "First {{issue}}"
description = "Start on {{ branch }}."
[[steps]]
id = "second"
title = "Second"
description = "Then this."
needs = ["first"]
`;

function failure(text: string): string {
  try {
    parseFormula(text, "f.toml");
  } catch (error) {
    assert.ok(error instanceof BadInputError, String(error));
    return error.message;
  }
  assert.fail("expected a bad-input error");
}

Deno.test("parse: a valid formula, with defaults filled in", () => {
  const formula = parseFormula(VALID, "f.toml");
  assert.equal(formula.name, "demo");
  assert.equal(formula.timeout, 600);
  assert.deepEqual(formula.vars.issue, { description: "the issue", required: true });
  assert.deepEqual(formula.vars.branch, {
    description: "the branch",
    required: false,
    default: "main",
  });
  assert.deepEqual(formula.steps.map((step) => step.needs), [[], ["first"]]);
  const minimal = parseFormula(
    'name = "m"\ndescription = "d"\nversion = 1\n[[steps]]\nid = "a"\ntitle = "A"\ndescription = "x"\n',
    "m.toml",
  );
  assert.deepEqual(minimal.vars, {});
  assert.deepEqual(minimal.context, { files: [] });
});

Deno.test("parse: schema errors name the file, the step and the key", () => {
  assert.equal(
    failure(VALID.replace('title = "Second"\n', "")),
    'f.toml: step "second": title: required (expected string)',
  );
  assert.equal(
    failure(VALID.replace('id = "second"', "id = 5")),
    "f.toml: step 2: id: expected string, received number",
  );
  assert.equal(failure(VALID + "extra = 1\n"), 'f.toml: step "second": extra: unknown key');
  assert.equal(failure("top = 1\n" + VALID), "f.toml: top: unknown key");
  assert.equal(
    failure(VALID.replace("timeout = 600", "timeout = -1")),
    "f.toml: timeout: expected a positive number of seconds",
  );
  assert.equal(
    failure(VALID.replace("[vars.branch]", '[vars."my-var"]')),
    "f.toml: vars.my-var: expected a variable name of [A-Za-z0-9_]",
  );
});

Deno.test("parse: rules across keys name the step and the rule", () => {
  assert.equal(
    failure(VALID.replace('needs = ["first"]', 'needs = ["frist"]')),
    'f.toml: step "second": needs unknown step "frist"',
  );
  assert.equal(
    failure(VALID.replace("Then this.", "Then {{other}}.")),
    'f.toml: step "second": description: undeclared variable "other" (declare it in [vars.other])',
  );
  assert.equal(
    failure(VALID.replace('description = "Work on {{issue}}"', 'description = "{{nope}}"')),
    'f.toml: description: undeclared variable "nope" (declare it in [vars.nope])',
  );
});

Deno.test("check: a variable may be declared and not used; vars named like Object members are not declared", () => {
  const text = VALID.replace("Then this.", "Then {{constructor}}.");
  assert.match(failure(text), /undeclared variable "constructor"/);
});
