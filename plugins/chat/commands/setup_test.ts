import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import { listOAuth2Apps } from "../../../core/forgejo/oauth.ts";
import { basicAuth } from "../../../core/forgejo/auth.ts";
import { ForgejoHttp } from "../../../core/forgejo/http.ts";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import { plugins } from "../../mod.ts";

async function setup(root: string, env: Record<string, string>) {
  const context = testContext({
    argv: ["chat", "setup"],
    env: { HOME: "/home/op", ...env },
    cwd: root,
  });
  const code = await runCli(context, plugins);
  const dotenv = await readFile(join(root, ".env"), "utf8").catch(() => null);
  return { code, stdout: context.stdout.text, stderr: context.stderr.text, dotenv };
}

Deno.test("chat setup: registers the app as the admin, writes id and secret to .env, prints no secret; again: unchanged", async () => {
  const em = await startEmulator();
  const root = await mkdtemp(join(tmpdir(), "chat-setup-"));
  try {
    await writeFile(
      join(root, ".env"),
      `FORGE_URL=${em.url}\nFORGE_ADMIN_USER=${em.admin.user}\nFORGE_ADMIN_PASS=${em.admin.pass}\n`,
    );
    const env = { CHAT_PUBLIC_URL: "https://chat.example.test/" };
    const first = await setup(root, env);
    assert.equal(first.code, 0, first.stderr);
    const id = /^CHAT_OAUTH_CLIENT_ID=(.+)$/m.exec(first.dotenv!)?.[1];
    const secret = /^CHAT_OAUTH_CLIENT_SECRET=(.+)$/m.exec(first.dotenv!)?.[1];
    assert.ok(id && secret, first.dotenv!);
    assert.equal(
      first.stdout,
      `chat OAuth2 application created: client id ${id}, redirect URI https://chat.example.test/oauth/callback on ${em.url}; CHAT_OAUTH_CLIENT_ID and CHAT_OAUTH_CLIENT_SECRET written to .env\n`,
    );
    assert.equal(first.stderr, "");
    const http = new ForgejoHttp(em.url, basicAuth(em.admin.user, em.admin.pass));
    assert.deepEqual(
      (await listOAuth2Apps(http)).map((app) => [app.client_id, app.redirect_uris]),
      [[id, ["https://chat.example.test/oauth/callback"]]],
    );

    const writes = em.writes().length;
    const again = await setup(root, env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^chat OAuth2 application unchanged: client id /);
    assert.equal(again.dotenv, first.dotenv);
    assert.equal(em.writes().length, writes);
    for (const output of [first.stdout, again.stdout]) {
      assert.equal(output.includes(secret), false);
      assert.equal(output.includes(em.admin.pass), false);
    }

    // The forge refuses the admin: exit 1, one line, the password not in it.
    await writeFile(join(root, ".env"), `FORGE_URL=${em.url}\nFORGE_ADMIN_PASS=wrong-pass-123\n`);
    const refused = await setup(root, {});
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trimEnd().split("\n").length, 1, refused.stderr);
    assert.equal(refused.stderr.includes("wrong-pass-123"), false, refused.stderr);
  } finally {
    await rm(root, { recursive: true });
    await em.dispose();
  }
});

Deno.test("chat setup: bad input exits 2 with one line naming it, writing nothing", async () => {
  const root = await mkdtemp(join(tmpdir(), "chat-setup-"));
  try {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^disinto: FORGE_ADMIN_PASS: not set/],
      [{ FORGE_ADMIN_PASS: "p", FORGE_URL: "forge:3000" }, /^disinto: FORGE_URL: "forge:3000"/],
      [{ FORGE_ADMIN_PASS: "p", CHAT_PUBLIC_URL: "ftp://x" }, /^disinto: CHAT_PUBLIC_URL/],
    ];
    for (const [env, expected] of cases) {
      const result = await setup(root, env);
      assert.equal(result.code, 2, `${JSON.stringify(env)}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
      assert.equal(result.dotenv, null);
    }
  } finally {
    await rm(root, { recursive: true });
  }
});
