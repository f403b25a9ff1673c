/**
 * SPEC §6.2 / issue 4: 8 claimers — separate processes of the compiled binary,
 * each with its own identity created through the emulator's admin API — race
 * for the same 50 backlog issues. Every issue ends with exactly one assignee,
 * in-progress and no backlog, and exactly one claimer reported success for it.
 * Checked through the forge's own API answers.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { type StartedEmulator, startEmulator } from "../helpers/emulator.ts";
import { adminCall, newIssue, newToken, newUser } from "../helpers/emulator_api.ts";

const CLAIMERS = 8;
const ISSUES = 50;
const SLUG = "acme/app";

/** A user with write access to the repo and a token for the issue verbs; returns the token. */
async function createClaimer(emulator: StartedEmulator, login: string): Promise<string> {
  const user = await newUser(emulator, login);
  const token = await newToken(emulator, user, ["write:issue", "read:repository", "read:user"]);
  await adminCall(emulator, "PUT", `/repos/${SLUG}/collaborators/${login}`, {
    permission: "write",
  }, 204);
  return token;
}

interface ClaimLine {
  issue: number;
  claimed: boolean;
}

Deno.test("binary: 8 claimer processes with 8 identities race for 50 backlog issues; each is claimed exactly once", async () => {
  requireBinary();
  const emulator = await startEmulator();
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-race-"));
  const baseEnv = { PATH: "/usr/bin:/bin", HOME: "/nonexistent", FORGE_URL: emulator.url };
  try {
    // The factory: repo, labels and projects/app.toml, as init leaves them.
    const init = await runBinary(["--root", root, "init", SLUG, "--yes"], {
      env: { ...baseEnv, FORGE_ADMIN_PASS: emulator.admin.pass },
    });
    assert.equal(init.code, 0, init.stderr + init.stdout);
    const logins = Array.from({ length: CLAIMERS }, (_, i) => `claimer-${i + 1}`);
    const tokens = await Promise.all(logins.map((login) => createClaimer(emulator, login)));
    const labels = await adminCall(emulator, "GET", `/repos/${SLUG}/labels`) as Array<
      { id: number; name: string }
    >;
    const backlog = labels.find((l) => l.name === "backlog")!.id;
    const numbers: number[] = [];
    for (let i = 0; i < ISSUES; i++) {
      numbers.push(await newIssue(emulator, SLUG, `task ${i}`, { labels: [backlog] }));
    }

    const started = performance.now();
    const results = await Promise.all(logins.map((_, i) => {
      // Each claimer walks the issues from its own starting point, so they collide everywhere.
      const offset = Math.floor((i * ISSUES) / CLAIMERS);
      const order = [...numbers.slice(offset), ...numbers.slice(0, offset)];
      return runBinary(["--root", root, "--json", "issue", "claim", ...order.map(String)], {
        env: { ...baseEnv, FORGE_TOKEN: tokens[i]! },
        timeoutMs: 45_000,
      });
    }));
    const raceMs = performance.now() - started;

    const winners = new Map<number, string[]>();
    results.forEach((result, i) => {
      assert.ok(result.code === 0 || result.code === 1, `${logins[i]}: ${result.stderr}`);
      const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as ClaimLine);
      assert.deepEqual(lines.map((l) => l.issue).sort((a, b) => a - b), numbers, logins[i]);
      for (const line of lines.filter((l) => l.claimed)) {
        winners.set(line.issue, [...(winners.get(line.issue) ?? []), logins[i]!]);
      }
    });

    let contested = 0;
    for (const n of numbers) {
      const issue = await adminCall(emulator, "GET", `/repos/${SLUG}/issues/${n}`) as {
        assignees: Array<{ login: string }> | null;
        labels: Array<{ name: string }>;
      };
      assert.equal(winners.get(n)?.length, 1, `#${n} reported won by: ${winners.get(n) ?? "none"}`);
      assert.deepEqual((issue.assignees ?? []).map((a) => a.login), winners.get(n), `#${n}`);
      const names = issue.labels.map((l) => l.name);
      assert.ok(names.includes("in-progress"), `#${n} is not in-progress: ${names}`);
      assert.ok(!names.includes("backlog"), `#${n} is still backlog`);
      const comments = await adminCall(
        emulator,
        "GET",
        `/repos/${SLUG}/issues/${n}/comments`,
      ) as Array<{ user: { login: string } }>;
      if (new Set(comments.map((c) => c.user.login)).size > 1) contested++;
    }
    // The race was real: several claimers posted a claim on some issues.
    assert.ok(contested > 0, "no issue was contested");
    const perClaimer = logins.map((login) =>
      [...winners.values()].filter((w) => w[0] === login).length
    );
    console.log(
      `race: ${raceMs.toFixed(0)} ms, ${contested}/${ISSUES} contested, wins per claimer ${
        perClaimer.join(" ")
      }`,
    );
  } finally {
    await emulator.dispose();
    await rm(root, { recursive: true, force: true });
  }
});
