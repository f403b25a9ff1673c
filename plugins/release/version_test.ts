import assert from "node:assert/strict";
import { BadInputError } from "../../core/errors.ts";
import { parseVersion } from "./version.ts";

Deno.test("parseVersion accepts vX.Y.Z", () => {
  assert.equal(parseVersion("v1.2.3"), "v1.2.3");
  assert.equal(parseVersion("v0.0.10"), "v0.0.10");
});

Deno.test("parseVersion rejects other forms with one line naming the input", () => {
  for (const bad of ["1.2.3", "v1.2", "v1.2.3-rc1", "", "v1.2.3 ", "V1.2.3", undefined]) {
    assert.throws(() => parseVersion(bad), (error: unknown) => {
      assert.ok(error instanceof BadInputError);
      assert.match(error.message, /^version ".*": expected vMAJOR\.MINOR\.PATCH/);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});
