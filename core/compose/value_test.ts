import assert from "node:assert/strict";
import { escapeLiteral, renderValue, runtime, text } from "./value.ts";

Deno.test("runtime values render as ${VAR} or ${VAR:-default}", () => {
  assert.equal(renderValue(runtime("FORGE_TOKEN_DEV_QWEN")), "${FORGE_TOKEN_DEV_QWEN}");
  assert.equal(renderValue(runtime("PORT", "8080")), "${PORT:-8080}");
  assert.equal(renderValue(runtime("EMPTY", "")), "${EMPTY:-}");
});

Deno.test("generation-time strings escape every $ as $$", () => {
  assert.equal(renderValue("a$b$$c${D}"), "a$$b$$$$c$${D}");
  assert.equal(escapeLiteral("no dollars"), "no dollars");
});

Deno.test("text mixes literals (escaped) and runtime references", () => {
  const value = text`${runtime("HOME")}/.ssh:/home/$agent/.ssh:ro`;
  assert.equal(renderValue(value), "${HOME}/.ssh:/home/$$agent/.ssh:ro");
  assert.equal(renderValue(text`${"$x"}:${3000}`), "$$x:3000");
});

Deno.test("runtime variables with bad names or defaults are refused", () => {
  assert.throws(() => runtime("1BAD"), TypeError);
  assert.throws(() => runtime("A-B"), TypeError);
  assert.throws(() => runtime("OK", "has}brace"), TypeError);
  assert.throws(() => runtime("OK", "has$dollar"), TypeError);
});
