import assert from "node:assert/strict";
import { BadInputError } from "../errors.ts";
import { agentRunSettings } from "./run_settings.ts";

Deno.test("defaults: claude on PATH, 7200 s, 30 s idle grace, 5 s kill grace, 600 s lock wait", () => {
  assert.deepEqual(agentRunSettings({}), {
    command: "claude",
    timeoutMs: 7_200_000,
    idleGraceMs: 30_000,
    killGraceMs: 5_000,
    lockTimeoutSeconds: 600,
  });
});

Deno.test("each variable is read in seconds", () => {
  assert.deepEqual(
    agentRunSettings({
      CLAUDE_BIN: "/opt/claude",
      CLAUDE_TIMEOUT: "60",
      CLAUDE_IDLE_GRACE: "0",
      CLAUDE_LOCK_TIMEOUT: "0.5",
    }),
    {
      command: "/opt/claude",
      timeoutMs: 60_000,
      idleGraceMs: 0,
      killGraceMs: 5_000,
      lockTimeoutSeconds: 0.5,
    },
  );
});

Deno.test("a bad value is bad input naming the variable", () => {
  for (
    const [name, value] of [
      ["CLAUDE_TIMEOUT", "0"],
      ["CLAUDE_TIMEOUT", "2h"],
      ["CLAUDE_IDLE_GRACE", "-1"],
      ["CLAUDE_LOCK_TIMEOUT", "Infinity"],
    ] as const
  ) {
    assert.throws(
      () => agentRunSettings({ [name]: value }),
      (error: unknown) =>
        error instanceof BadInputError && error.message.startsWith(`${name}: "${value}"`),
    );
  }
});
