/**
 * `disinto forge emulate` on the compiled binary: prints its URL, answers
 * like Forgejo, serves git over HTTP, writes the request log without
 * credentials, keeps state across a restart with --state, and exits 0 on
 * SIGTERM.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "../helpers/binary.ts";
import { startChild } from "../helpers/child.ts";

async function startEmulate(args: string[]) {
  const child = startChild(requireBinary(), ["forge", "emulate", "--port", "0", ...args]);
  const line = await child.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000);
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
  await child.waitForLine(/^admin: /, 10_000);
  return { child, url };
}

const basic = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`;

Deno.test("forge emulate on the binary: URL, Forgejo answers, git push, request log, state across restart, SIGTERM exit 0", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-emulate-e2e-"));
  const state = join(dir, "state");
  const log = join(dir, "requests.jsonl");
  const args = ["--state", state, "--admin-pass", "s3cret-admin-pass", "--request-log", log];
  try {
    let { child, url } = await startEmulate(args);
    assert.match(child.output().stdout, /admin: disinto-admin, password from --admin-pass/);
    assert.doesNotMatch(child.output().stdout, /s3cret-admin-pass/);
    const admin = basic("disinto-admin", "s3cret-admin-pass");
    const version = await fetch(`${url}/api/v1/version`);
    assert.deepEqual(await version.json(), { version: "11.0.1+gitea-1.22.0" });
    const wrong = await fetch(`${url}/api/v1/version`, {
      headers: { authorization: basic("disinto-admin", "nope") },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const created = await fetch(`${url}/api/v1/admin/users/disinto-admin/repos`, {
      method: "POST",
      headers: { authorization: admin, "content-type": "application/json" },
      body: JSON.stringify({ name: "demo", auto_init: true }),
    });
    assert.equal(created.status, 201);
    await created.body?.cancel();

    const work = join(dir, "clone");
    const auth = new URL(url);
    auth.username = "disinto-admin";
    auth.password = "s3cret-admin-pass";
    const git = (...a: string[]) =>
      spawnSync("git", a, {
        env: {
          PATH: process.env.PATH,
          GIT_CONFIG_NOSYSTEM: "1",
          HOME: dir,
          GIT_TERMINAL_PROMPT: "0",
        },
      });
    assert.equal(git("clone", "-q", `${auth}disinto-admin/demo.git`, work).status, 0);
    assert.equal(git("-C", work, "push", "-q", "origin", "HEAD:refs/heads/feature").status, 0);
    const branch = await fetch(`${url}/api/v1/repos/disinto-admin/demo/branches/feature`, {
      headers: { authorization: admin },
    });
    assert.equal(branch.status, 200);
    await branch.body?.cancel();

    await child.stop("SIGTERM");
    assert.deepEqual(await child.exited, { code: 0, signal: null }, JSON.stringify(child.output()));

    // Restart on the same state: the repo, its pushed branch and the admin login survive.
    ({ child, url } = await startEmulate(["--state", state, "--request-log", log]));
    assert.match(child.output().stdout, /password kept from/);
    const again = await fetch(`${url}/api/v1/repos/disinto-admin/demo/branches/feature`, {
      headers: { authorization: admin },
    });
    assert.equal(again.status, 200);
    await again.body?.cancel();
    await child.stop("SIGTERM");
    assert.deepEqual(await child.exited, { code: 0, signal: null }, JSON.stringify(child.output()));

    const entries = (await readFile(log, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(
      entries.some((e) =>
        e.method === "POST" && e.path === "/api/v1/admin/users/disinto-admin/repos" &&
        e.status === 201 && e.user === "disinto-admin"
      ),
    );
    assert.ok(entries.some((e) => e.path.endsWith("/git-receive-pack")));
    const text = await readFile(log, "utf8");
    assert.ok(!text.includes("s3cret-admin-pass"), "no credential in the request log");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("forge emulate on the binary: a bad --fault-rate is exit 2 with one line", () => {
  const result = spawnSync(requireBinary(), ["forge", "emulate", "--fault-rate", "2"], {
    encoding: "utf8",
  });
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /fault-rate/);
});
