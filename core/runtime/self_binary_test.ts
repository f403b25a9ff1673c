import assert from "node:assert/strict";
import process from "node:process";
import { selfBinary } from "./self_binary.ts";

Deno.test("selfBinary: a compiled binary is its own path; a runtime running the source is none", () => {
  assert.equal(selfBinary("/usr/local/bin/disinto"), "/usr/local/bin/disinto");
  assert.equal(selfBinary("/opt/factory/dist/disinto-deno"), "/opt/factory/dist/disinto-deno");
  assert.equal(selfBinary("/usr/bin/deno"), null);
  assert.equal(selfBinary("/x/node_modules/bun/bin/bun.exe"), null);
  // These tests run under deno: no self path.
  assert.equal(selfBinary(), null, process.execPath);
});
