/**
 * Validate a compose document against the vendored compose-spec JSON schema
 * (testdata/compose-spec/, Apache-2.0). Used by tests and the benchmark.
 */
import { Ajv } from "ajv";
import { parse } from "yaml";
import schema from "./testdata/compose-spec/compose-spec.json" with { type: "json" };

let validator: ReturnType<Ajv["compile"]> | undefined;

function validate(): ReturnType<Ajv["compile"]> {
  if (!validator) {
    // The schema is draft-07 but names the meta-schema by an https id ajv does not
    // register, and uses annotations ajv does not know (deprecated).
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile({ ...schema, $schema: "http://json-schema.org/draft-07/schema#" });
  }
  return validator;
}

/** The schema errors of a compose YAML text, one line each; empty when it is valid. */
export function composeSchemaErrors(yaml: string): string[] {
  const check = validate();
  if (check(parse(yaml))) return [];
  return (check.errors ?? []).map((error) =>
    `${error.instancePath || "/"} ${error.message ?? "is invalid"} ${JSON.stringify(error.params)}`
  );
}
