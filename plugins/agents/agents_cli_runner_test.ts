/**
 * The poll cycles with the real runner chain (backend lock wrapper → Claude
 * runner) driving the faithful fake CLI (tests/fixtures/fake_claude.sh)
 * through CLAUDE_BIN: success makes a PR, an is_error or error_max_turns
 * result releases the issue; the review verdict comes from the CLI's result
 * text; no token reaches the run logs; the dev agent sees no other identity.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentsKit, agentsKit, SLUG } from "./_agents_kit.ts";

const FAKE = fileURLToPath(new URL("../../tests/fixtures/fake_claude.sh", import.meta.url));

async function runLogs(kit: AgentsKit): Promise<string> {
  const dir = join(kit.h.root, "state/agent-runs");
  const files = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const texts = await Promise.all(
    files.map((file) => readFile(join(dir, String(file)), "utf8").catch(() => "")),
  );
  return texts.join("\n");
}

Deno.test("real runner + fake CLI: the dev run writes a file → PR; the review result text approves it", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Write the notes");
    const envFile = join(kit.h.root, "agent-env.txt");
    const dev = await kit.run(["agents", "poll", "dev"], {
      runner: null,
      env: {
        CLAUDE_BIN: FAKE,
        FAKE_CLAUDE_WRITE_FILE: "notes.txt",
        FAKE_CLAUDE_WRITE_TEXT: "the notes",
        FAKE_CLAUDE_ENV_FILE: envFile,
      },
    });
    assert.equal(dev.code, 0, dev.stderr + dev.stdout);
    const [pr] = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(pr.head.ref, `fix/issue-${n}`);
    assert.equal(await kit.git("show", `fix/issue-${n}:notes.txt`), "the notes");
    const names = (await readFile(envFile, "utf8")).split("\n");
    assert.ok(names.includes("FORGE_TOKEN"));
    assert.ok(!names.includes("FORGE_REVIEW_TOKEN") && !names.includes("FORGE_ADMIN_PASS"));

    const review = await kit.run(["agents", "poll", "review"], {
      runner: null,
      env: { CLAUDE_BIN: FAKE, FAKE_CLAUDE_RESULT: "Fine work.\nVERDICT: APPROVE" },
    });
    assert.equal(review.code, 0, review.stderr + review.stdout);
    const reviews = await kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`);
    assert.deepEqual(reviews.map((r: { state: string }) => r.state), ["APPROVED"]);
    assert.equal(reviews[0].body, "Fine work.");

    const env = await readFile(join(kit.h.root, ".env"), "utf8");
    const logs = await runLogs(kit);
    assert.ok(logs.length > 0, "run logs are kept");
    for (const [, key, value] of env.matchAll(/^(\w*(?:TOKEN|PASS)\w*)=(.+)$/gm)) {
      assert.ok(!logs.includes(value!), `${key} in a run log`);
    }
  } finally {
    await kit.dispose();
  }
});

for (const mode of ["is_error", "max_turns", "no_result"]) {
  Deno.test(`real runner + fake CLI in mode ${mode}: the issue is released, never left claimed`, async () => {
    const kit = await agentsKit();
    try {
      const n = await kit.issue("Task");
      const run = await kit.run(["agents", "poll", "dev"], {
        runner: null,
        env: { CLAUDE_BIN: FAKE, FAKE_CLAUDE_MODE: mode },
      });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(`#${n}: released`));
      const issue = await kit.get(`/repos/${SLUG}/issues/${n}`);
      assert.deepEqual(issue.labels.map((l: { name: string }) => l.name), ["backlog"]);
      assert.deepEqual(issue.assignees ?? [], []);
    } finally {
      await kit.dispose();
    }
  });
}
