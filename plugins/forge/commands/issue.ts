/**
 * `disinto issue claim|release|block <n>` and `disinto issue sweep` (SPEC
 * §6.2), acting as FORGE_TOKEN or, with `--as <user>`, as that identity's
 * token from `.env`. `claim` takes several numbers and claims them
 * concurrently; it exits 0 only when it won every one.
 */
import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { mapLimit } from "../../../core/concurrency/map_limit.ts";
import { RuntimeFailure } from "../../../core/errors.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import * as api from "../../../core/forgejo/mod.ts";
import { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { type ClaimResult, IssueLifecycle } from "../lifecycle/lifecycle.ts";
import {
  actingToken,
  forgeUrlOf,
  liveLocks,
  loadProject,
  openFactory,
} from "../project_context.ts";

function issueNumber(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not an issue number; expected a positive integer`,
    );
  }
  return Number(value);
}

function collect(value: string, previous: number[] = []): number[] {
  return [...previous, issueNumber(value)];
}

async function openLifecycle(host: CommandHost, as: string | undefined): Promise<IssueLifecycle> {
  const factory = await openFactory(host);
  const project = await loadProject(host, factory);
  const token = actingToken(factory, as);
  host.redactor.add(token);
  const http = new ForgejoHttp(forgeUrlOf(factory, project), { kind: "token", token }, {
    fetch: host.context.fetch,
    signal: host.context.signal,
    sleep: (ms, signal) => host.context.clock.sleep(ms, signal),
  });
  const me = await api.whoami(http, http.credentials);
  if (!me.ok) throw new RuntimeFailure(`The forge rejects the token (${me.reason})`);
  return new IssueLifecycle(http, project.repo, {
    me: me.login,
    now: () => host.context.clock.now(),
    lockHeld: async (n) =>
      (await liveLocks(factory.root)).some((lock) => lock.file.includes(`issue-${n}.`)),
  });
}

export function registerIssueCommand(program: Command, host: CommandHost): void {
  const issue = program.command("issue").description(
    "the issue lifecycle: claim, release, block, sweep",
  );
  const print = (text: string) => host.context.stdout.write(text);

  issue.command("claim")
    .description("claim issues: exactly one claimer wins each, even in a race")
    .argument(
      "<n...>",
      "issue number(s)",
      (value, previous: number[] | undefined) => collect(value, previous),
    )
    .option("--as <user>", "act as this identity (its token from .env)")
    .action((numbers, flags) =>
      host.run(async () => {
        const lifecycle = await openLifecycle(host, flags.as);
        const results: ClaimResult[] = await mapLimit(numbers ?? [], 4, (n) => lifecycle.claim(n));
        for (const result of results) {
          if (host.globals().json) print(JSON.stringify(result) + "\n");
          else if (result.claimed) {
            print(`claimed #${result.issue}${result.already ? " (already yours)" : ""}\n`);
          } else {
            print(
              `not claimed #${result.issue}: ${result.reason}${
                result.holder ? ` by ${result.holder}` : ""
              }\n`,
            );
          }
        }
        return results.every((result) => result.claimed) ? 0 : 1;
      })
    );

  issue.command("release")
    .description("give an issue back to the backlog")
    .argument("<n>", "issue number", issueNumber)
    .option("--as <user>", "act as this identity (its token from .env)")
    .action((n, flags) =>
      host.run(async () => {
        const lifecycle = await openLifecycle(host, flags.as);
        await lifecycle.release(n);
        print(`released #${n}\n`);
        return 0;
      })
    );

  issue.command("block")
    .description("mark an issue blocked, with a reason")
    .argument("<n>", "issue number", issueNumber)
    .requiredOption("--reason <text>", "why it is blocked (posted as a comment)")
    .option("--as <user>", "act as this identity (its token from .env)")
    .action((n, flags) =>
      host.run(async () => {
        const lifecycle = await openLifecycle(host, flags.as);
        await lifecycle.block(n, flags.reason);
        print(`blocked #${n}\n`);
        return 0;
      })
    );

  issue.command("sweep")
    .description("stale detection over in-progress issues; stale ones become blocked")
    .option("--dry-run", "report only; relabel nothing")
    .option("--as <user>", "act as this identity (its token from .env)")
    .action((flags) =>
      host.run(async () => {
        const lifecycle = await openLifecycle(host, flags.as);
        const results = await lifecycle.sweep({ dryRun: flags.dryRun === true });
        if (host.globals().json) {
          print(JSON.stringify({ repo: lifecycle.slug, issues: results }) + "\n");
          return 0;
        }
        for (const result of results) {
          const what = result.relabelled ? "relabelled blocked" : result.stale ? "stale" : "kept";
          print(`#${result.issue}: ${what} (${result.reason})\n`);
        }
        const count = results.filter((result) => result.relabelled).length;
        print(`${results.length} in-progress issue(s) checked, ${count} relabelled blocked\n`);
        return 0;
      })
    );
}
