/**
 * Fidelity: git over HTTP as Forgejo v11 gates it — the pre-receive hook's
 * refusals (routers/private/hook_pre_receive.go, shown by cmd/serv.go fail()).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StartedEmulator, startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminCall,
  basic,
  call,
  newRepo,
  newToken,
  newUser,
  type TestUser,
} from "../../../tests/helpers/emulator_api.ts";
import { git, type GitRun, mustGit } from "./fidelity_git_kit.ts";

/** The repository's URL with `user:secret` in it. */
function remote(em: StartedEmulator, repo: string, user: string, secret: string): string {
  const url = new URL(`${repo}.git`, withSlash(em.url));
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(secret);
  return url.toString();
}

/** A commit on a new local `branch` of `clone`, pushed as `who` to `ref` (with extra args). */
async function pushAs(
  em: StartedEmulator,
  clone: string,
  who: TestUser | { name: string; pass: string },
  refspec: string,
  ...extra: string[]
): Promise<GitRun> {
  return await git(
    clone,
    "push",
    ...extra,
    remote(em, "alice/guarded", who.name, who.pass),
    refspec,
  );
}

async function commitOn(clone: string, branch: string, file: string): Promise<void> {
  await mustGit(clone, "checkout", "-q", "-B", branch);
  await writeFile(join(clone, file), `${file}\n`);
  await mustGit(clone, "add", file);
  await mustGit(clone, "commit", "-q", "-m", file);
}

function assertRefused(run: GitRun, ref: string, message: string): void {
  assert.notEqual(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`remote: Forgejo: ${escape(message)}`), run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`\\[remote rejected\\] (\\S+ -> )?${escape(ref)} \\(pre-receive hook declined\\)`),
    run.stderr,
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

Deno.test("forgejo fidelity: the pre-receive hook's refusals over git HTTP", async (t) => {
  const em = await startEmulator();
  const work = await mkdtemp(join(tmpdir(), "fidelity-git-"));
  try {
    const alice = await newUser(em, "alice");
    const bob = await newUser(em, "bob");
    const carol = await newUser(em, "carol");
    await newRepo(em, "alice", "guarded");
    await adminCall(em, "PUT", "/repos/alice/guarded/collaborators/bob", { permission: "write" });
    await adminCall(em, "PUT", "/repos/alice/guarded/collaborators/carol", { permission: "read" });
    const clone = join(work, "clone");
    await mustGit(work, "clone", "-q", remote(em, "alice/guarded", alice.name, alice.pass), clone);
    const head = async (branch: string) =>
      (await adminCall(em, "GET", `/repos/alice/guarded/branches/${branch}`)).commit.id;
    const admin = { name: em.admin.user, pass: em.admin.pass };

    await t.step("a reader's push is refused by the hook, not the HTTP layer", async () => {
      await commitOn(clone, "fix/issue-1", "one.txt");
      const run = await pushAs(em, clone, carol, "fix/issue-1");
      assertRefused(run, "fix/issue-1", "User permission denied for writing.");
    });

    await t.step("a writer pushes an unprotected branch", async () => {
      const run = await pushAs(em, clone, bob, "fix/issue-1");
      assert.equal(run.code, 0, run.stderr);
    });

    await t.step("the default branch cannot be deleted, protected or not", async () => {
      const run = await pushAs(em, clone, alice, ":main");
      assertRefused(run, "main", "branch main is the default branch and cannot be deleted");
    });

    const before = await head("main");
    await adminCall(em, "POST", "/repos/alice/guarded/branch_protections", { rule_name: "main" });

    await t.step(
      "with enable_push false nobody pushes, owner and site admin included",
      async () => {
        await commitOn(clone, "main", "two.txt");
        for (const who of [alice, bob, admin]) {
          const run = await pushAs(em, clone, who, "main");
          assertRefused(run, "main", "Not allowed to push to protected branch main");
        }
        assert.equal(await head("main"), before);
      },
    );

    await t.step("a push whitelist lets only its users push", async () => {
      await adminCall(em, "PATCH", "/repos/alice/guarded/branch_protections/main", {
        enable_push: true,
        enable_push_whitelist: true,
        push_whitelist_usernames: ["bob"],
      });
      assertRefused(
        await pushAs(em, clone, alice, "main"),
        "main",
        "Not allowed to push to protected branch main",
      );
      const run = await pushAs(em, clone, bob, "main");
      assert.equal(run.code, 0, run.stderr);
      assert.notEqual(await head("main"), before);
    });

    await t.step(
      "a force push to a protected branch is refused even for the whitelist",
      async () => {
        await mustGit(clone, "reset", "-q", "--hard", before);
        await commitOn(clone, "main", "three.txt");
        const run = await pushAs(em, clone, bob, "+main:main", "--force");
        assertRefused(run, "main", "branch main is protected from force push");
      },
    );

    await t.step("enable_push without a whitelist lets every writer push", async () => {
      await adminCall(em, "PATCH", "/repos/alice/guarded/branch_protections/main", {
        enable_push: true,
        enable_push_whitelist: false,
      });
      await mustGit(clone, "fetch", "-q", remote(em, "alice/guarded", alice.name, alice.pass));
      await mustGit(clone, "reset", "-q", "--hard", "FETCH_HEAD");
      await commitOn(clone, "main", "four.txt");
      const run = await pushAs(em, clone, alice, "main");
      assert.equal(run.code, 0, run.stderr);
    });

    await t.step(
      "a glob rule protects matching branches from deletion, '*' stops at '/'",
      async () => {
        await adminCall(em, "POST", "/repos/alice/guarded/branch_protections", {
          rule_name: "release/*",
          enable_push: true,
        });
        await commitOn(clone, "release/1", "five.txt");
        assert.equal((await pushAs(em, clone, alice, "release/1")).code, 0);
        const run = await pushAs(em, clone, alice, ":release/1");
        assertRefused(run, "release/1", "branch release/1 is protected from deletion");
        await commitOn(clone, "nested", "six.txt");
        assert.equal(
          (await pushAs(em, clone, alice, "nested:refs/heads/release/2/x")).code,
          0,
        );
        assert.equal((await pushAs(em, clone, alice, ":release/2/x")).code, 0);
      },
    );

    await t.step("the branch API finds the same rule and says who may push", async () => {
      // convert.ToBranch with GetFirstMatchProtectedBranchRule; CanUserPush per caller.
      const as = (auth?: string) =>
        call(em, "GET", "/repos/alice/guarded/branches/release/1", auth ? { auth } : {});
      const owner = (await as(alice.auth)).body;
      assert.equal(owner.protected, true);
      assert.equal(owner.effective_branch_protection_name, "release/*");
      assert.equal(owner.user_can_push, true);
      const reader = (await as(carol.auth)).body;
      assert.deepEqual([reader.user_can_push, reader.effective_branch_protection_name], [
        false,
        "",
      ]);
      assert.equal((await as()).body.user_can_push, false);
      const open = (await as(bob.auth)).body;
      assert.equal(open.protected, true);
      const unprotected = await call(em, "GET", "/repos/alice/guarded/branches/fix/issue-1", {
        auth: carol.auth,
      });
      assert.deepEqual(
        [
          unprotected.body.protected,
          unprotected.body.user_can_push,
          unprotected.body.user_can_merge,
        ],
        [false, false, false],
      );
    });
  } finally {
    await rm(work, { recursive: true, force: true });
    await em.dispose();
  }
});

Deno.test("forgejo fidelity: git HTTP credentials", async (t) => {
  const em = await startEmulator();
  try {
    const alice = await newUser(em, "alice");
    await newRepo(em, "alice", "hidden", { private: true });
    const token = await newToken(em, alice, ["read:repository"]);
    const refs = (auth?: string) =>
      fetch(new URL("alice/hidden.git/info/refs?service=git-upload-pack", withSlash(em.url)), {
        headers: auth ? { authorization: auth } : {},
      });

    await t.step(
      "a token as the user name works with an empty password or x-oauth-basic",
      async () => {
        // services/auth/basic.go Verify: isUsernameToken := len(passwd) == 0 || passwd == "x-oauth-basic".
        for (const pass of ["", "x-oauth-basic"]) {
          const reply = await refs(basic(token, pass));
          assert.equal(reply.status, 200, pass);
          await reply.body?.cancel();
        }
        const asPassword = await refs(basic("alice", token));
        assert.equal(asPassword.status, 200);
        await asPassword.body?.cancel();
      },
    );

    await t.step("a token as the user name with another password is refused", async () => {
      // The password is then the token to try, and signing in as the token fails:
      // routers/web/web.go webAuth answers 401 with auth.unauthorized_credentials.
      const reply = await refs(basic(token, "some-password"));
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get("www-authenticate"), null);
      assert.equal(await reply.text(), CREDENTIALS_REFUSED);
    });

    await t.step("no credentials on a private repo ask for them", async () => {
      const reply = await refs();
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get("www-authenticate"), 'Basic realm="Gitea"');
      await reply.body?.cancel();
    });
  } finally {
    await em.dispose();
  }
});

const CREDENTIALS_REFUSED = "Credentials are incorrect or have expired. Retry your command or " +
  "see https://codeberg.org/forgejo/forgejo/issues/2809 for more information\n";

const withSlash = (url: string) => url.endsWith("/") ? url : `${url}/`;

Deno.test("forgejo fidelity: git HTTP honours the account gates and REQUIRE_SIGNIN_VIEW", async (t) => {
  const em = await startEmulator();
  try {
    const alice = await newUser(em, "alice");
    await newRepo(em, "alice", "open");
    const token = await newToken(em, alice, ["read:repository"]);
    const refs = (headers: Record<string, string> = {}) =>
      fetch(new URL("alice/open.git/info/refs?service=git-upload-pack", withSlash(em.url)), {
        headers,
        redirect: "manual",
      });
    const status = async (headers: Record<string, string> = {}) => {
      const reply = await refs(headers);
      await reply.body?.cancel();
      return reply.status;
    };

    await t.step("--require-signin refuses anonymous clones of a public repo", async () => {
      assert.equal(await status(), 200);
      em.control.setRequireSignin(true);
      // routers/web/githttp.go requireSignIn: 401 with the Basic challenge.
      const reply = await refs();
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get("www-authenticate"), 'Basic realm="Gitea"');
      await reply.body?.cancel();
      assert.equal(await status({ authorization: alice.auth }), 200);
      em.control.setRequireSignin(false);
    });

    await t.step("a user who must change their password is refused", async () => {
      em.control.setMustChangePassword("alice", true);
      // routers/web/web.go verifyAuthWithOptions: git's user agent gets a plain 401 …
      for (const auth of [alice.auth, basic(token, "")]) {
        const reply = await refs({ authorization: auth, "user-agent": "git/2.39.5" });
        assert.equal(reply.status, 401);
        assert.equal(await reply.text(), "Update your password\n");
      }
      // … anything else the redirect to the change-password page.
      const browser = await refs({ authorization: alice.auth, "user-agent": "Mozilla/5.0" });
      assert.equal(browser.status, 303);
      assert.equal(browser.headers.get("location"), "/user/settings/change_password");
      await browser.body?.cancel();
      em.control.setMustChangePassword("alice", false);
      assert.equal(await status({ authorization: alice.auth }), 200);
    });

    await t.step(
      "a prohibited user's password is refused, their token gets the suspended page",
      async () => {
        await adminCall(em, "PATCH", "/admin/users/alice", {
          login_name: "alice",
          source_id: 0,
          prohibit_login: true,
        });
        const byPassword = await refs({ authorization: alice.auth });
        assert.equal(byPassword.status, 401);
        assert.equal(await byPassword.text(), CREDENTIALS_REFUSED);
        const byToken = await refs({ authorization: basic(token, "") });
        assert.equal(byToken.status, 200);
        assert.equal(byToken.headers.get("content-type"), "text/html; charset=utf-8");
        assert.match(await byToken.text(), /Account is suspended/);
      },
    );
  } finally {
    await em.dispose();
  }
});
