import assert from "node:assert/strict";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { ADMIN_PASS, harness } from "./harness.ts";

const TOKEN_KEYS = [
  "FORGE_TOKEN",
  "FORGE_REVIEW_TOKEN",
  "FORGE_PLANNER_TOKEN",
  "FORGE_GARDENER_TOKEN",
  "FORGE_VAULT_TOKEN",
  "FORGE_SUPERVISOR_TOKEN",
  "FORGE_PREDICTOR_TOKEN",
  "FORGE_ARCHITECT_TOKEN",
];

async function readEnv(root: string) {
  return parseEnv(await readFile(join(root, ".env"), "utf8"));
}

Deno.test("init creates everything, then a re-run changes nothing and writes nothing", async () => {
  const h = await harness();
  try {
    const first = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /created +repo acme\/app/);
    assert.match(first.stdout, /created +identity dev-bot/);
    assert.match(first.stdout, /created +protection acme\/app:main/);
    const env = await readEnv(h.root);
    for (const key of TOKEN_KEYS) assert.ok(env.get(key), key);
    assert.equal(env.get("FORGE_URL"), h.forge.url);
    const toml = await readFile(join(h.root, "projects/app.toml"), "utf8");
    assert.match(toml, /^repo = "acme\/app"$/m);
    assert.match(toml, /^ops_repo = "disinto-admin\/app-ops"$/m);
    assert.match(toml, /^primary_branch = "main"$/m);
    // Repo state: collaborators from the table, labels, protections.
    const repo = h.forge.repos.get("acme/app")!;
    assert.equal(repo.collaborators.get("review-bot"), "read");
    assert.equal(repo.collaborators.get("dev-bot"), "write");
    assert.equal(
      h.forge.repos.get("disinto-admin/app-ops")!.collaborators.get("review-bot"),
      "write",
    );
    assert.equal(repo.labels.length, 17);
    assert.deepEqual(repo.protections.get("main")!.merge_whitelist_usernames, ["dev-bot"]);
    assert.equal(
      h.forge.repos.get("disinto-admin/app-ops")!.protections.get("main")!.apply_to_admins,
      true,
    );
    // Tokens are least privilege and created as their owners.
    const dev = h.forge.tokens.find((t) => t.user === "dev-bot")!;
    assert.deepEqual(dev.scopes, ["write:issue", "write:repository", "read:user"]);

    const envText = await readFile(join(h.root, ".env"), "utf8");
    h.forge.log = [];
    const second = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(h.forge.writes(), []);
    assert.equal(await readFile(join(h.root, ".env"), "utf8"), envText);
    assert.equal(await readFile(join(h.root, "projects/app.toml"), "utf8"), toml);
    const lines = second.stdout.trim().split("\n");
    for (const line of lines.slice(0, -1)) assert.match(line, /^unchanged /, line);
    assert.match(lines.at(-1)!, /steps: \d+ unchanged$/);
    // Secrets never appear in output.
    for (const key of TOKEN_KEYS) assert.ok(!first.stdout.includes(env.get(key)!));
    assert.ok(!first.stdout.includes(ADMIN_PASS) && !first.stderr.includes(ADMIN_PASS));
  } finally {
    await h.dispose();
  }
});

Deno.test("init --rotate-tokens changes every token and password; old tokens stop working", async () => {
  const h = await harness();
  try {
    assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
    const before = await readEnv(h.root);
    const rotated = await h.run(["init", "acme/app", "--yes", "--rotate-tokens"]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const after = await readEnv(h.root);
    for (const key of [...TOKEN_KEYS, "FORGE_PASS", "FORGE_REVIEW_PASS"]) {
      assert.notEqual(after.get(key), before.get(key), key);
    }
    for (const key of TOKEN_KEYS) {
      const response = await h.forge.fetch(`${h.forge.url}/api/v1/user`, {
        headers: { authorization: `token ${before.get(key)}` },
      });
      assert.equal(response.status, 401);
      await response.body?.cancel();
    }
  } finally {
    await h.dispose();
  }
});

Deno.test("init --dry-run prints the plan, makes no write request and writes no file", async () => {
  const h = await harness();
  try {
    const result = await h.run(["init", "acme/app", "--yes", "--dry-run"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /would be created +repo acme\/app/);
    assert.match(result.stdout, /would be created +identity dev-bot/);
    assert.match(result.stdout, /dry run \(nothing written\)/);
    assert.deepEqual(h.forge.writes(), []);
    await assert.rejects(readFile(join(h.root, ".env")));
    await assert.rejects(readFile(join(h.root, "projects/app.toml")));
  } finally {
    await h.dispose();
  }
});

Deno.test("init --json prints the summary as one JSON object", async () => {
  const h = await harness();
  try {
    const result = await h.run(["--json", "init", "acme/app", "--yes"]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.ok, true);
    assert.equal(summary.repo, "acme/app");
    assert.ok(
      summary.steps.some((s: { name: string; status: string }) =>
        s.name === "identity dev-bot" && s.status === "created"
      ),
    );
  } finally {
    await h.dispose();
  }
});

/** The end state that must not depend on faults or interruptions. */
function endState(h: Awaited<ReturnType<typeof harness>>) {
  const repos = [...h.forge.repos.entries()].sort().map(([slug, repo]) => ({
    slug,
    branches: [...repo.branches].sort(),
    labels: repo.labels.map((l) => `${l.name}:${l.color}`).sort(),
    collaborators: [...repo.collaborators.entries()].sort(),
    protections: [...repo.protections.keys()].sort(),
  }));
  const users = [...h.forge.users.keys()].sort();
  const tokens = h.forge.tokens.map((t) => `${t.user}:${t.name}`).sort();
  return { repos, users, tokens };
}

Deno.test("with 20 % faults init still completes with the fault-free end state", async () => {
  const clean = await harness();
  const faulty = await harness({ faultRate: 0.2, random: seeded(42) });
  try {
    assert.equal((await clean.run(["init", "acme/app", "--yes"])).code, 0);
    const result = await faulty.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.ok(faulty.forge.log.some((r) => r.status === 500 || r.status === 0), "faults happened");
    assert.deepEqual(endState(faulty), endState(clean));
    // Every token in .env works.
    faulty.forge.faultRate = 0;
    const env = await readEnv(faulty.root);
    for (const key of TOKEN_KEYS) {
      assert.ok(faulty.forge.tokens.some((t) => t.secret === env.get(key)), key);
    }
  } finally {
    await clean.dispose();
    await faulty.dispose();
  }
});

Deno.test("a branch visible only after 5 s gets its protection after the backoff", async () => {
  const h = await harness({ branchDelayMs: 5000 });
  try {
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /waiting for branch "main" of acme\/app \(attempt 1\/10, next in 2 s\)/,
    );
    assert.ok(h.forge.repos.get("acme/app")!.protections.has("main"));
  } finally {
    await h.dispose();
  }
});

Deno.test("a branch that never appears: ERROR … security rules not applied, other steps done, exit 1", async () => {
  const h = await harness({ branchNever: true });
  try {
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^ERROR: branch protection on acme\/app "main": .*security rules not applied$/m,
    );
    assert.match(result.stdout, /failed +protection acme\/app:main/);
    assert.match(result.stdout, /created +labels acme\/app/);
    assert.match(result.stdout, /created +project projects\/app.toml/);
    // The §5.2 schedule: 2+4+6+8+10×5 = 70 s of waiting per repo, in virtual time.
    const waits = h.clock.slept.filter((ms) => ms >= 2000);
    assert.deepEqual(waits.slice(0, 9).sort((a, b) => a - b).slice(0, 4), [2000, 2000, 4000, 4000]);
  } finally {
    await h.dispose();
  }
});

Deno.test("the project TOML's agent forge users get identities", async () => {
  const h = await harness();
  try {
    await mkdir(join(h.root, "projects"));
    await writeFile(
      join(h.root, "projects/app.toml"),
      [
        "# my project",
        'name = "app"',
        'repo = "acme/app"',
        'forge_url = "http://forge.test"',
        "",
        "[agents.qwen]",
        'forge_user = "dev-qwen"',
        'base_url = "http://10.0.0.1:8081"',
        'roles = ["dev"]',
        "",
      ].join("\n"),
    );
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 0, result.stderr);
    const env = await readEnv(h.root);
    assert.ok(env.get("FORGE_TOKEN_DEV_QWEN"));
    assert.ok(env.get("FORGE_PASS_DEV_QWEN"));
    assert.equal(h.forge.repos.get("acme/app")!.collaborators.get("dev-qwen"), "write");
    const toml = await readFile(join(h.root, "projects/app.toml"), "utf8");
    assert.match(toml, /^# my project\n/);
    assert.match(toml, /\[agents\.qwen\]\nforge_user = "dev-qwen"/);
  } finally {
    await h.dispose();
  }
});

Deno.test("bad input exits 2 with one line and writes nothing", async () => {
  const h = await harness();
  try {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [["init", "not a slug", "--yes"], {}, /<repo-url-or-slug>/],
      [["init", "acme/app/x", "--yes"], {}, /<repo-url-or-slug>/],
      [["init", "acme/app", "--yes", "--bogus"], {}, /unknown option/],
      [["init", "acme/app", "--yes"], { FORGE_ADMIN_PASS: "" }, /--yes: FORGE_ADMIN_PASS/],
      [["init", "acme/app", "--yes", "--forge-url", "ftp://x"], {}, /--forge-url/],
      [["init", "acme/app", "--yes"], { FORGE_URL: "file:///x" }, /FORGE_URL/],
    ];
    for (const [argv, env, pattern] of cases) {
      const result = await h.run(argv, env);
      assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\s+at /);
    }
    // An invalid and an unreadable project TOML.
    await mkdir(join(h.root, "projects"));
    await writeFile(join(h.root, "projects/app.toml"), 'name = "app"\nrepo = [broken\n');
    let result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /app\.toml: line \d+: invalid TOML/);
    await writeFile(
      join(h.root, "projects/app.toml"),
      'name = "app"\nrepo = "acme/app"\nforge_url = "http://x"\nbogus = 1\n',
    );
    result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bogus: unknown key/);
    await chmod(join(h.root, "projects/app.toml"), 0o000);
    result = await h.run(["init", "acme/app", "--yes"]);
    if (Deno.uid() !== 0) {
      assert.equal(result.code, 2);
      assert.match(result.stderr, /cannot read project file/);
    }
    assert.deepEqual(h.forge.log, []);
    await assert.rejects(readFile(join(h.root, ".env")));
  } finally {
    await h.dispose();
  }
});

/** A small deterministic PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
