import assert from "node:assert/strict";
import type { AgentInvocation, AgentOutcome, AgentRunner, Plugin } from "../plugin.ts";
import { buildAgentRunner } from "./runner_chain.ts";

const OUTCOME: AgentOutcome = {
  success: true,
  reason: "success",
  sessionId: "s",
  costUsd: 0,
  turns: 1,
  durationMs: 1,
  logPath: null,
  resultText: "done",
  detail: "ok",
};

/** A plugin whose wrapper records entering and leaving, and tags the outcome's detail. */
function tracing(name: string, trace: string[]): Plugin {
  return {
    name,
    description: name,
    hooks: {
      wrapAgentRun: (next) => async (invocation) => {
        trace.push(`${name} in`);
        const outcome = await next({ ...invocation, prompt: `${invocation.prompt}>${name}` });
        trace.push(`${name} out`);
        return { ...outcome, detail: `${outcome.detail}<${name}` };
      },
    },
  };
}

Deno.test("the first plugin is the outermost wrapper; plugins without the hook are skipped", async () => {
  const trace: string[] = [];
  let prompt = "";
  const base: AgentRunner = (invocation) => {
    trace.push("base");
    prompt = invocation.prompt;
    return Promise.resolve(OUTCOME);
  };
  const plain: Plugin = { name: "plain", description: "no hooks" };
  const runner = buildAgentRunner([tracing("a", trace), plain, tracing("b", trace)], base);
  const outcome = await runner({ prompt: "p" } as AgentInvocation);
  assert.deepEqual(trace, ["a in", "b in", "base", "b out", "a out"]);
  assert.equal(prompt, "p>a>b");
  assert.equal(outcome.detail, "ok<b<a");
});

Deno.test("no plugins: the base runner itself", () => {
  const base: AgentRunner = () => Promise.resolve(OUTCOME);
  assert.equal(buildAgentRunner([], base), base);
});
