/**
 * The claim protocol's edges against the emulator on a virtual clock: the
 * winner re-reads the claims after assigning itself; claim ages follow the
 * forge's clock (its Date header), not the claimer's; only the holder may
 * release or block (the `issue` commands refuse with exit 1, one line).
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../core/cli/run.ts";
import { BufferOutput, testContext } from "../../../core/context.ts";
import { tokenAuth } from "../../../core/forgejo/auth.ts";
import * as api from "../../../core/forgejo/mod.ts";
import { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { type StartedEmulator, startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminCall,
  newIssue,
  newLabel,
  newRepo,
  newToken,
  newUser,
} from "../../../tests/helpers/emulator_api.ts";
import { VirtualClock } from "../../../tests/integration/harness.ts";
import { plugins } from "../../mod.ts";
import { claimBody } from "./claim_decision.ts";
import { IssueLifecycle } from "./lifecycle.ts";

const USERS = ["dev-a", "dev-b"] as const;
type User = typeof USERS[number];

interface Bench {
  em: StartedEmulator;
  clock: VirtualClock;
  slug: string;
  tokens: Record<User, string>;
  labels: Record<string, number>;
  /** An open backlog issue; returns its number. */
  issue(): Promise<number>;
  /** The lifecycle as `user`, with its own clock and fetch. */
  as(user: User, options?: { now?: () => number; fetch?: typeof fetch }): IssueLifecycle;
  dispose(): Promise<void>;
}

async function bench(): Promise<Bench> {
  const clock = new VirtualClock();
  const em = await startEmulator({ now: clock.now });
  const slug = `${em.admin.user}/app`;
  await newRepo(em, em.admin.user, "app");
  const tokens = {} as Record<User, string>;
  for (const name of USERS) {
    const user = await newUser(em, name);
    await adminCall(em, "PUT", `/repos/${slug}/collaborators/${name}`, { permission: "write" });
    tokens[name] = await newToken(em, user, ["write:issue", "write:repository", "read:user"]);
  }
  const labels: Record<string, number> = {};
  for (const name of ["backlog", "in-progress", "blocked"]) {
    labels[name] = await newLabel(em, slug, name);
  }
  return {
    em,
    clock,
    slug,
    tokens,
    labels,
    issue: () => newIssue(em, slug, "a task", { labels: [labels.backlog] }),
    as: (user, options = {}) =>
      new IssueLifecycle(
        new ForgejoHttp(em.url, tokenAuth(tokens[user]), { fetch: options.fetch ?? fetch }),
        slug,
        { me: user, now: options.now ?? clock.now },
      ),
    dispose: () => em.dispose(),
  };
}

async function state(b: Bench, n: number) {
  const issue =
    (await api.getIssue(new ForgejoHttp(b.em.url, tokenAuth(b.tokens["dev-a"])), b.slug, n))!;
  return {
    assignees: (issue.assignees ?? []).map((a) => a.login),
    labels: issue.labels.map((l) => l.name).sort(),
  };
}

/** dev-a's claim comment, posted as if dev-a were between its post and its read. */
function claimByA(b: Bench, n: number): Promise<unknown> {
  const http = new ForgejoHttp(b.em.url, tokenAuth(b.tokens["dev-a"]));
  return api.postComment(http, b.slug, n, claimBody("dev-a", b.clock.now()));
}

Deno.test("the winner re-reads the claims after assigning: a lower claim seen late wins, it backs off", async () => {
  const b = await bench();
  try {
    const n = await b.issue();
    await claimByA(b, n);
    // dev-b's first read of the comments lags: dev-a's lower claim is not in it yet.
    let lagging = true;
    const laggingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (!lagging || !url.includes(`/issues/${n}/comments`) || init?.method !== "GET") {
        return response;
      }
      lagging = false;
      const all = await response.json() as { user: { login: string } }[];
      const body = JSON.stringify(all.filter((c) => c.user.login !== "dev-a"));
      return new Response(body, { status: 200, headers: response.headers });
    };
    b.em.clearRequestLog();
    const result = await b.as("dev-b", { fetch: laggingFetch }).claim(n);
    assert.equal(lagging, false, "the lagging read happened");
    assert.deepEqual(result, {
      claimed: false,
      issue: n,
      reason: "already claimed",
      holder: "dev-a",
    });
    // dev-b assigned itself, saw dev-a's claim on the re-read and left dev-a assigned; no label moved.
    assert.deepEqual(
      b.em.writes().map((e) => `${e.method} ${e.path.replace(/^\/api\/v1/, "")} ${e.user}`),
      [
        `POST /repos/${b.slug}/issues/${n}/comments dev-b`,
        `PATCH /repos/${b.slug}/issues/${n} dev-b`,
        `PATCH /repos/${b.slug}/issues/${n} dev-b`,
      ],
    );
    assert.deepEqual(await state(b, n), { assignees: ["dev-a"], labels: ["backlog"] });
    // dev-a finishes its claim as the winner.
    assert.deepEqual(await b.as("dev-a").claim(n), { claimed: true, issue: n, already: true });
    assert.deepEqual(await state(b, n), { assignees: ["dev-a"], labels: ["in-progress"] });
  } finally {
    await b.dispose();
  }
});

Deno.test("claim ages follow the forge's clock (its Date header), not the claimer's", async () => {
  const b = await bench();
  try {
    const n = await b.issue();
    await claimByA(b, n);
    b.clock.advance(5 * 60);
    // dev-b's clock runs 20 minutes ahead: by it, dev-a's claim is 25 minutes old.
    const ahead = b.as("dev-b", { now: () => b.clock.now() + 20 * 60_000 });
    assert.deepEqual(await ahead.claim(n), {
      claimed: false,
      issue: n,
      reason: "already claimed",
      holder: "dev-a",
    });
    assert.deepEqual((await state(b, n)).assignees, []);
    // 11 forge minutes on, dev-a never assigned itself: its claim is void, even for a
    // claimer whose clock runs 30 minutes behind.
    b.clock.advance(6 * 60);
    const behind = b.as("dev-b", { now: () => b.clock.now() - 30 * 60_000 });
    assert.deepEqual(await behind.claim(n), { claimed: true, issue: n });
    assert.deepEqual(await state(b, n), { assignees: ["dev-b"], labels: ["in-progress"] });
  } finally {
    await b.dispose();
  }
});

Deno.test("issue release|block by someone who does not hold the issue: exit 1, one line, nothing written", async () => {
  const b = await bench();
  const root = await mkdtemp(join(tmpdir(), "disinto-claim-"));
  try {
    await mkdir(join(root, "projects"));
    await writeFile(
      join(root, "projects", "app.toml"),
      `name = "app"\nrepo = "${b.slug}"\nforge_url = "${b.em.url}"\n`,
    );
    await writeFile(
      join(root, ".env"),
      `FORGE_URL=${b.em.url}\nFORGE_TOKEN_DEV_A=${b.tokens["dev-a"]}\nFORGE_TOKEN_DEV_B=${
        b.tokens["dev-b"]
      }\n`,
    );
    const run = async (...argv: string[]) => {
      const context = testContext({
        argv: ["--root", root, "issue", ...argv],
        env: { PATH: "/usr/bin:/bin" },
        cwd: root,
        clock: b.clock,
        stdout: new BufferOutput(),
        stderr: new BufferOutput(),
      });
      const code = await runCli(context, plugins);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    };
    const n = await b.issue();
    assert.equal((await run("claim", String(n), "--as", "dev-a")).code, 0);
    b.em.clearRequestLog();
    for (const verb of [["release"], ["block", "--reason", "mine now"]]) {
      const refused = await run(...verb, String(n), "--as", "dev-b");
      assert.equal(refused.code, 1, refused.stdout);
      assert.equal(
        refused.stderr,
        `disinto: #${n}: cannot ${
          verb[0]
        } an issue held by dev-a; only its assignee may (acting as dev-b)\n`,
      );
    }
    assert.deepEqual(b.em.writes(), []);
    assert.deepEqual(await state(b, n), { assignees: ["dev-a"], labels: ["in-progress"] });
    // Nobody holds a fresh backlog issue: nobody may release it either.
    const free = await b.issue();
    const nobody = await run("release", String(free), "--as", "dev-a");
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /cannot release an issue nobody holds/);
    // The holder may.
    const mine = await run("release", String(n), "--as", "dev-a");
    assert.equal(mine.code, 0, mine.stderr);
    assert.deepEqual(await state(b, n), { assignees: [], labels: ["backlog"] });
  } finally {
    await rm(root, { recursive: true, force: true });
    await b.dispose();
  }
});

Deno.test("another poller's stale sweep in the middle of a release or a block finds nothing stale", async () => {
  const b = await bench();
  try {
    for (const step of ["release", "block"] as const) {
      const n = await b.issue();
      assert.deepEqual(await b.as("dev-a").claim(n), { claimed: true, issue: n });
      b.clock.advance(3600); // in-progress was added long ago: no grace period
      const sweeps: string[] = [];
      // dev-b sweeps right after each of dev-a's writes on the issue.
      const interleaved: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (init?.method && init.method !== "GET") {
          for (const result of await b.as("dev-b").sweep()) {
            if (result.stale) sweeps.push(`#${result.issue}: ${result.reason}`);
          }
        }
        return response;
      };
      const a = b.as("dev-a", { fetch: interleaved });
      if (step === "release") await a.release(n, "Released: the agent failed");
      else await a.block(n, "the agent failed 3 times");
      assert.deepEqual(sweeps, [], `${step}: nothing was stale at any point`);
      assert.deepEqual(await state(b, n), {
        assignees: [],
        labels: [step === "release" ? "backlog" : "blocked"],
      });
    }
  } finally {
    await b.dispose();
  }
});
