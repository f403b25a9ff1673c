import assert from "node:assert/strict";
import { agentEnv, authKeepOf } from "./agent_env.ts";

const BASE = {
  PATH: "/usr/bin",
  HOME: "/home/agent",
  UNSET: undefined,
  CLAUDE_CONFIG_DIR: "/claude",
  CLAUDE_CODE_OAUTH_TOKEN: "oauth-token-123",
  ANTHROPIC_API_KEY: "sk-key-123456",
  ANTHROPIC_AUTH_TOKEN: "auth-token-123",
  ANTHROPIC_BASE_URL: "http://llama:8080",
  FORGE_URL: "http://forgejo:3000",
  FORGE_TOKEN: "own-token-123",
  FORGE_ADMIN_PASS: "admin-pass-123",
  FORGE_ADMIN_TOKEN: "admin-token-123",
  FORGE_TOKEN_DEV_QWEN: "other-token-123",
  FORGE_PASS_DEV_QWEN: "other-pass-123",
  FORGE_REVIEW_TOKEN: "review-token-123",
  FORGE_VAULT_PASS: "vault-pass-123",
  FORGE_PASS: "own-pass-123",
  GITHUB_TOKEN: "gh-token-123",
  CODEBERG_TOKEN: "cb-token-123",
  WOODPECKER_AGENT_SECRET: "wp-secret-123",
  CHAT_ANTHROPIC_API_KEY: "chat-key-123",
};

const COMMON = {
  PATH: "/usr/bin",
  HOME: "/home/agent",
  CLAUDE_CONFIG_DIR: "/claude",
  FORGE_URL: "http://forgejo:3000",
  FORGE_TOKEN: "own-token-123",
};

Deno.test("oauth: every API-key variable and factory secret is removed", () => {
  assert.deepEqual(agentEnv(BASE, "oauth"), {
    ...COMMON,
    CLAUDE_CODE_OAUTH_TOKEN: "oauth-token-123",
  });
});

Deno.test("api-key: the OAuth token and factory secrets are removed, the key and URL kept", () => {
  assert.deepEqual(agentEnv(BASE, "api-key"), {
    ...COMMON,
    ANTHROPIC_API_KEY: "sk-key-123456",
    ANTHROPIC_AUTH_TOKEN: "auth-token-123",
    ANTHROPIC_BASE_URL: "http://llama:8080",
  });
});

Deno.test("authKeepOf: an API key (or auth token) means api-key, else the OAuth login", () => {
  assert.equal(authKeepOf({ ANTHROPIC_API_KEY: "k" }), "api-key");
  assert.equal(
    authKeepOf({ ANTHROPIC_AUTH_TOKEN: "t", ANTHROPIC_BASE_URL: "http://x" }),
    "api-key",
  );
  assert.equal(authKeepOf({ ANTHROPIC_BASE_URL: "http://x" }), "oauth");
  assert.equal(authKeepOf({ ANTHROPIC_API_KEY: "" }), "oauth");
});
