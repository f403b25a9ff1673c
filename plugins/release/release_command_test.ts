/**
 * `disinto release` in process against the Forgejo emulator: the project's
 * repository is pushed to it over git HTTP, file-URL mirrors are local bare
 * repositories (the SSH path is `git push`), a second emulator plays the
 * Codeberg mirror for the token path, and GitHub is a fetch answering like
 * its refs API.
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bareMirror, git, tagInBare } from "./testdata/emulated_forge.ts";
import { githubRefs } from "./testdata/github_refs.ts";
import {
  apiWrites,
  CODEBERG_URL,
  codebergEnv,
  forgeTag,
  outcomes,
  readRecord,
  release,
  setup,
} from "./testdata/release_setup.ts";

Deno.test("release tags the primary branch's head on the forge and pushes the tag to every file mirror", async () => {
  const s = await setup(2);
  try {
    const result = await release(s, ["v1.2.3"]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    // The repository is private: the tag fetch had to authenticate with the token.
    const refsReads = s.forge.emulator.requestLog()
      .filter((entry) => entry.path === "/acme/demo.git/info/refs");
    assert.deepEqual(refsReads.map((entry) => entry.status), [401, 200]);
    assert.deepEqual(await forgeTag(s.forge, "v1.2.3"), { commit: s.head, annotated: true });
    assert.equal(await s.forge.lsRemoteTag("v1.2.3"), s.head);
    assert.deepEqual(apiWrites(s.forge), ["POST /api/v1/repos/acme/demo/tags 201"]);
    for (const url of Object.values(s.mirrors)) {
      assert.equal(await tagInBare(url, "v1.2.3", s.env), s.head);
    }
    // The forge's annotated tag object itself arrived, not a new tag made locally.
    const objectInMirror = await git(
      ["--git-dir", s.mirrors.m1!.slice("file://".length), "rev-parse", "refs/tags/v1.2.3"],
      s.env,
    );
    const { body } = await s.forge.api("/repos/acme/demo/tags/v1.2.3");
    assert.equal(objectInMirror, (body as { id: string }).id);
    const record = await readRecord(s, "v1.2.3");
    assert.equal(record.version, "v1.2.3");
    assert.equal(record.repo, "acme/demo");
    assert.equal(record.sha, s.head);
    assert.deepEqual(outcomes(record), [["m1", "ssh", "pushed"], ["m2", "ssh", "pushed"]]);
    assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const short = s.head.slice(0, 12);
    assert.deepEqual(result.stdout.split("\n").filter(Boolean), [
      "ok   version: v1.2.3",
      "ok   credentials: mirrors: m1 (ssh), m2 (ssh)",
      `ok   forge: main is at ${short}; v1.2.3 is new`,
      `ok   tag: created v1.2.3 at ${short}`,
      "ok   mirrors: 2 push(es) done",
      "ok   record: state/releases/demo/v1.2.3.json",
      "skip vault: no ops_repo in the project",
      "ok   mirror m1 (ssh): pushed",
      "ok   mirror m2 (ssh): pushed",
    ]);
    const everything = result.stdout + result.stderr + JSON.stringify(record);
    assert.ok(!everything.includes(s.forge.token));
  } finally {
    await s.dispose();
  }
});

Deno.test("the tag is made at the current head, after a new commit is pushed", async () => {
  const s = await setup(1);
  try {
    const newer = await s.work.commit("commit 3");
    await s.work.pushTo(s.forge);
    assert.equal((await release(s, ["v0.1.0"])).code, 0);
    assert.deepEqual(await forgeTag(s.forge, "v0.1.0"), { commit: newer, annotated: true });
    assert.equal(await s.forge.lsRemoteTag("v0.1.0"), newer);
    assert.equal(await tagInBare(s.mirrors.m1!, "v0.1.0", s.env), newer);
    assert.equal((await readRecord(s, "v0.1.0")).sha, newer);
  } finally {
    await s.dispose();
  }
});

Deno.test("the tag follows the project's primary_branch, not the forge's default branch", async () => {
  const s = await setup(1);
  try {
    // `stable` stays at the first commit while main moves on.
    await git(["-C", s.work.dir, "branch", "stable", s.first], s.env);
    await s.work.pushTo(s.forge, "stable");
    const file = join(s.root, "projects", "demo.toml");
    const text = await readFile(file, "utf8");
    await writeFile(
      file,
      text.replace('repo = "acme/demo"\n', 'repo = "acme/demo"\nprimary_branch = "stable"\n'),
    );
    const result = await release(s, ["v0.2.0"]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(
      result.stdout,
      new RegExp(`^ok   forge: stable is at ${s.first.slice(0, 12)}; `, "m"),
    );
    assert.equal(await s.forge.lsRemoteTag("v0.2.0"), s.first);
    assert.equal(await tagInBare(s.mirrors.m1!, "v0.2.0", s.env), s.first);
  } finally {
    await s.dispose();
  }
});

Deno.test("a tag already at another commit stops the release in preflight: exit 1, no write, no mirror touched", async () => {
  const s = await setup(2);
  try {
    const codeberg = await s.codeberg();
    await s.project({ ...s.mirrors, codeberg: CODEBERG_URL });
    const made = await s.forge.api("/repos/acme/demo/tags", {
      method: "POST",
      body: JSON.stringify({ tag_name: "v1.0.0", target: s.first, message: "by hand" }),
    });
    assert.equal(made.status, 201);
    s.forge.emulator.clearRequestLog();
    const result = await release(s, ["v1.0.0"], codebergEnv(codeberg));
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `disinto: version v1.0.0: the tag already exists on acme/demo at ${
        s.first.slice(0, 12)
      }, not at ${s.head.slice(0, 12)} (main's head); expected a new version\n`,
    );
    assert.deepEqual(s.forge.emulator.writes(), []);
    assert.ok(!s.forge.emulator.requestLog().some((entry) => entry.path.includes(".git/")));
    assert.deepEqual(codeberg.emulator.requestLog(), []);
    for (const url of Object.values(s.mirrors)) {
      assert.equal(await tagInBare(url, "v1.0.0", s.env), null);
    }
    assert.equal(await s.forge.lsRemoteTag("v1.0.0"), s.first);
    assert.deepEqual(await readdir(s.root).then((names) => names.sort()), [".env", "projects"]);
  } finally {
    await s.dispose();
  }
});

Deno.test("one failing mirror: the others still get the tag, the record names it, exit 1", async () => {
  const s = await setup(2);
  try {
    const missing = `file://${join(s.dir, "no-such-dir", "gone.git")}`;
    await s.project({ m1: s.mirrors.m1!, broken: missing, m2: s.mirrors.m2! });
    const result = await release(s, ["v2.0.0"]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "release v2.0.0: 1 mirror push(es) failed: broken (ssh)\n");
    assert.equal(await s.forge.lsRemoteTag("v2.0.0"), s.head);
    assert.equal(await tagInBare(s.mirrors.m1!, "v2.0.0", s.env), s.head);
    assert.equal(await tagInBare(s.mirrors.m2!, "v2.0.0", s.env), s.head);
    const record = await readRecord(s, "v2.0.0");
    assert.deepEqual(outcomes(record), [
      ["m1", "ssh", "pushed"],
      ["broken", "ssh", "failed"],
      ["m2", "ssh", "pushed"],
    ]);
    // git's first `fatal:` line says why; its last line is generic advice.
    assert.match(
      record.mirrors[1].error,
      /^git push to file:.*gone\.git: fatal: '.*gone\.git' does not appear to be a git repository$/,
    );
    assert.match(result.stdout, /^FAIL mirror broken \(ssh\): git push to file:/m);
    // The step's summary reports a failure, so it is not marked ok.
    assert.match(result.stdout, /^FAIL mirrors: 1 of 3 push\(es\) failed$/m);
    assert.doesNotMatch(result.stdout, /^ok {3}mirrors:/m);
  } finally {
    await s.dispose();
  }
});

Deno.test("token path: a second emulator plays Codeberg; the tag is created there at the head", async () => {
  const s = await setup(1, { codeberg: CODEBERG_URL });
  try {
    const codeberg = await s.codeberg();
    const result = await release(s, ["v3.0.0"], codebergEnv(codeberg));
    assert.equal(result.code, 0, result.stderr + result.stdout);
    // One API call reached the mirror forge, as acme (the owner of CODEBERG_TOKEN).
    assert.deepEqual(
      codeberg.emulator.requestLog().map((e) => `${e.method} ${e.path} ${e.status} ${e.user}`),
      ["POST /api/v1/repos/acme/demo/tags 201 acme"],
    );
    assert.deepEqual(await forgeTag(codeberg, "v3.0.0"), { commit: s.head, annotated: true });
    assert.equal(await codeberg.lsRemoteTag("v3.0.0"), s.head);
    assert.equal(await tagInBare(s.mirrors.m1!, "v3.0.0", s.env), s.head);
    const record = await readRecord(s, "v3.0.0");
    assert.deepEqual(record.mirrors[1], {
      name: "codeberg",
      url: CODEBERG_URL,
      path: "token",
      result: "created",
    });
    assert.match(result.stdout, /^ok {3}mirror codeberg \(token\): created$/m);
    const everything = result.stdout + result.stderr + JSON.stringify(record);
    assert.ok(!everything.includes(codeberg.token) && !everything.includes(s.forge.token));
  } finally {
    await s.dispose();
  }
});

Deno.test("token path: the tag already on Codeberg at the same commit is unchanged", async () => {
  const s = await setup(0, { codeberg: CODEBERG_URL });
  try {
    const codeberg = await s.codeberg();
    const made = await codeberg.api("/repos/acme/demo/tags", {
      method: "POST",
      body: JSON.stringify({ tag_name: "v3.1.0", target: s.head, message: "pushed earlier" }),
    });
    assert.equal(made.status, 201);
    const result = await release(s, ["v3.1.0"], codebergEnv(codeberg));
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(outcomes(await readRecord(s, "v3.1.0")), [["codeberg", "token", "unchanged"]]);
  } finally {
    await s.dispose();
  }
});

Deno.test("a Codeberg mirror lacking the commit fails; the file mirror still gets the tag; exit 1", async () => {
  const s = await setup(1, { codeberg: CODEBERG_URL });
  try {
    const codeberg = await s.codeberg();
    // The mirror is behind: the new head was pushed to the project's forge only.
    const newer = await s.work.commit("commit 3");
    await s.work.pushTo(s.forge);
    const result = await release(s, ["v3.2.0"], codebergEnv(codeberg));
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "release v3.2.0: 1 mirror push(es) failed: codeberg (token)\n");
    assert.equal(await tagInBare(s.mirrors.m1!, "v3.2.0", s.env), newer);
    assert.equal(await codeberg.lsRemoteTag("v3.2.0"), null);
    const record = await readRecord(s, "v3.2.0");
    assert.deepEqual(outcomes(record), [["m1", "ssh", "pushed"], ["codeberg", "token", "failed"]]);
    assert.match(
      record.mirrors[1].error,
      /^POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/repos\/acme\/demo\/tags: HTTP 404 /,
    );
  } finally {
    await s.dispose();
  }
});

Deno.test("GitHub token path (refs API stand-in): the ref is created at the tagged commit", async () => {
  const s = await setup(0, { github: "https://github.com/acme/demo.git" });
  try {
    const base = "https://api.github.test";
    const gh = githubRefs({
      base,
      repo: "acme/demo",
      token: "ghp_release_token_1",
      commits: [s.head],
    });
    const fetcher = ((input: string | URL | Request, init?: RequestInit) =>
      String(input).startsWith(base)
        ? gh.fetch(input, init)
        : fetch(input, init)) as typeof fetch;
    const result = await release(s, ["v5.0.0"], {
      GITHUB_TOKEN: "ghp_release_token_1",
      DISINTO_MIRROR_API_GITHUB: base,
    }, fetcher);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual([...gh.refs], [["refs/tags/v5.0.0", s.head]]);
    assert.deepEqual(outcomes(await readRecord(s, "v5.0.0")), [["github", "token", "created"]]);
    assert.ok(!result.stdout.includes("ghp_release_token_1"));
  } finally {
    await s.dispose();
  }
});

Deno.test("--mirrors token without the mirror's token is bad input before any request", async () => {
  const s = await setup(0, { codeberg: CODEBERG_URL });
  try {
    const result = await release(s, ["v1.0.0", "--mirrors", "token"]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "disinto: CODEBERG_TOKEN: not set; expected it in the environment or .env for mirror codeberg\n",
    );
    assert.deepEqual(s.forge.emulator.requestLog(), []);
  } finally {
    await s.dispose();
  }
});

Deno.test("--dry-run shows every step, sends no write request and writes no file", async () => {
  const s = await setup(2, { codeberg: CODEBERG_URL });
  try {
    const codeberg = await s.codeberg();
    const result = await release(s, ["v1.2.3", "--dry-run"], codebergEnv(codeberg));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(s.forge.emulator.writes(), []);
    assert.deepEqual(
      s.forge.emulator.requestLog().map((e) => `${e.method} ${e.path} ${e.status}`),
      [
        "GET /api/v1/repos/acme/demo/tags/v1.2.3 404",
        "GET /api/v1/repos/acme/demo/branches/main 200",
      ],
    );
    assert.deepEqual(codeberg.emulator.requestLog(), []);
    for (const step of ["version", "credentials", "forge", "tag", "mirrors", "record"]) {
      assert.match(result.stdout, new RegExp(`^(ok  |skip) ${step}: `, "m"));
    }
    assert.match(
      result.stdout,
      new RegExp(`^skip tag: dry run: would tag ${s.head.slice(0, 12)} as v1\\.2\\.3$`, "m"),
    );
    assert.match(
      result.stdout,
      /^skip mirrors: dry run: would push to m1 by ssh to file:.*codeberg by token to https:\/\/codeberg\.org\/acme\/demo\.git$/m,
    );
    assert.equal(await forgeTag(s.forge, "v1.2.3"), null);
    assert.equal(await codeberg.lsRemoteTag("v1.2.3"), null);
    for (const url of Object.values(s.mirrors)) {
      assert.equal(await tagInBare(url, "v1.2.3", s.env), null);
    }
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
      assert.equal(
        result.stderr,
        `disinto: version ${JSON.stringify(version)}: expected vMAJOR.MINOR.PATCH, e.g. v1.2.3\n`,
      );
      assert.equal(result.stdout, "");
    }
    const mode = await release(s, ["v1.0.0", "--mirrors", "https"]);
    assert.equal(mode.code, 2);
    assert.equal(mode.stderr.split("\n").filter(Boolean).length, 1);
    assert.match(mode.stderr, /--mirrors "https": expected token, ssh or both/);
    assert.deepEqual(s.forge.emulator.requestLog(), []);
    assert.deepEqual(await readdir(s.root).then((names) => names.sort()), [".env", "projects"]);
    assert.equal(await tagInBare(s.mirrors.m1!, "v1.0.0", s.env), null);
  } finally {
    await s.dispose();
  }
});

Deno.test("the ssh path honours GIT_SSH_COMMAND for ssh:// and git@ mirrors", async () => {
  const s = await setup(0);
  try {
    const bare = join(s.dir, "mirrors", "over-ssh.git");
    await bareMirror(bare, s.env);
    // A stand-in for ssh: runs the remote command (its last argument) locally and logs the host.
    const fakeSsh = join(s.dir, "fake-ssh");
    const sshLog = join(s.dir, "ssh.log");
    await writeFile(
      fakeSsh,
      `#!/bin/sh\nfor last; do :; done\necho "$@" >> "${sshLog}"\nexec sh -c "$last"\n`,
      { mode: 0o755 },
    );
    await s.project({ scp: `git@mirror.invalid:${bare}`, url: `ssh://git@other.invalid${bare}` });
    const result = await release(s, ["v4.0.0"], { GIT_SSH_COMMAND: fakeSsh });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(await tagInBare(`file://${bare}`, "v4.0.0", s.env), s.head);
    const calls = await readFile(sshLog, "utf8");
    assert.match(calls, /git@mirror\.invalid git-receive-pack/);
    assert.match(calls, /git@other\.invalid git-receive-pack/);
    assert.deepEqual(outcomes(await readRecord(s, "v4.0.0")), [
      ["scp", "ssh", "pushed"],
      ["url", "ssh", "pushed"],
    ]);
  } finally {
    await s.dispose();
  }
});
