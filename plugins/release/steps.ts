/** The release steps, in order (SPEC §10). Nothing is written before `tag`. */
import { BadInputError, oneLine, RuntimeFailure } from "../../core/errors.ts";
import { redactUrl } from "../../core/redact.ts";
import { pushTagByToken } from "./api.ts";
import type { TagSource } from "./git.ts";
import { planMirrors } from "./mirrors.ts";
import type { ReleaseState, Step } from "./pipeline.ts";
import { type MirrorResult, writeRecord } from "./record.ts";
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
      "Read the primary branch's head and check the tag is new: an existing tag stops here, before the tag or any mirror is written.",
    run: async (state) => {
      const { project, forge } = state.input;
      const existing = await forge.tagCommit(project.repo, state.version);
      if (existing !== null) {
        throw new BadInputError(
          `version ${state.version}: the tag already exists on ${project.repo} at ${
            short(existing)
          }; expected a new version`,
        );
      }
      const head = await forge.branchHead(project.repo, project.primary_branch);
      if (head === null) {
        throw new RuntimeFailure(
          `${project.repo}: branch ${project.primary_branch} not found on the forge`,
        );
      }
      state.sha = head;
      return `${project.primary_branch} is at ${short(head)}; ${state.version} is new`;
    },
  },
  {
    name: "tag",
    comment: "Create the tag on the forge at that head: the forge's tag is what every mirror gets.",
    skip: (state) =>
      state.input.dryRun ? `dry run: would tag ${short(state.sha)} as ${state.version}` : null,
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
      const plan = state.mirrors.map((mirror) =>
        `${mirror.name} by ${mirror.paths.join("+")} to ${redactUrl(mirror.url)}`
      );
      return `dry run: would push to ${plan.join(", ")}`;
    },
    run: async (state) => {
      state.results = await pushToMirrors(state);
      const failed = state.results.filter((result) => result.result === "failed");
      return failed.length === 0
        ? `${state.results.length} push(es) done`
        : { failed: `${failed.length} of ${state.results.length} push(es) failed` };
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
      });
      return state.recordFile.slice(input.root.length + 1);
    },
  },
];

/** Every path of every mirror, one after another; failures are results, not exceptions. */
async function pushToMirrors(state: ReleaseState): Promise<MirrorResult[]> {
  const { input } = state;
  const results: MirrorResult[] = [];
  let source: TagSource | Error | null = null;
  const message = (error: unknown) => input.redact(oneLine(error));
  try {
    for (const mirror of state.mirrors) {
      for (const path of mirror.paths) {
        const base = { name: mirror.name, url: redactUrl(mirror.url), path };
        try {
          if (path === "token") {
            const api = mirror.api!;
            const token = input.setting(api.tokenKey) ?? "";
            const result = await pushTagByToken(
              api,
              token,
              state.version,
              state.sha,
              `Release ${state.version}`,
              input.fetch,
            );
            results.push({ ...base, result });
          } else {
            source ??= await input.fetchTag(
              input.sourceUrl,
              state.version,
              state.forgeToken,
              input.env,
            ).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)));
            if (source instanceof Error) throw source;
            await source.push(mirror.url, state.version);
            results.push({ ...base, result: "pushed" });
          }
        } catch (error) {
          results.push({ ...base, result: "failed", error: message(error) });
        }
      }
    }
  } finally {
    if (source !== null && !(source instanceof Error)) await source.dispose();
  }
  return results;
}
