/** Shared set-up for in-process init / issue tests: temp root, fake forge, virtual clock. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferOutput, type Clock, testContext } from "../../core/context.ts";
import { runCli } from "../../core/cli/run.ts";
import { plugins } from "../../plugins/mod.ts";
import { FakeForge, type FakeForgeOptions } from "./fake_forge.ts";

/** A clock whose sleep advances time at once. */
export class VirtualClock implements Clock {
  constructor(public time = Date.parse("2026-11-24T12:00:00Z")) {}
  slept: number[] = [];
  now = () => this.time;
  sleep = (ms: number) => {
    this.slept.push(ms);
    this.time += ms;
    return Promise.resolve();
  };
}

export interface Harness {
  root: string;
  /** Replaces the fake's fetch (e.g. a forge that is down at first). */
  fetchOverride?: typeof fetch;
  forge: FakeForge;
  clock: VirtualClock;
  run(
    argv: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

export const ADMIN_PASS = "admin-pass-123";

export async function harness(options: FakeForgeOptions = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), "disinto-init-"));
  const clock = new VirtualClock();
  const forge = new FakeForge({ now: clock.now, adminPass: ADMIN_PASS, ...options });
  const h: Harness = {
    root,
    forge,
    clock,
    async run(argv, env = {}) {
      const context = testContext({
        argv: ["--root", root, ...argv],
        env: { FORGE_URL: forge.url, FORGE_ADMIN_PASS: ADMIN_PASS, PATH: "/usr/bin:/bin", ...env },
        cwd: root,
        clock,
        fetch: (input, init) => (h.fetchOverride ?? forge.fetch)(input, init),
        stdout: new BufferOutput(),
        stderr: new BufferOutput(),
      });
      const code = await runCli(context, plugins);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
  return h;
}
