import assert from "node:assert/strict";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { ADMIN_PASS, type Harness, harness } from "./harness.ts";
import process from "node:process";

/** Token key → the user it belongs to (SPEC §6.1 step 3). */
const TOKEN_OWNERS: Record<string, string> = {
  FORGE_TOKEN: "dev-bot",
  FORGE_REVIEW_TOKEN: "review-bot",
  FORGE_PLANNER_TOKEN: "planner-bot",
  FORGE_GARDENER_TOKEN: "gardener-bot",
  FORGE_VAULT_TOKEN: "vault-bot",
  FORGE_SUPERVISOR_TOKEN: "supervisor-bot",
  FORGE_PREDICTOR_TOKEN: "predictor-bot",
  FORGE_ARCHITECT_TOKEN: "architect-bot",
};
const TOKEN_KEYS = Object.keys(TOKEN_OWNERS);
const PASS_KEYS = TOKEN_KEYS.map((key) => key.replace(/TOKEN$/, "PASS"));

async function readEnv(root: string) {
  return parseEnv(await readFile(join(root, ".env"), "utf8"));
}

/** Who the emulator says a token belongs to (GET /user), or its HTTP status when refused. */
async function tokenOwner(h: Harness, token: string): Promise<string | number> {
  const response = await fetch(`${h.emulator.url}/api/v1/user`, {
    headers: { authorization: `token ${token}` },
  });
  if (!response.ok) {
    await response.body?.cancel();
    return response.status;
  }
  return ((await response.json()) as { login: string }).login;
}

/** Whether `user` can sign in with `password` (basic auth on GET /user). */
async function passwordWorks(h: Harness, user: string, password: string): Promise<boolean> {
  const response = await fetch(`${h.emulator.url}/api/v1/user`, {
    headers: { authorization: `Basic ${btoa(`${user}:${password}`)}` },
  });
  await response.body?.cancel();
  return response.ok;
}

function protection(h: Harness, slug: string, rule: string) {
  return h.repo(slug).protections.find((p) => p.ruleName === rule)?.fields;
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
    for (const [key, user] of Object.entries(TOKEN_OWNERS)) {
      assert.equal(await tokenOwner(h, env.get(key)!), user, key);
    }
    for (const [i, key] of PASS_KEYS.entries()) {
      assert.ok(await passwordWorks(h, TOKEN_OWNERS[TOKEN_KEYS[i]!]!, env.get(key)!), key);
    }
    assert.equal(env.get("FORGE_URL"), h.emulator.url);
    const toml = await readFile(join(h.root, "projects/app.toml"), "utf8");
    assert.match(toml, /^repo = "acme\/app"$/m);
    assert.match(toml, /^ops_repo = "disinto-admin\/app-ops"$/m);
    assert.match(toml, /^primary_branch = "main"$/m);

    // The forge's state: an org for acme, collaborators from the table, labels, protections.
    const state = h.emulator.forge.state;
    assert.ok(state.org("acme"), "acme is an org");
    const app = h.repo("acme/app");
    assert.equal(app.collaborators["review-bot"], "read");
    assert.equal(app.collaborators["dev-bot"], "write");
    assert.equal(h.repo("disinto-admin/app-ops").collaborators["review-bot"], "write");
    assert.equal(h.labels("acme/app").length, 17);
    assert.equal(h.labels("acme/app").find((l) => l.name === "in-progress")?.color, "e4e669");
    assert.deepEqual(protection(h, "acme/app", "main")?.merge_whitelist_usernames, ["dev-bot"]);
    // review-bot only reads: its approval counts only through the approvals whitelist.
    assert.equal(protection(h, "acme/app", "main")?.enable_approvals_whitelist, true);
    assert.deepEqual(protection(h, "acme/app", "main")?.approvals_whitelist_username, [
      "review-bot",
    ]);
    assert.equal(protection(h, "acme/app", "main")?.enable_push, false);
    assert.equal(protection(h, "disinto-admin/app-ops", "main")?.apply_to_admins, true);
    const branches = await h.emulator.forge.git.branches("acme", "app");
    assert.deepEqual(branches.map((b) => b.name), ["main"]);
    // Bots never have to change their password; tokens are least privilege.
    const devBot = state.user("dev-bot")!;
    assert.equal(devBot.mustChangePassword, false);
    const devTokens = state.data.tokens.filter((t) => t.userId === devBot.id);
    assert.deepEqual(devTokens.map((t) => t.scopes), [[
      "write:issue",
      "write:repository",
      "read:user",
    ]]);
    // Tokens are created with basic auth as their owners, never by the admin.
    const tokenPosts = h.emulator.writes().filter((e) => /\/users\/[^/]+\/tokens$/.test(e.path));
    assert.equal(tokenPosts.length, TOKEN_KEYS.length);
    for (const entry of tokenPosts) assert.equal(entry.path, `/api/v1/users/${entry.user}/tokens`);

    const envText = await readFile(join(h.root, ".env"), "utf8");
    h.emulator.clearRequestLog();
    const second = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(h.emulator.requestLog().length > 0, "the re-run read the forge");
    assert.deepEqual(h.emulator.writes(), []);
    assert.equal(await readFile(join(h.root, ".env"), "utf8"), envText);
    assert.equal(await readFile(join(h.root, "projects/app.toml"), "utf8"), toml);
    const lines = second.stdout.trim().split("\n");
    for (const line of lines.slice(0, -1)) assert.match(line, /^unchanged /, line);
    assert.match(lines.at(-1)!, /steps: \d+ unchanged$/);
    // Secrets never appear in output.
    for (const key of [...TOKEN_KEYS, ...PASS_KEYS]) {
      assert.ok(!first.stdout.includes(env.get(key)!) && !first.stderr.includes(env.get(key)!));
    }
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
    for (const key of [...TOKEN_KEYS, ...PASS_KEYS]) {
      assert.ok(after.get(key), key);
      assert.notEqual(after.get(key), before.get(key), key);
    }
    for (const [key, user] of Object.entries(TOKEN_OWNERS)) {
      assert.equal(await tokenOwner(h, before.get(key)!), 401, `old ${key}`);
      assert.equal(await tokenOwner(h, after.get(key)!), user, `new ${key}`);
    }
    for (const [i, key] of PASS_KEYS.entries()) {
      const user = TOKEN_OWNERS[TOKEN_KEYS[i]!]!;
      assert.equal(await passwordWorks(h, user, before.get(key)!), false, `old ${key}`);
      assert.equal(await passwordWorks(h, user, after.get(key)!), true, `new ${key}`);
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
    assert.ok(h.emulator.requestLog().length > 0, "the dry run read the forge");
    assert.deepEqual(h.emulator.writes(), []);
    assert.equal(h.emulator.forge.state.data.repos.length, 0);
    await assert.rejects(readFile(join(h.root, ".env")));
    await assert.rejects(readFile(join(h.root, "projects/app.toml")));
  } finally {
    await h.dispose();
  }
});

Deno.test("init --dry-run after an init plans nothing and writes nothing", async () => {
  const h = await harness();
  try {
    assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
    const envText = await readFile(join(h.root, ".env"), "utf8");
    h.emulator.clearRequestLog();
    const result = await h.run(["init", "acme/app", "--yes", "--dry-run"]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /would be (created|updated)/);
    assert.deepEqual(h.emulator.writes(), []);
    assert.equal(await readFile(join(h.root, ".env"), "utf8"), envText);
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
    assert.equal(summary.ops_repo, "disinto-admin/app-ops");
    const steps = summary.steps as Array<{ name: string; status: string }>;
    assert.ok(steps.some((s) => s.name === "identity dev-bot" && s.status === "created"));
    assert.ok(steps.some((s) => s.name === "protection acme/app:main" && s.status === "created"));
    const again = JSON.parse((await h.run(["--json", "init", "acme/app", "--yes"])).stdout);
    assert.deepEqual(
      (again.steps as Array<{ status: string }>).filter((s) => s.status !== "unchanged"),
      [],
    );
  } finally {
    await h.dispose();
  }
});

/** The forge state that must not depend on faults (ids, hashes and times aside). */
async function endState(h: Harness) {
  const state = h.emulator.forge.state;
  const repos = await Promise.all(
    [...state.data.repos].sort((a, b) => a.name.localeCompare(b.name)).map(async (repo) => ({
      slug: `${repo.owner}/${repo.name}`,
      private: repo.private,
      branches: (await h.emulator.forge.git.branches(repo.owner, repo.name)).map((b) => b.name),
      labels: state.repoLabels(repo).map((l) => `${l.name}:${l.color}:${l.description}`).sort(),
      collaborators: Object.entries(repo.collaborators).sort(),
      protections: repo.protections.map((p) => ({ rule: p.ruleName, fields: p.fields })),
    })),
  );
  const users = state.data.users.map((u) => `${u.login}:${u.isAdmin}:${u.mustChangePassword}`)
    .sort();
  const tokens = state.data.tokens.map((t) =>
    `${state.userById(t.userId)?.login}:${t.name}:${t.scopes.join(",")}`
  ).sort();
  const orgs = state.data.orgs.map((o) => o.name).sort();
  return { repos, users, tokens, orgs };
}

Deno.test("with 20 % faults init still completes with the fault-free end state", async () => {
  const clean = await harness();
  const faulty = await harness({ random: seeded(42) });
  try {
    assert.equal((await clean.run(["init", "acme/app", "--yes"])).code, 0);
    faulty.emulator.control.setFaultRate(0.2);
    const result = await faulty.run(["init", "acme/app", "--yes"]);
    faulty.emulator.control.setFaultRate(0);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const log = faulty.emulator.requestLog();
    assert.ok(log.some((e) => e.status === 500), "5xx answers happened");
    assert.ok(log.some((e) => e.status === 0), "dropped connections happened");
    assert.ok(log.some((e) => e.status === 0 && e.user !== null), "work done, answer lost");
    assert.deepEqual(await endState(faulty), await endState(clean));
    // Every token and password in .env works, for its own user.
    const env = await readEnv(faulty.root);
    for (const [key, user] of Object.entries(TOKEN_OWNERS)) {
      assert.equal(await tokenOwner(faulty, env.get(key)!), user, key);
    }
    for (const [i, key] of PASS_KEYS.entries()) {
      assert.ok(await passwordWorks(faulty, TOKEN_OWNERS[TOKEN_KEYS[i]!]!, env.get(key)!), key);
    }
    // And the faulty run converged: a fault-free re-run writes nothing.
    faulty.emulator.clearRequestLog();
    assert.equal((await faulty.run(["init", "acme/app", "--yes"])).code, 0);
    assert.deepEqual(faulty.emulator.writes(), []);
  } finally {
    await clean.dispose();
    await faulty.dispose();
  }
});

Deno.test("a run cut off after its Nth request converges when run again", async () => {
  const clean = await harness();
  try {
    assert.equal((await clean.run(["init", "acme/app", "--yes"])).code, 0);
    const total = clean.emulator.requestLog().length;
    const expected = await endState(clean);
    // Cut points spread over the run; request N reaches the forge, its answer is lost.
    for (const cut of [Math.round(total / 4), Math.round(total / 2), total - 10]) {
      const h = await harness();
      try {
        let sent = 0;
        h.fetchOverride = async (input, init) => {
          sent++;
          if (sent < cut) return await fetch(input, init);
          if (sent === cut) await (await fetch(input, init)).body?.cancel();
          throw new TypeError("connection refused");
        };
        const cutOff = await h.run(["init", "acme/app", "--yes"]);
        assert.equal(cutOff.code, 1, `cut at ${cut}: ${cutOff.stdout}`);
        delete h.fetchOverride;
        const again = await h.run(["init", "acme/app", "--yes"]);
        assert.equal(again.code, 0, `cut at ${cut}: ${again.stderr}${again.stdout}`);
        assert.deepEqual(await endState(h), expected, `cut at ${cut}`);
        const env = await readEnv(h.root);
        for (const [key, user] of Object.entries(TOKEN_OWNERS)) {
          assert.equal(await tokenOwner(h, env.get(key)!), user, `cut at ${cut}: ${key}`);
        }
        h.emulator.clearRequestLog();
        assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
        assert.deepEqual(h.emulator.writes(), [], `cut at ${cut}`);
      } finally {
        await h.dispose();
      }
    }
  } finally {
    await clean.dispose();
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
    assert.ok(protection(h, "acme/app", "main"));
    // In the forge's (virtual) time: 404 until 5 s after the repo was made, then 200,
    // and the protection was written only after that.
    const log = h.emulator.requestLog();
    const at = (e: { time: string }) => Date.parse(e.time);
    const created = log.find((e) =>
      e.method === "POST" && e.path === "/api/v1/admin/users/acme/repos"
    )!;
    const probes = log.filter((e) => e.path === "/api/v1/repos/acme/app/branches/main");
    const visible = probes.findIndex((e) => e.status === 200);
    // Other steps sleep on the same virtual clock concurrently, so how many
    // probes fall inside the 5 s varies; at least the first one must miss.
    assert.ok(visible >= 1, `probes: ${probes.map((e) => e.status)}`);
    for (const probe of probes.slice(0, visible)) assert.equal(probe.status, 404);
    assert.ok(at(probes[visible]!) - at(created) >= 5000);
    const write = log.findIndex((e) =>
      e.method === "POST" && e.path === "/api/v1/repos/acme/app/branch_protections"
    );
    assert.ok(write > log.indexOf(probes[visible]!));
  } finally {
    await h.dispose();
  }
});

Deno.test("a branch that never appears: ERROR … security rules not applied, other steps done, exit 1", async () => {
  const h = await harness({ branchDelayMs: Number.POSITIVE_INFINITY });
  try {
    const result = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^ERROR: branch protection on acme\/app "main": .*security rules not applied$/m,
    );
    assert.match(result.stdout, /failed +protection acme\/app:main/);
    assert.match(result.stdout, /created +labels acme\/app/);
    assert.match(result.stdout, /created +identity architect-bot/);
    assert.match(result.stdout, /created +\.env/);
    assert.match(result.stdout, /created +project projects\/app.toml/);
    assert.equal(h.repo("acme/app").protections.length, 0);
    // The §5.2 schedule for each repo: 10 probes, 2+4+6+8+10×5 s apart (virtual time).
    for (const slug of ["acme/app", "disinto-admin/app-ops"]) {
      const probes = h.emulator.requestLog().filter((e) =>
        e.path === `/api/v1/repos/${slug}/branches/main`
      );
      assert.deepEqual(probes.map((e) => e.status), Array(10).fill(404), slug);
    }
    const schedule = [2, 4, 6, 8, 10, 10, 10, 10, 10].map((s) => s * 1000);
    assert.deepEqual(
      h.clock.slept.filter((ms) => ms >= 2000).sort((a, b) => a - b),
      [...schedule, ...schedule].sort((a, b) => a - b),
    );
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
    assert.equal(await tokenOwner(h, env.get("FORGE_TOKEN_DEV_QWEN")!), "dev-qwen");
    assert.ok(await passwordWorks(h, "dev-qwen", env.get("FORGE_PASS_DEV_QWEN")!));
    assert.equal(h.repo("acme/app").collaborators["dev-qwen"], "write");
    assert.equal(h.repo("disinto-admin/app-ops").collaborators["dev-qwen"], undefined);
    const toml = await readFile(join(h.root, "projects/app.toml"), "utf8");
    assert.match(toml, /^# my project\n/);
    assert.match(toml, /\[agents\.qwen\]\nforge_user = "dev-qwen"/);
  } finally {
    await h.dispose();
  }
});

Deno.test("collaborators are re-applied on every run", async () => {
  const h = await harness();
  try {
    assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
    await h.adminApi("DELETE", "/repos/acme/app/collaborators/dev-bot");
    await h.adminApi("PUT", "/repos/acme/app/collaborators/review-bot", { permission: "write" });
    const again = await h.run(["init", "acme/app", "--yes"]);
    assert.equal(again.code, 0, again.stderr);
    // dev-bot's collaboration is made again; review-bot's is brought back to read.
    assert.match(again.stdout, /^(created|updated) +identity dev-bot \(permissions\)$/m);
    assert.match(again.stdout, /^updated +identity review-bot \(permissions\)$/m);
    assert.match(again.stdout, /^unchanged +identity planner-bot$/m);
    assert.equal(h.repo("acme/app").collaborators["dev-bot"], "write");
    assert.equal(h.repo("acme/app").collaborators["review-bot"], "read");
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
    if (process.getuid?.() !== 0) {
      assert.equal(result.code, 2);
      assert.match(result.stderr, /cannot read project file/);
    }
    assert.deepEqual(h.emulator.requestLog(), []);
    await assert.rejects(readFile(join(h.root, ".env")));
  } finally {
    await h.dispose();
  }
});

/** A small deterministic PRNG (mulberry32), so the faults are the same on every run. */
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
