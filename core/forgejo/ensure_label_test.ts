import assert from "node:assert/strict";
import { normalColor } from "./ensure_label.ts";

Deno.test("normalColor: the forge's stored form of every accepted input", () => {
  for (const input of ["#EE0701", "ee0701", " #ee0701 "]) {
    assert.equal(normalColor(input), "ee0701");
  }
  assert.equal(normalColor("#AbC"), "aabbcc");
  assert.equal(normalColor("fff"), "ffffff");
});
