import assert from "node:assert/strict";
import { join } from "node:path";
import { pathSafeUser } from "./user_path.ts";

Deno.test("pathSafeUser keeps plain logins readable and folds case", () => {
  assert.equal(pathSafeUser("alice"), "alice");
  assert.equal(pathSafeUser("Dev-Bot"), "dev-bot");
});

Deno.test("pathSafeUser: traversal and separators stay inside the folder", () => {
  for (const name of ["..", "../../etc/passwd", "a/b", "a\\b", ".", "x\0y", "é", "_2e"]) {
    const safe = pathSafeUser(name);
    assert.match(safe, /^[a-z0-9_-]+$/, name);
    assert.equal(join("/state/history", safe).startsWith("/state/history/"), true, name);
  }
  assert.equal(pathSafeUser(".."), "_2e_2e");
});

Deno.test("pathSafeUser is one-to-one (an escape cannot be forged)", () => {
  const names = ["a.b", "a_2eb", "a_b", "a_5fb", "A.B"];
  const mapped = names.map(pathSafeUser);
  // "a.b" and "A.B" are the same forge login; the rest are distinct.
  assert.equal(mapped[0], mapped[4]);
  assert.equal(new Set(mapped.slice(0, 4)).size, 4);
});

Deno.test("pathSafeUser refuses an empty name", () => {
  assert.throws(() => pathSafeUser(""), TypeError);
});
