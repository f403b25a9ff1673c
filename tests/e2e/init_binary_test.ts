/**
 * `disinto init` end to end on the compiled binary against a forge served on
 * 127.0.0.1: idempotent re-run, and convergence after SIGKILL at several
 * moments (.env never truncated or half-written).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import type { FakeForge } from "../integration/fake_forge.ts";
import { serveFakeForge } from "../integration/served_forge.ts";

const ADMIN_PASS = "admin-pass-123";

function envFor(url: string): Record<string, string> {
  return {
    PATH: "/usr/bin:/bin",
    HOME: "/nonexistent",
    FORGE_URL: url,
    FORGE_ADMIN_PASS: ADMIN_PASS,
  };
}

function endState(forge: FakeForge) {
  return {
    repos: [...forge.repos.entries()].sort().map(([slug, repo]) => ({
      slug,
      labels: repo.labels.map((l) => `${l.name}:${l.color}`).sort(),
      collaborators: [...repo.collaborators.entries()].sort(),
      protections: [...repo.protections.entries()].sort().map(([k, v]) =>
        `${k}:${v.enable_push}:${v.required_approvals}:${
          JSON.stringify(v.merge_whitelist_usernames)
        }`
      ),
    })),
    users: [...forge.users.keys()].sort(),
    tokens: forge.tokens.map((t) => `${t.user}:${t.name}`).sort(),
  };
}

Deno.test("binary: a second init changes nothing and sends only GET requests", async () => {
  requireBinary();
  const served = await serveFakeForge({ adminPass: ADMIN_PASS });
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-init-"));
  try {
    const first = await runBinary(["--root", root, "init", "acme/app", "--yes"], {
      env: envFor(served.url),
    });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const env = await readFile(join(root, ".env"), "utf8");
    const toml = await readFile(join(root, "projects/app.toml"), "utf8");
    served.forge.log = [];
    const second = await runBinary(["--root", root, "init", "acme/app", "--yes"], {
      env: envFor(served.url),
    });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(served.forge.writes(), []);
    assert.equal(await readFile(join(root, ".env"), "utf8"), env);
    assert.equal(await readFile(join(root, "projects/app.toml"), "utf8"), toml);
    for (const line of second.stdout.trim().split("\n").slice(0, -1)) {
      assert.match(line, /^unchanged /);
    }
  } finally {
    await served.dispose();
    await rm(root, { recursive: true, force: true });
  }
});

/** Start init and SIGKILL it after `ms`; resolves when it is gone. */
function killAfter(root: string, url: string, ms: number): Promise<void> {
  const child = spawn(requireBinary(), ["--root", root, "init", "acme/app", "--yes"], {
    env: envFor(url),
    stdio: "ignore",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  return new Promise((resolve) =>
    child.on("close", () => {
      clearTimeout(timer);
      resolve();
    })
  );
}

Deno.test("binary: init killed with SIGKILL at several moments converges when re-run", async () => {
  requireBinary();
  const reference = await serveFakeForge({ adminPass: ADMIN_PASS });
  const referenceRoot = await mkdtemp(join(tmpdir(), "disinto-e2e-ref-"));
  const served = await serveFakeForge({ adminPass: ADMIN_PASS });
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-kill-"));
  try {
    const started = performance.now();
    const clean = await runBinary(["--root", referenceRoot, "init", "acme/app", "--yes"], {
      env: envFor(reference.url),
    });
    assert.equal(clean.code, 0, clean.stderr);
    const fullRunMs = performance.now() - started;
    const referenceKeys = [...parseEnv(await readFile(join(referenceRoot, ".env"), "utf8")).keys()]
      .sort();
    // Bounded: 6 kills spread over a full run's duration (one at a random
    // moment), then one run to completion.
    const fractions = [0.15, 0.3, 0.45, 0.6, 0.75, 0.1 + Math.random() * 0.8];
    let interrupted = 0;
    for (const fraction of fractions) {
      const ms = Math.round(fullRunMs * fraction);
      await killAfter(root, served.url, ms);
      const partial = JSON.stringify(endState(served.forge)) !==
        JSON.stringify(endState(reference.forge));
      if (partial) interrupted++;
      const names = await readdir(root);
      if (names.includes(".env")) {
        const text = await readFile(join(root, ".env"), "utf8");
        assert.ok(text === "" || text.endsWith("\n"), `.env cut short after ${ms} ms`);
        for (const line of text.split("\n").filter(Boolean)) assert.match(line, /^[A-Z_]+=\S+$/);
      }
    }
    assert.ok(interrupted > 0, "no kill landed mid-run");
    const final = await runBinary(["--root", root, "init", "acme/app", "--yes"], {
      env: envFor(served.url),
    });
    assert.equal(final.code, 0, final.stderr + final.stdout);
    assert.deepEqual(endState(served.forge), endState(reference.forge));
    const env = parseEnv(await readFile(join(root, ".env"), "utf8"));
    assert.deepEqual([...env.keys()].sort(), referenceKeys);
    for (const [key, value] of env) {
      if (/TOKEN/.test(key)) assert.ok(served.forge.tokens.some((t) => t.secret === value), key);
    }
  } finally {
    await reference.dispose();
    await served.dispose();
    await rm(root, { recursive: true, force: true });
    await rm(referenceRoot, { recursive: true, force: true });
  }
});

Deno.test("binary: a primary branch visible only after 5 s gets its protection after the backoff", async () => {
  requireBinary();
  const served = await serveFakeForge({ adminPass: ADMIN_PASS, branchDelayMs: 5000 });
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-branch-"));
  try {
    const result = await runBinary(["--root", root, "init", "acme/app", "--yes"], {
      env: envFor(served.url),
      timeoutMs: 20_000,
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    // One progress line per attempt while waiting (not a TTY): 2 s, then 4 s.
    assert.match(
      result.stderr,
      /waiting for branch "main" of acme\/app \(attempt 1\/10, next in 2 s\)/,
    );
    assert.match(
      result.stderr,
      /waiting for branch "main" of acme\/app \(attempt 2\/10, next in 4 s\)/,
    );
    assert.ok(served.forge.repos.get("acme/app")!.protections.has("main"));
    assert.ok(served.forge.repos.get("disinto-admin/app-ops")!.protections.has("main"));
  } finally {
    await served.dispose();
    await rm(root, { recursive: true, force: true });
  }
});

Deno.test("binary: with 20 % of answers failing, init converges to the fault-free end state", async () => {
  requireBinary();
  const reference = await serveFakeForge({ adminPass: ADMIN_PASS });
  const served = await serveFakeForge({ adminPass: ADMIN_PASS, faultRate: 0.2 });
  const referenceRoot = await mkdtemp(join(tmpdir(), "disinto-e2e-ref-"));
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-fault-"));
  try {
    assert.equal(
      (await runBinary(["--root", referenceRoot, "init", "acme/app", "--yes"], {
        env: envFor(reference.url),
      })).code,
      0,
    );
    const result = await runBinary(["--root", root, "init", "acme/app", "--yes"], {
      env: envFor(served.url),
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.ok(served.forge.log.some((r) => r.status === 0 || r.status >= 500), "faults happened");
    assert.deepEqual(endState(served.forge), endState(reference.forge));
  } finally {
    await reference.dispose();
    await served.dispose();
    await rm(root, { recursive: true, force: true });
    await rm(referenceRoot, { recursive: true, force: true });
  }
});
