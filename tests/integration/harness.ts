/**
 * Shared set-up for in-process init / issue tests: a temp root, the Forgejo
 * emulator on loopback and a virtual clock that drives both the CLI and the
 * emulator, so backoffs, branch delays and timeline ages follow virtual time
 * without sleeping.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferOutput, type Clock, testContext } from "../../core/context.ts";
import { runCli } from "../../core/cli/run.ts";
import { plugins } from "../../plugins/mod.ts";
import type { IssueRecord, LabelRecord, RepoRecord } from "../../plugins/forge/emulator/state.ts";
import { adminCall } from "../helpers/emulator_api.ts";
import { type EmulatorOptions, type StartedEmulator, startEmulator } from "../helpers/emulator.ts";

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
  /** Let `seconds` pass (between commands, as a test step). */
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

export interface Harness {
  root: string;
  /** Replaces the plain fetch to the emulator (e.g. a forge that is down at first). */
  fetchOverride?: typeof fetch;
  emulator: StartedEmulator;
  clock: VirtualClock;
  run(
    argv: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Create an issue through the API as the admin; returns its number. */
  addIssue(slug: string, title: string, labels: string[], body?: string): Promise<number>;
  /** An API call as the admin (basic auth); throws unless the status is 2xx. */
  adminApi(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The emulator's record of a repo, issue, or the label names on an issue. */
  repo(slug: string): RepoRecord;
  issue(slug: string, number: number): IssueRecord;
  labelNames(slug: string, number: number): string[];
  labels(slug: string): LabelRecord[];
  dispose(): Promise<void>;
}

export const ADMIN_PASS = "admin-pass-123";

export async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), "disinto-init-"));
  const clock = new VirtualClock();
  const emulator = await startEmulator({ now: clock.now, adminPass: ADMIN_PASS, ...options });
  const state = emulator.forge.state;

  const repo = (slug: string) => {
    const [owner = "", name = ""] = slug.split("/");
    const found = state.repo(owner, name);
    if (!found) throw new Error(`The emulator has no repo "${slug}"`);
    return found;
  };
  const issue = (slug: string, number: number) => {
    const found = state.issue(repo(slug), number);
    if (!found) throw new Error(`The emulator has no issue ${slug}#${number}`);
    return found;
  };
  const adminApi = (method: string, path: string, body?: unknown) =>
    adminCall(emulator, method, path, body);

  const h: Harness = {
    root,
    emulator,
    clock,
    async run(argv, env = {}) {
      const context = testContext({
        argv: ["--root", root, ...argv],
        env: {
          FORGE_URL: emulator.url,
          FORGE_ADMIN_PASS: ADMIN_PASS,
          PATH: "/usr/bin:/bin",
          ...env,
        },
        cwd: root,
        clock,
        fetch: (input, init) => (h.fetchOverride ?? fetch)(input, init),
        stdout: new BufferOutput(),
        stderr: new BufferOutput(),
      });
      const code = await runCli(context, plugins);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    },
    async addIssue(slug, title, labels, body = "") {
      const ids = labels.map((name) => {
        const label = h.labels(slug).find((l) => l.name === name);
        if (!label) throw new Error(`No label "${name}" on ${slug}`);
        return label.id;
      });
      const created = await adminApi("POST", `/repos/${slug}/issues`, { title, body, labels: ids });
      return (created as { number: number }).number;
    },
    adminApi,
    repo,
    issue,
    labels: (slug) => state.repoLabels(repo(slug)),
    labelNames: (slug, number) =>
      issue(slug, number).labels.map((id) => state.label(id)?.name ?? `#${id}`).sort(),
    async dispose() {
      await emulator.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
  return h;
}
