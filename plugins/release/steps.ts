/** The release steps, in order (SPEC §10). Nothing is written before `tag`. */
import { BadInputError, oneLine, RuntimeFailure } from "../../core/errors.ts";
import { redactUrl } from "../../core/redact.ts";
import { pushTagByToken } from "./api.ts";
import type { TagSource } from "./git.ts";
import { type MirrorPath, type MirrorPlan, planMirrors } from "./mirrors.ts";
import type { ReleaseState, Step } from "./pipeline.ts";
import { type MirrorResult, readRecord, resultKey, writeRecord } from "./record.ts";
import { releaseAction, vaultActionPath, writeReleaseAction } from "./vault_action.ts";
import { parseVersion } from "./version.ts";

const short = (sha: string) => sha.slice(0, 12);

export const RELEASE_STEPS: readonly Step[] = [
  {
    name: "version",
    comment: "Check the version's form first: a typo must stop before any request is made.",
    run: (state) => {
      state.version = parseVersion(state.input.version);
      return Promise.resolve(state.version);
    },
  },
  {
    name: "credentials",
    comment:
      "Plan each mirror's path and check every token it needs, so a missing credential stops the release before the forge is touched.",
    run: (state) => {
      const { input } = state;
      const token = input.setting("FORGE_TOKEN");
      if (!token) {
        throw new BadInputError("FORGE_TOKEN: not set; expected it in the environment or .env");
      }
      state.forgeToken = token;
      const table = (input.project.tables.mirrors ?? {}) as Record<string, string>;
      state.mirrors = planMirrors(table, input.mode, input.env, input.setting);
      const plan = state.mirrors.map((mirror) => `${mirror.name} (${mirror.paths.join("+")})`);
      return Promise.resolve(plan.length ? `mirrors: ${plan.join(", ")}` : "no [mirrors]");
    },
  },
  {
    name: "forge",
    comment:
      "Read the primary branch's head and check the tag is new: an existing tag stops here (or, at the commit this version was released at, makes a re-run of the failed mirrors), before anything is written.",
    run: async (state) => {
      const { project, forge } = state.input;
      const existing = await forge.tagCommit(project.repo, state.version);
      if (existing !== null) return await rerunAt(state, existing);
      const head = await branchHead(state);
      state.sha = head;
      return `${project.primary_branch} is at ${short(head)}; ${state.version} is new`;
    },
  },
  {
    name: "tag",
    comment: "Create the tag on the forge at that head: the forge's tag is what every mirror gets.",
    skip: (state) => {
      if (state.rerun) return `${state.version} already exists at ${short(state.sha)}`;
      return state.input.dryRun
        ? `dry run: would tag ${short(state.sha)} as ${state.version}`
        : null;
    },
    run: async (state) => {
      const { project, forge } = state.input;
      const sha = await forge.createTag(
        project.repo,
        state.version,
        state.sha,
        `Release ${state.version}`,
      );
      state.sha = sha;
      return `created ${state.version} at ${short(sha)}`;
    },
  },
  {
    name: "mirrors",
    comment:
      "Push the tag to every mirror by its path; a failing mirror does not stop the others, all outcomes are kept.",
    skip: (state) => {
      if (state.mirrors.length === 0) return "no [mirrors] in the project";
      if (!state.input.dryRun) return null;
      const plan = pending(state).map(({ mirror, path }) =>
        `${mirror.name} by ${path} to ${redactUrl(mirror.url)}`
      );
      return plan.length
        ? `dry run: would push to ${plan.join(", ")}`
        : "dry run: nothing to retry";
    },
    run: async (state) => {
      state.results = await pushToMirrors(state);
      const tried = state.rerun ? state.rerun.retried.length : state.results.length;
      const failed = state.results.filter((result) => result.result === "failed");
      const retried = state.rerun
        ? `retried ${tried} that failed before (${state.rerun.retried.join(", ") || "none"}): `
        : "";
      return failed.length === 0
        ? `${retried}${tried} push(es) done`
        : { failed: `${retried}${failed.length} of ${tried} push(es) failed` };
    },
  },
  {
    name: "record",
    comment:
      "Write the release record last, once every mirror outcome is known, so it says which failed.",
    skip: (state) => state.input.dryRun ? "dry run: writes nothing" : null,
    run: async (state) => {
      const { input } = state;
      state.recordFile = await writeRecord(input.root, {
        version: state.version,
        project: input.project.name,
        repo: input.project.repo,
        sha: state.sha,
        timestamp: new Date(input.now()).toISOString(),
        mirrors: state.results,
        ...(state.rerun ? { retried: state.rerun.retried } : {}),
      });
      return state.recordFile.slice(input.root.length + 1);
    },
  },
  {
    name: "vault",
    comment:
      "Propose the release's vault action (secrets and the ssh mount together) in the ops repo, last: it is what a runner container needs to run this release again, and it is filed once per version.",
    skip: (state) => {
      const ops = state.input.project.ops_repo;
      if (ops === undefined) return "no ops_repo in the project";
      const path = vaultActionPath(releaseAction(state.version));
      if (state.rerun) return `a re-run: ${path} was proposed by the first run`;
      return state.input.dryRun ? `dry run: would propose ${path} in ${ops}` : null;
    },
    run: async (state) => {
      const { project, forge } = state.input;
      try {
        const filed = await writeReleaseAction(
          forge,
          project.ops_repo!,
          state.version,
          project.primary_branch,
        );
        return `proposed ${filed.path} in ${project.ops_repo} (pull request #${filed.pull})`;
      } catch (error) {
        return { failed: `${project.ops_repo}: ${state.input.redact(oneLine(error))}` };
      }
    },
  },
];

async function branchHead(state: ReleaseState): Promise<string> {
  const { project, forge } = state.input;
  const head = await forge.branchHead(project.repo, project.primary_branch);
  if (head === null) {
    throw new RuntimeFailure(
      `${project.repo}: branch ${project.primary_branch} not found on the forge`,
    );
  }
  return head;
}

/**
 * The tag exists. At the commit this version was released at (the earlier
 * run's record; without one, the branch head), this run retries the mirrors
 * that did not get it; anywhere else the version is taken: refused.
 */
async function rerunAt(state: ReleaseState, tagged: string): Promise<string> {
  const { project, root } = state.input;
  const previous = await readRecord(root, project.name, state.version);
  const released = previous?.sha ?? await branchHead(state);
  if (tagged !== released) {
    const what = previous ? "the commit its record names" : `${project.primary_branch}'s head`;
    throw new RuntimeFailure(
      `version ${state.version}: the tag already exists on ${project.repo} at ${
        short(tagged)
      }, not at ${short(released)} (${what}); expected a new version`,
    );
  }
  state.sha = tagged;
  state.rerun = { previous, retried: [] };
  return `${state.version} exists at ${
    short(tagged)
  }: a re-run, only the mirrors that did not get it are tried`;
}

/** Results an earlier run of this version already got (a re-run keeps them). */
function earlierSuccesses(state: ReleaseState): Map<string, MirrorResult> {
  const previous = state.rerun?.previous?.mirrors ?? [];
  return new Map(
    previous.filter((result) => result.result !== "failed").map((result) => [
      resultKey(result),
      result,
    ]),
  );
}

/** Every path of every mirror still to push (on a re-run: those not pushed before). */
function pending(state: ReleaseState): { mirror: MirrorPlan; path: MirrorPath }[] {
  const done = earlierSuccesses(state);
  return state.mirrors.flatMap((mirror) => mirror.paths.map((path) => ({ mirror, path }))).filter((
    { mirror, path },
  ) => !done.has(resultKey({ name: mirror.name, path })));
}

/** Every pending path of every mirror, one after another; failures are results, not exceptions. */
async function pushToMirrors(state: ReleaseState): Promise<MirrorResult[]> {
  const { input } = state;
  const done = earlierSuccesses(state);
  const tried = new Map<string, MirrorResult>();
  let source: TagSource | Error | null = null;
  const message = (error: unknown) => input.redact(oneLine(error));
  try {
    for (const { mirror, path } of pending(state)) {
      const base = { name: mirror.name, url: redactUrl(mirror.url), path };
      let result: MirrorResult;
      try {
        if (path === "token") {
          const api = mirror.api!;
          const token = input.setting(api.tokenKey) ?? "";
          const outcome = await pushTagByToken(
            api,
            token,
            state.version,
            state.sha,
            `Release ${state.version}`,
            input.fetch,
          );
          result = { ...base, result: outcome };
        } else {
          source ??= await input.fetchTag(
            input.sourceUrl,
            state.version,
            state.forgeToken,
            input.env,
          ).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)));
          if (source instanceof Error) throw source;
          await source.push(mirror.url, state.version);
          result = { ...base, result: "pushed" };
        }
      } catch (error) {
        result = { ...base, result: "failed", error: message(error) };
      }
      tried.set(resultKey(result), result);
    }
  } finally {
    if (source !== null && !(source instanceof Error)) await source.dispose();
  }
  if (state.rerun) state.rerun.retried = [...tried.keys()];
  // In plan order: this run's results, and on a re-run the earlier successes.
  return state.mirrors.flatMap((mirror) =>
    mirror.paths.map((path) => {
      const key = resultKey({ name: mirror.name, path });
      return tried.get(key) ?? done.get(key)!;
    })
  );
}
