/**
 * `disinto release` in process against a served forge stand-in (API plus git
 * over HTTP) and a second instance playing Codeberg; mirrors are local bare
 * repositories reached by file URLs (the SSH path is `git push`).
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { testContext } from "../../core/context.ts";
import { runCli } from "../../core/cli/run.ts";
import { plugins } from "../mod.ts";
import { type FakeForge, git, startFakeForge } from "./testdata/fake_forge.ts";

interface Setup {
  forge: FakeForge;
  root: string;
  head: string;
  mirrors: Record<string, string>;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A factory root with one project whose [mirrors] are `count` local bare repos (+ extras). */
async function setup(count: number, extra: Record<string, string> = {}): Promise<Setup> {
  const forge = await startFakeForge();
  const head = await forge.createRepo("acme/demo");
  const root = join(forge.dir, "factory");
  await mkdir(join(root, "projects"), { recursive: true });
  const mirrors: Record<string, string> = {};
  for (let index = 1; index <= count; index++) {
    const path = join(forge.dir, "mirrors", `m${index}.git`);
    await git(["init", "--quiet", "--bare", path], forge.env);
    mirrors[`m${index}`] = `file://${path}`;
  }
  Object.assign(mirrors, extra);
  const table = Object.entries(mirrors).map(([name, url]) => `${name} = "${url}"`).join("\n");
  await writeFile(
    join(root, "projects", "demo.toml"),
    `name = "demo"\nrepo = "acme/demo"\nforge_url = "${forge.url}"\n\n[mirrors]\n${table}\n`,
  );
  await writeFile(join(root, ".env"), `FORGE_TOKEN=${forge.token}\n`);
  return { forge, root, head, mirrors, env: { ...forge.env }, dispose: () => forge.dispose() };
}

async function release(s: Setup, args: string[], env: Record<string, string> = {}) {
  const context = testContext({
    argv: ["--root", s.root, "release", ...args],
    cwd: s.root,
    env: { ...s.env, ...env },
  });
  const code = await runCli(context, plugins);
  return { code, stdout: context.stdout.text, stderr: context.stderr.text };
}

const tagIn = (s: Setup, url: string, tag: string) =>
  git([
    "--git-dir",
    url.slice("file://".length),
    "rev-parse",
    "--verify",
    "--quiet",
    `${tag}^{commit}`,
  ], s.env)
    .catch(() => null);

const writes = (s: Setup) => s.forge.log.filter((entry) => entry.method !== "GET");

Deno.test("release tags the primary branch's head and pushes the tag to every file mirror", async () => {
  const s = await setup(2);
  try {
    const result = await release(s, ["v1.2.3"]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(await s.forge.tagCommit("acme/demo", "v1.2.3"), s.head);
    for (const url of Object.values(s.mirrors)) assert.equal(await tagIn(s, url, "v1.2.3"), s.head);
    // The annotated tag object itself arrived, not just a ref to the commit.
    const type = await git(
      ["--git-dir", s.mirrors.m1!.slice(7), "cat-file", "-t", "v1.2.3"],
      s.env,
    );
    assert.equal(type, "tag");
    const record = JSON.parse(await readFile(join(s.root, "state/releases/v1.2.3.json"), "utf8"));
    assert.equal(record.version, "v1.2.3");
    assert.equal(record.sha, s.head);
    assert.deepEqual(
      record.mirrors.map((
        m: { name: string; path: string; result: string },
      ) => [m.name, m.path, m.result]),
      [["m1", "ssh", "pushed"], ["m2", "ssh", "pushed"]],
    );
    assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT/);
    assert.ok(
      !result.stdout.includes(s.forge.token) && !JSON.stringify(record).includes(s.forge.token),
    );
    // The token reached git through the credential helper: the git fetch was authenticated.
    assert.ok(
      s.forge.log.some((entry) => entry.path.endsWith("/info/refs") && entry.status === 200),
    );
  } finally {
    await s.dispose();
  }
});

Deno.test("the tag is made at the current head, after new commits", async () => {
  const s = await setup(1);
  try {
    const newer = await s.forge.commit("acme/demo", "commit 3");
    assert.notEqual(newer, s.head);
    assert.equal((await release(s, ["v0.1.0"])).code, 0);
    assert.equal(await s.forge.tagCommit("acme/demo", "v0.1.0"), newer);
  } finally {
    await s.dispose();
  }
});

Deno.test("an existing tag stops the release in preflight: exit 2, no write, no mirror touched", async () => {
  const s = await setup(2);
  try {
    assert.equal((await release(s, ["v1.0.0"])).code, 0);
    await s.forge.commit("acme/demo", "later");
    s.forge.log.length = 0;
    const m3 = join(s.forge.dir, "mirrors", "fresh.git");
    await git(["init", "--quiet", "--bare", m3], s.env);
    await writeFile(
      join(s.root, "projects", "demo.toml"),
      `name = "demo"\nrepo = "acme/demo"\nforge_url = "${s.forge.url}"\n[mirrors]\nfresh = "file://${m3}"\n`,
    );
    const result = await release(s, ["v1.0.0"]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^disinto: version v1\.0\.0: the tag already exists on acme\/demo at [0-9a-f]{12}; /,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.deepEqual(writes(s), []);
    assert.equal(await tagIn(s, `file://${m3}`, "v1.0.0"), null);
    assert.ok(!s.forge.log.some((entry) => entry.path.endsWith(".git/info/refs")));
  } finally {
    await s.dispose();
  }
});

Deno.test("one failing mirror: the others still get the tag, the record names it, exit 1", async () => {
  const s = await setup(2);
  try {
    const missing = `file://${join(s.forge.dir, "no-such-dir", "gone.git")}`;
    await writeFile(
      join(s.root, "projects", "demo.toml"),
      `name = "demo"\nrepo = "acme/demo"\nforge_url = "${s.forge.url}"\n[mirrors]\n` +
        `m1 = "${s.mirrors.m1}"\nbroken = "${missing}"\nm2 = "${s.mirrors.m2}"\n`,
    );
    const result = await release(s, ["v2.0.0"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^release v2\.0\.0: 1 mirror push\(es\) failed: broken \(ssh\)\n$/);
    assert.equal(await tagIn(s, s.mirrors.m1!, "v2.0.0"), s.head);
    assert.equal(await tagIn(s, s.mirrors.m2!, "v2.0.0"), s.head);
    const record = JSON.parse(await readFile(join(s.root, "state/releases/v2.0.0.json"), "utf8"));
    const broken = record.mirrors.find((m: { name: string }) => m.name === "broken");
    assert.equal(broken.result, "failed");
    assert.match(broken.error, /git push to file:.*gone\.git/);
    assert.match(result.stdout, /FAIL mirror broken \(ssh\)/);
  } finally {
    await s.dispose();
  }
});

Deno.test("token path: a second forge plays Codeberg; the tag is created there by API", async () => {
  const codeberg = await startFakeForge("codeberg-token-abcdef123");
  const s = await setup(1, { codeberg: "https://codeberg.org/acme/demo.git" });
  try {
    await codeberg.copyRepo(s.forge, "acme/demo");
    const env = {
      CODEBERG_TOKEN: codeberg.token,
      DISINTO_MIRROR_API_CODEBERG: `${codeberg.url}/api/v1`,
    };
    const result = await release(s, ["v3.0.0"], env);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(await codeberg.tagCommit("acme/demo", "v3.0.0"), s.head);
    assert.deepEqual(codeberg.log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`), [
      "POST /api/v1/repos/acme/demo/tags 201",
    ]);
    assert.equal(await tagIn(s, s.mirrors.m1!, "v3.0.0"), s.head);
    const record = await readFile(join(s.root, "state/releases/v3.0.0.json"), "utf8");
    assert.match(
      record,
      /"name": "codeberg",\s+"url": "https:\/\/codeberg\.org\/acme\/demo\.git",\s+"path": "token",\s+"result": "created"/,
    );
    assert.ok(!record.includes(codeberg.token) && !result.stdout.includes(codeberg.token));
  } finally {
    await s.dispose();
    await codeberg.dispose();
  }
});

Deno.test("--mirrors token without the mirror's token is bad input before any request", async () => {
  const s = await setup(0, { codeberg: "https://codeberg.org/acme/demo.git" });
  try {
    const result = await release(s, ["v1.0.0", "--mirrors", "token"]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^disinto: CODEBERG_TOKEN: not set; expected it in the environment or \.env/,
    );
    assert.deepEqual(s.forge.log, []);
  } finally {
    await s.dispose();
  }
});

Deno.test("--dry-run shows every step, sends no write request and writes no file", async () => {
  const s = await setup(2);
  try {
    const result = await release(s, ["v1.2.3", "--dry-run"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(writes(s), []);
    assert.ok(s.forge.log.length > 0);
    for (const step of ["version", "credentials", "forge", "tag", "mirrors", "record"]) {
      assert.match(result.stdout, new RegExp(`^(ok  |skip) ${step}: `, "m"));
    }
    assert.match(result.stdout, /^skip tag: dry run: would tag [0-9a-f]{12} as v1\.2\.3$/m);
    assert.equal(await s.forge.tagCommit("acme/demo", "v1.2.3"), null);
    for (const url of Object.values(s.mirrors)) assert.equal(await tagIn(s, url, "v1.2.3"), null);
    assert.deepEqual(await readdir(s.root).then((names) => names.sort()), [".env", "projects"]);
  } finally {
    await s.dispose();
  }
});

Deno.test("bad versions and a bad --mirrors exit 2 with one line and nothing sent", async () => {
  const s = await setup(1);
  try {
    for (const version of ["1.2.3", "v1.2", "v1.2.3-rc1", ""]) {
      const result = await release(s, [version]);
      assert.equal(result.code, 2, version);
      assert.equal(result.stderr.trim().split("\n").length, 1);
      assert.match(result.stderr, /version ".*": expected vMAJOR\.MINOR\.PATCH/);
      assert.equal(result.stdout, "");
    }
    const mode = await release(s, ["v1.0.0", "--mirrors", "https"]);
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /--mirrors "https": expected token, ssh or both/);
    assert.deepEqual(s.forge.log, []);
    assert.deepEqual(await readdir(s.root).then((names) => names.sort()), [".env", "projects"]);
  } finally {
    await s.dispose();
  }
});

Deno.test("the ssh path honours GIT_SSH_COMMAND for ssh:// and git@ mirrors", async () => {
  const s = await setup(0);
  try {
    const bare = join(s.forge.dir, "mirrors", "over-ssh.git");
    await git(["init", "--quiet", "--bare", bare], s.env);
    // A stand-in for ssh: runs the remote command (its last argument) locally and logs the host.
    const fakeSsh = join(s.forge.dir, "fake-ssh");
    const sshLog = join(s.forge.dir, "ssh.log");
    await writeFile(
      fakeSsh,
      `#!/bin/sh\nfor last; do :; done\necho "$@" >> "${sshLog}"\nexec sh -c "$last"\n`,
      { mode: 0o755 },
    );
    await writeFile(
      join(s.root, "projects", "demo.toml"),
      `name = "demo"\nrepo = "acme/demo"\nforge_url = "${s.forge.url}"\n[mirrors]\n` +
        `scp = "git@mirror.invalid:${bare}"\nurl = "ssh://git@other.invalid${bare}"\n`,
    );
    const result = await release(s, ["v4.0.0"], { GIT_SSH_COMMAND: fakeSsh });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(await tagIn(s, `file://${bare}`, "v4.0.0"), s.head);
    const calls = await readFile(sshLog, "utf8");
    assert.match(calls, /git@mirror\.invalid git-receive-pack/);
    assert.match(calls, /git@other\.invalid git-receive-pack/);
  } finally {
    await s.dispose();
  }
});
