/**
 * The release's API calls: the project forge and the Forgejo/Codeberg token
 * path against the Forgejo emulator; the GitHub token path against a fetch
 * answering like GitHub's refs API (no emulator plays GitHub).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError, forgejoForge, pushTagByToken } from "./api.ts";
import type { MirrorApi } from "./mirrors.ts";
import {
  type EmulatedForge,
  gitEnv,
  REPO,
  startEmulatedForge,
  type WorkTree,
  workTree,
} from "./testdata/emulated_forge.ts";
import { githubRefs } from "./testdata/github_refs.ts";

interface Bench {
  forge: EmulatedForge;
  work: WorkTree;
  env: Record<string, string>;
  /** The commits pushed to the forge, oldest first. */
  commits: string[];
  dispose(): Promise<void>;
}

async function bench(): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-release-api-"));
  const env = gitEnv(dir);
  const forge = await startEmulatedForge(env);
  const work = await workTree(join(dir, "work"), env);
  const commits = [await work.commit("first"), await work.commit("second")];
  await work.pushTo(forge);
  forge.emulator.clearRequestLog();
  return {
    forge,
    work,
    env,
    commits,
    async dispose() {
      await forge.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const forgejoApi = (forge: EmulatedForge): MirrorApi => ({
  flavor: "forgejo",
  base: `${forge.url}/api/v1`,
  tokenKey: "CODEBERG_TOKEN",
  owner: "acme",
  repo: "demo",
});

Deno.test("project forge on the emulator: branch head, no tag yet, annotated tag at the head", async () => {
  const b = await bench();
  try {
    const forge = forgejoForge(b.forge.url, b.forge.token, fetch);
    const head = b.commits[1]!;
    assert.equal(await forge.branchHead(REPO, "main"), head);
    assert.equal(await forge.branchHead(REPO, "no-such-branch"), null);
    assert.equal(await forge.tagCommit(REPO, "v1.0.0"), null);
    assert.equal(await forge.createTag(REPO, "v1.0.0", head, "Release v1.0.0"), head);
    assert.equal(await forge.tagCommit(REPO, "v1.0.0"), head);
    const tag = await b.forge.api("/repos/acme/demo/tags/v1.0.0");
    const body = tag.body as { id: string; message: string; commit: { sha: string } };
    assert.equal(body.commit.sha, head);
    // Annotated: the tag object is not the commit, and it carries the message.
    assert.notEqual(body.id, head);
    assert.match(body.message, /^Release v1\.0\.0/);
    assert.equal(await b.forge.lsRemoteTag("v1.0.0"), head);
  } finally {
    await b.dispose();
  }
});

Deno.test("Forgejo token path on the emulator: created, then unchanged at the same commit", async () => {
  const b = await bench();
  try {
    const api = forgejoApi(b.forge);
    const head = b.commits[1]!;
    const push = () => pushTagByToken(api, b.forge.token, "v1.0.0", head, "Release v1.0.0", fetch);
    assert.equal(await push(), "created");
    assert.equal(await b.forge.lsRemoteTag("v1.0.0"), head);
    // API writes only: git's ls-remote (protocol v2) reads with a POST to git-upload-pack.
    const writes = () =>
      b.forge.emulator.writes().filter((e) => e.path.startsWith("/api/"))
        .map((e) => `${e.method} ${e.path} ${e.status} ${e.user}`);
    assert.deepEqual(writes(), ["POST /api/v1/repos/acme/demo/tags 201 acme"]);
    assert.equal(await push(), "unchanged");
    assert.deepEqual(writes(), [
      "POST /api/v1/repos/acme/demo/tags 201 acme",
      "POST /api/v1/repos/acme/demo/tags 409 acme",
    ]);
  } finally {
    await b.dispose();
  }
});

Deno.test("Forgejo token path on the emulator: a tag at another commit or a missing commit fails", async () => {
  const b = await bench();
  try {
    const api = forgejoApi(b.forge);
    const [first, head] = b.commits as [string, string];
    const made = await b.forge.api("/repos/acme/demo/tags", {
      method: "POST",
      body: JSON.stringify({ tag_name: "v2.0.0", target: first, message: "old" }),
    });
    assert.equal(made.status, 201);
    await assert.rejects(
      pushTagByToken(api, b.forge.token, "v2.0.0", head, "Release v2.0.0", fetch),
      (error: unknown) =>
        error instanceof ApiError && error.status === 409 && /another commit/.test(error.message),
    );
    const unknown = "0123456789abcdef0123456789abcdef01234567";
    await assert.rejects(
      pushTagByToken(api, b.forge.token, "v3.0.0", unknown, "Release v3.0.0", fetch),
      (error: unknown) => error instanceof ApiError && error.status === 404,
    );
    assert.equal(await b.forge.lsRemoteTag("v3.0.0"), null);
  } finally {
    await b.dispose();
  }
});

Deno.test("token path errors name method, URL and status, never the token", async () => {
  const b = await bench();
  const api = forgejoApi(b.forge);
  const head = b.commits[1]!;
  try {
    const readOnly = await b.forge.newToken("read-only", ["read:repository"]);
    await assert.rejects(
      pushTagByToken(api, readOnly, "v1.0.0", head, "m", fetch),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(
          error.message,
          `POST ${api.base}/repos/acme/demo/tags: HTTP 403 (token does not have at least one of required scope(s): [write:repository])`,
        );
        assert.ok(!error.message.includes(readOnly));
        return true;
      },
    );
    const wrong = "f".repeat(40);
    await assert.rejects(
      pushTagByToken(api, wrong, "v1.0.0", head, "m", fetch),
      (error: unknown) =>
        error instanceof ApiError && error.status === 401 && !error.message.includes(wrong),
    );
  } finally {
    await b.dispose();
  }
  // The emulator is gone: the port refuses the connection.
  await assert.rejects(
    pushTagByToken(api, b.forge.token, "v1.0.0", head, "m", fetch),
    (error: unknown) => error instanceof ApiError && /: no answer \(/.test(error.message),
  );
});

const SHA = "a".repeat(40);
const OTHER = "b".repeat(40);
const GITHUB_TOKEN = "ghp_secret_value_123";
const github: MirrorApi = {
  flavor: "github",
  base: "https://api.github.test",
  tokenKey: "GITHUB_TOKEN",
  owner: "acme",
  repo: "demo",
};
const githubFor = (commits: string[]) =>
  githubRefs({ base: github.base, repo: "acme/demo", token: GITHUB_TOKEN, commits });

Deno.test("GitHub token path: creates refs/tags/<v> at the SHA; the same again is unchanged", async () => {
  const gh = githubFor([SHA]);
  const push = () => pushTagByToken(github, GITHUB_TOKEN, "v1.0.0", SHA, "m", gh.fetch);
  assert.equal(await push(), "created");
  assert.deepEqual([...gh.refs], [["refs/tags/v1.0.0", SHA]]);
  assert.equal(await push(), "unchanged");
  assert.deepEqual(gh.seen, [
    "POST /repos/acme/demo/git/refs",
    "POST /repos/acme/demo/git/refs",
    "GET /repos/acme/demo/git/ref/tags/v1.0.0",
  ]);
});

Deno.test("GitHub token path: a ref at another commit, a missing commit or a bad token fails", async () => {
  const gh = githubFor([SHA, OTHER]);
  gh.refs.set("refs/tags/v1.0.0", OTHER);
  await assert.rejects(
    pushTagByToken(github, GITHUB_TOKEN, "v1.0.0", SHA, "m", gh.fetch),
    (error: unknown) => error instanceof ApiError && error.status === 422,
  );
  assert.equal(gh.refs.get("refs/tags/v1.0.0"), OTHER);
  const missing = "c".repeat(40);
  await assert.rejects(
    pushTagByToken(github, GITHUB_TOKEN, "v2.0.0", missing, "m", gh.fetch),
    (error: unknown) => error instanceof ApiError && error.status === 422,
  );
  assert.equal(gh.refs.has("refs/tags/v2.0.0"), false);
  await assert.rejects(
    pushTagByToken(github, "ghp_wrong_token_456", "v2.0.0", SHA, "m", gh.fetch),
    (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(
        error.message,
        "POST https://api.github.test/repos/acme/demo/git/refs: HTTP 401 (Bad credentials)",
      );
      return true;
    },
  );
});
