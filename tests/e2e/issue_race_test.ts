/**
 * SPEC §15: 8 claimers (separate processes of the compiled binary, 8
 * identities) race for the same 50 backlog issues on one forge. Every issue
 * ends with exactly one assignee, in-progress and no backlog, and exactly one
 * claimer reported success for it.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { serveFakeForge } from "../integration/served_forge.ts";

const CLAIMERS = ["dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f", "dev-g", "dev-h"];

Deno.test("binary: 8 claimer processes, 50 backlog issues, each claimed exactly once", async () => {
  requireBinary();
  const served = await serveFakeForge({ adminPass: "admin-pass-123" });
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-race-"));
  const env = {
    PATH: "/usr/bin:/bin",
    HOME: "/nonexistent",
    FORGE_URL: served.url,
    FORGE_ADMIN_PASS: "admin-pass-123",
  };
  try {
    await mkdir(join(root, "projects"));
    const agents = CLAIMERS.flatMap((user) => [
      `[agents.${user}]`,
      'base_url = "http://127.0.0.1:9"',
      'roles = ["dev"]',
      `forge_user = "${user}"`,
      "",
    ]);
    await writeFile(
      join(root, "projects/app.toml"),
      ['name = "app"', 'repo = "acme/app"', `forge_url = "${served.url}"`, "", ...agents].join(
        "\n",
      ),
    );
    const init = await runBinary(["--root", root, "init", "acme/app", "--yes"], { env });
    assert.equal(init.code, 0, init.stderr + init.stdout);
    const numbers = Array.from(
      { length: 50 },
      (_, i) => served.forge.addIssue("acme/app", `task ${i}`, ["backlog"]),
    );
    const results = await Promise.all(CLAIMERS.map((user, i) => {
      // Each claimer walks the issues from a different starting point.
      const order = [...numbers.slice(i * 6), ...numbers.slice(0, i * 6)];
      return runBinary(
        ["--root", root, "--json", "issue", "claim", ...order.map(String), "--as", user],
        { env, timeoutMs: 60_000 },
      );
    }));
    const winners = new Map<number, string[]>();
    results.forEach((result, i) => {
      assert.ok(result.code === 0 || result.code === 1, result.stderr);
      const lines = result.stdout.trim().split("\n");
      assert.equal(lines.length, 50, result.stderr);
      for (const line of lines) {
        const parsed = JSON.parse(line) as { issue: number; claimed: boolean };
        if (parsed.claimed) {
          winners.set(parsed.issue, [...(winners.get(parsed.issue) ?? []), CLAIMERS[i]!]);
        }
      }
    });
    const repo = served.forge.repos.get("acme/app")!;
    // The race was real: some issues got claim comments from several claimers.
    const contested = repo.issues.filter((issue) => issue.comments.length > 1).length;
    console.log(`contested issues: ${contested}/50`);
    assert.ok(contested > 0, "no issue was contested");
    const id = (name: string) => repo.labels.find((l) => l.name === name)!.id;
    for (const n of numbers) {
      const issue = repo.issues.find((i) => i.number === n)!;
      assert.equal(winners.get(n)?.length, 1, `#${n}: ${winners.get(n)}`);
      assert.deepEqual(issue.assignees, winners.get(n));
      assert.ok(issue.labels.includes(id("in-progress")), `#${n} in-progress`);
      assert.ok(!issue.labels.includes(id("backlog")), `#${n} backlog`);
    }
  } finally {
    await served.dispose();
    await rm(root, { recursive: true, force: true });
  }
});
