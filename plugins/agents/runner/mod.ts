/**
 * The agent runner (SPEC §7): `claudeRunner` is the base of the
 * `wrapAgentRun` chain (the Claude CLI, run safely), `backendLockWrapper` the
 * hook that holds the backend lock (§11.1) around it. The agents plugin
 * registers both.
 */
export { claudeRunner, type ClaudeRunnerConfig, outcomeOf } from "./claude_runner.ts";
export { backendLockWrapper, lockWrapper, type LockWrapperOptions } from "./lock_wrapper.ts";
