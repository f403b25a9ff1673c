import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CREDENTIAL_HELPER } from "../../../core/git/credential_helper.ts";
import { pushLocalHistory } from "./push_history.ts";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-C", cwd, ...args], {
    encoding: "utf8",
    env: {
      PATH: "/usr/bin:/bin",
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
      HOME: "/nonexistent",
    },
  });

Deno.test("pushLocalHistory pushes HEAD to the primary branch without credentials in the URL", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-push-"));
  try {
    const work = join(dir, "work");
    const bare = join(dir, "bare.git");
    execFileSync("git", ["init", "-q", work]);
    execFileSync("git", ["init", "-q", "--bare", bare]);
    await writeFile(join(work, "a.txt"), "hello\n");
    git(work, "add", "a.txt");
    git(work, "commit", "-q", "-m", "first");
    await pushLocalHistory({
      repoRoot: work,
      remote: bare,
      branch: "trunk",
      user: "disinto-admin",
      password: "pw-not-in-url",
      env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" },
    });
    assert.equal(git(bare, "rev-parse", "trunk"), git(work, "rev-parse", "HEAD"));
    assert.ok(!git(work, "config", "--list").includes("pw-not-in-url"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("the credential helper answers with the user and password from the environment", () => {
  const output = execFileSync("git", [
    "-c",
    "credential.helper=",
    "-c",
    `credential.helper=${CREDENTIAL_HELPER}`,
    "credential",
    "fill",
  ], {
    input: "protocol=http\nhost=forge.test\n\n",
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", DISINTO_GIT_USER: "u1", DISINTO_GIT_PASS: "p1", HOME: "/x" },
  });
  assert.match(output, /username=u1\npassword=p1/);
});
