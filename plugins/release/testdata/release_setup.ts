/**
 * A factory root for `disinto release` tests in process against the Forgejo
 * emulator: the project's repository is pushed to it over git HTTP, file-URL
 * mirrors are local bare repositories (the SSH path is `git push`), a second
 * emulator plays the Codeberg mirror for the token path.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testContext } from "../../../core/context.ts";
import { runCli } from "../../../core/cli/run.ts";
import { plugins } from "../../mod.ts";
import {
  bareMirror,
  type EmulatedForge,
  gitEnv,
  startEmulatedForge,
  type WorkTree,
  workTree,
} from "./emulated_forge.ts";

export interface Setup {
  forge: EmulatedForge;
  work: WorkTree;
  dir: string;
  root: string;
  /** The first and the head commit on main. */
  first: string;
  head: string;
  mirrors: Record<string, string>;
  env: Record<string, string>;
  /** Rewrite the project file with these mirrors. */
  project(mirrors: Record<string, string>): Promise<void>;
  /** A second emulator holding the same history: the Codeberg mirror. */
  codeberg(): Promise<EmulatedForge>;
  dispose(): Promise<void>;
}

/** A factory root with one project whose [mirrors] are `count` local bare repos (+ extras). */
export async function setup(count: number, extra: Record<string, string> = {}): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-release-"));
  const env = gitEnv(dir);
  const forge = await startEmulatedForge(env);
  const others: EmulatedForge[] = [];
  const work = await workTree(join(dir, "work"), env);
  const first = await work.commit("commit 1");
  const head = await work.commit("commit 2");
  await work.pushTo(forge);
  const root = join(dir, "factory");
  await mkdir(join(root, "projects"), { recursive: true });
  const mirrors: Record<string, string> = {};
  for (let index = 1; index <= count; index++) {
    mirrors[`m${index}`] = await bareMirror(join(dir, "mirrors", `m${index}.git`), env);
  }
  Object.assign(mirrors, extra);
  const project = async (table: Record<string, string>) => {
    const lines = Object.entries(table).map(([name, url]) => `${name} = "${url}"`);
    await writeFile(
      join(root, "projects", "demo.toml"),
      `name = "demo"\nrepo = "acme/demo"\nforge_url = "${forge.url}"\n\n[mirrors]\n${
        lines.join("\n")
      }\n`,
    );
  };
  await project(mirrors);
  await writeFile(join(root, ".env"), `FORGE_TOKEN=${forge.token}\n`);
  forge.emulator.clearRequestLog();
  return {
    forge,
    work,
    dir,
    root,
    first,
    head,
    mirrors,
    env,
    project,
    async codeberg() {
      const mirror = await startEmulatedForge(env);
      others.push(mirror);
      await work.pushTo(mirror);
      mirror.emulator.clearRequestLog();
      return mirror;
    },
    async dispose() {
      for (const other of others) await other.dispose();
      await forge.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function release(
  s: Setup,
  args: string[],
  env: Record<string, string> = {},
  fetcher: typeof fetch = globalThis.fetch,
) {
  const context = testContext({
    argv: ["--root", s.root, "release", ...args],
    cwd: s.root,
    env: { ...s.env, ...env },
    fetch: fetcher,
  });
  const code = await runCli(context, plugins);
  return { code, stdout: context.stdout.text, stderr: context.stderr.text };
}

/** The env that makes the second emulator play codeberg.org for the mirror named `codeberg`. */
export const codebergEnv = (codeberg: EmulatedForge) => ({
  CODEBERG_TOKEN: codeberg.token,
  DISINTO_MIRROR_API_CODEBERG: `${codeberg.url}/api/v1`,
});
export const CODEBERG_URL = "https://codeberg.org/acme/demo.git";

/** Requests to the forge's API that change something (git reads are POSTs too). */
export const apiWrites = (forge: EmulatedForge) =>
  forge.emulator.writes().filter((entry) => entry.path.startsWith("/api/"))
    .map((entry) => `${entry.method} ${entry.path} ${entry.status}`);

/** The tag as the forge's tags API reports it: its commit and whether it is annotated. */
export async function forgeTag(forge: EmulatedForge, tag: string) {
  const { status, body } = await forge.api(`/repos/acme/demo/tags/${tag}`);
  if (status === 404) return null;
  const found = body as { id: string; commit: { sha: string } };
  return { commit: found.commit.sha, annotated: found.id !== found.commit.sha };
}

export const readRecord = async (s: Setup, version: string) =>
  JSON.parse(await readFile(join(s.root, "state", "releases", "demo", `${version}.json`), "utf8"));

export const outcomes = (record: { mirrors: { name: string; path: string; result: string }[] }) =>
  record.mirrors.map((mirror) => [mirror.name, mirror.path, mirror.result]);
