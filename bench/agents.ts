/**
 * The agents poll loop on the compiled binary against the Forgejo emulator
 * served in this process:
 * - an idle dev poll cycle (`agents poll dev --once` with nothing to do):
 *   forge requests (target ≤ 4; the bash original made 7–8) and wall time;
 * - one whole issue → merge cycle with the real claude CLI against the
 *   scripted model server: dev (claim, worktree, agent, push, PR), review
 *   (agent, APPROVED), dev (merge, close): wall time and requests per step.
 * DISINTO_BINARY picks another build.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runBinary } from "../tests/helpers/binary.ts";
import { startEmulator } from "../tests/helpers/emulator.ts";
import { adminCall, backlogIssue } from "../tests/helpers/emulator_api.ts";
import {
  agentsEnvFor,
  quickstartScript,
  startModelEmulator,
} from "../tests/helpers/model_emulator.ts";

const IDLE_RUNS = 5;

const emulator = await startEmulator();
const model = await startModelEmulator(await readFile(quickstartScript, "utf8"));
const dir = await mkdtemp(join(tmpdir(), "disinto-bench-agents-"));
const root = join(dir, "factory");
const env = {
  ...agentsEnvFor(model.url, join(dir, "claude"), { path: process.env.PATH ?? "/usr/bin:/bin" }),
  FORGE_ADMIN_PASS: emulator.admin.pass,
};

/** One binary run to completion: wall time and the forge requests it made. */
async function measured(args: string[]): Promise<{ ms: number; requests: number }> {
  emulator.clearRequestLog();
  const started = performance.now();
  const result = await runBinary(["--root", root, ...args], { env, timeoutMs: 120_000 });
  const ms = performance.now() - started;
  if (result.code !== 0) {
    throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stdout}${result.stderr}`);
  }
  return { ms, requests: emulator.requestLog().length };
}

try {
  await measured(["init", "acme/app", "--forge-url", emulator.url, "--yes"]);

  const idle = [];
  for (let i = 0; i < IDLE_RUNS; i++) {
    idle.push(await measured(["agents", "poll", "dev", "--once"]));
  }
  const times = idle.map((r) => r.ms).sort((a, b) => a - b);
  const counts = [...new Set(idle.map((r) => r.requests))].join("/");
  console.log(
    `agents idle dev poll: ${counts} forge requests (target <= 4; bash original 7-8), ` +
      `median ${times[Math.floor(IDLE_RUNS / 2)]!.toFixed(0)} ms, n=${IDLE_RUNS}`,
  );

  await backlogIssue(
    emulator,
    "acme/app",
    "Say hello in the README",
    "A first task for the factory.",
  );
  const steps = [
    ["dev (claim → PR)", await measured(["agents", "poll", "dev", "--once"])],
    ["review (approve)", await measured(["agents", "poll", "review", "--once"])],
    ["dev (merge, close)", await measured(["agents", "poll", "dev", "--once"])],
  ] as const;
  const issue = await adminCall(emulator, "GET", "/repos/acme/app/issues/1");
  if (issue.state !== "closed") throw new Error(`issue 1 is ${issue.state} after the cycle`);
  const total = steps.reduce((sum, [, r]) => ({
    ms: sum.ms + r.ms,
    requests: sum.requests + r.requests,
  }), { ms: 0, requests: 0 });
  const detail = steps.map(([name, r]) => `${name} ${r.ms.toFixed(0)} ms/${r.requests} req`);
  console.log(
    `agents issue→merge cycle (real claude CLI, model emulator): ${
      total.ms.toFixed(0)
    } ms, ${total.requests} forge requests (${detail.join("; ")})`,
  );
} finally {
  await model.dispose();
  await emulator.dispose();
  await rm(dir, { recursive: true, force: true });
}
