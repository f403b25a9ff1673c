import assert from "node:assert/strict";
import { BadInputError } from "../errors.ts";
import { backendLockFor, backendLockName, backendLockPath } from "./backend_lock.ts";

Deno.test("shared OAuth login: session.lock inside CLAUDE_CONFIG_DIR (else ~/.claude)", () => {
  assert.deepEqual(backendLockFor({ CLAUDE_CONFIG_DIR: "/shared/claude" }, "/factory"), {
    kind: "session",
    path: "/shared/claude/session.lock",
  });
  assert.deepEqual(backendLockFor({ HOME: "/home/agent" }, "/factory"), {
    kind: "session",
    path: "/home/agent/.claude/session.lock",
  });
  assert.throws(() => backendLockFor({}, "/factory"), BadInputError);
});

Deno.test("local model: one lock per server under <root>/state/locks, never the config dir", () => {
  const env = {
    ANTHROPIC_BASE_URL: "http://llama:8080",
    ANTHROPIC_API_KEY: "sk-no-key-required",
    CLAUDE_CONFIG_DIR: "/shared/claude",
  };
  const lock = backendLockFor(env, "/factory");
  assert.equal(lock.kind, "backend");
  assert.ok(lock.kind === "backend");
  assert.match(lock.path, /^\/factory\/state\/locks\/backend-llama-8080-[0-9a-f]{10}\.lock$/);
  assert.equal(lock.path, backendLockPath("/factory", "http://llama:8080"));
  assert.deepEqual(backendLockFor({ ...env, AGENT_LOCK_FILE: "/x/y.lock" }, "/factory"), {
    kind: "backend",
    path: "/x/y.lock",
  });
});

Deno.test("backendLockName: the same server always, another server never, the same name", () => {
  const name = backendLockName("http://LLAMA:8080/");
  assert.equal(name, backendLockName("http://llama:8080"));
  assert.notEqual(name, backendLockName("http://llama:8081"));
  assert.notEqual(name, backendLockName("http://llama:8080/v2"));
  assert.notEqual(name, backendLockName("https://llama:8080"));
  assert.match(backendLockName("https://models.example"), /^backend-models-example-443-/);
  assert.throws(() => backendLockName("llama"), /ANTHROPIC_BASE_URL: "llama" is not a URL/);
});

Deno.test("an API key against Anthropic itself takes no lock", () => {
  assert.deepEqual(backendLockFor({ ANTHROPIC_API_KEY: "sk-ant-123" }, "/factory"), {
    kind: "none",
  });
});
