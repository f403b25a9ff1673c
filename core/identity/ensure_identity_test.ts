import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StartedEmulator, startEmulator } from "../../tests/helpers/emulator.ts";
import {
  adminCall,
  basic,
  call,
  newRepo,
  newToken,
  newUser,
} from "../../tests/helpers/emulator_api.ts";
import { readEnvFile } from "../config/env_file.ts";
import { basicAuth } from "../forgejo/auth.ts";
import { ForgejoHttp } from "../forgejo/http.ts";
import { agentEnvKeys, envSuffix, tokenName } from "./env_keys.ts";
import { EnvWriter } from "./env_writer.ts";
import { ensureIdentity, type IdentityResult, type IdentitySpec } from "./ensure_identity.ts";
import { generatePassword } from "./password.ts";

/** A forge (the emulator) with the admin's public repos `app` and `app-ops`, and a `.env` path. */
async function withForge(
  fn: (f: { emulator: StartedEmulator; spec: IdentitySpec; path: string }) => Promise<void>,
) {
  const emulator = await startEmulator();
  const dir = await mkdtemp(join(tmpdir(), "identity-"));
  try {
    const owner = emulator.admin.user;
    await newRepo(emulator, owner, "app");
    await newRepo(emulator, owner, "app-ops");
    emulator.clearRequestLog();
    const spec: IdentitySpec = {
      user: "dev-qwen",
      ...agentEnvKeys("dev-qwen"),
      scopes: ["write:issue", "write:repository", "read:user"],
      permissions: [
        { repo: `${owner}/app`, permission: "write" },
        { repo: `${owner}/app-ops`, permission: "read" },
      ],
    };
    await fn({ emulator, spec, path: join(dir, ".env") });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emulator.dispose();
  }
}

/** ensureIdentity as init and hire run it: the admin's client, `.env` at `path`. */
async function ensure(
  emulator: StartedEmulator,
  spec: IdentitySpec,
  path: string | null,
  options: { rotate?: boolean; dryRun?: boolean; env?: ReadonlyMap<string, string> } = {},
): Promise<IdentityResult> {
  const http = new ForgejoHttp(emulator.url, basicAuth(emulator.admin.user, emulator.admin.pass));
  return await ensureIdentity(spec, {
    http,
    env: options.env ?? (path === null ? new Map() : await readEnvFile(path)),
    envWriter: new EnvWriter(path),
    ...options,
  });
}

const parts = (r: IdentityResult) => [r.account, r.password, r.token, r.permissions];

/** Who `GET /user` says the credentials belong to, or the status when refused. */
async function signsInAs(emulator: StartedEmulator, auth: string): Promise<string | number> {
  const reply = await call(emulator, "GET", "/user", { auth });
  return reply.status === 200 ? reply.body.login : reply.status;
}

Deno.test("env key naming upper-cases and replaces non [A-Z0-9]", () => {
  assert.equal(envSuffix("dev-qwen"), "DEV_QWEN");
  assert.equal(envSuffix("a.b_c-9"), "A_B_C_9");
  assert.deepEqual(agentEnvKeys("dev-qwen"), {
    tokenKey: "FORGE_TOKEN_DEV_QWEN",
    passKey: "FORGE_PASS_DEV_QWEN",
  });
  assert.equal(tokenName("dev-bot"), "disinto-dev-bot-token");
});

Deno.test("generated passwords are long, distinct and .env-plain", () => {
  const a = generatePassword();
  assert.match(a, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a, generatePassword());
});

Deno.test("ensureIdentity creates, then leaves alone, then rotates", async () => {
  await withForge(async ({ emulator, spec, path }) => {
    const first = await ensure(emulator, spec, path);
    assert.deepEqual(parts(first), ["created", "created", "created", "created"]);
    // Fresh: one lookup of the user; the rest are writes, the token made as the user.
    assert.deepEqual(emulator.requestLog().map((e) => `${e.method} ${e.path} ${e.user}`), [
      "GET /api/v1/users/dev-qwen disinto-admin",
      "POST /api/v1/admin/users disinto-admin",
      "POST /api/v1/users/dev-qwen/tokens dev-qwen",
      "PUT /api/v1/repos/disinto-admin/app/collaborators/dev-qwen disinto-admin",
      "PUT /api/v1/repos/disinto-admin/app-ops/collaborators/dev-qwen disinto-admin",
    ]);
    const envText = await readFile(path, "utf8");
    const values = await readEnvFile(path);
    const password = values.get("FORGE_PASS_DEV_QWEN")!;
    const token = values.get("FORGE_TOKEN_DEV_QWEN")!;
    assert.equal(await signsInAs(emulator, basic("dev-qwen", password)), "dev-qwen");
    assert.equal(await signsInAs(emulator, `token ${token}`), "dev-qwen");
    const repo = (name: string) => emulator.forge.state.repo("disinto-admin", name)!;
    assert.equal(repo("app").collaborators["dev-qwen"], "write");
    assert.equal(repo("app-ops").collaborators["dev-qwen"], "read");

    emulator.clearRequestLog();
    const second = await ensure(emulator, spec, path);
    assert.deepEqual(parts(second), ["unchanged", "unchanged", "unchanged", "unchanged"]);
    // Password, token, write permission; a "read" is confirmed as a collaborator's.
    assert.deepEqual(emulator.requestLog().map((e) => `${e.method} ${e.path}`), [
      "GET /api/v1/user",
      "GET /api/v1/user",
      "GET /api/v1/repos/disinto-admin/app/collaborators/dev-qwen/permission",
      "GET /api/v1/repos/disinto-admin/app-ops/collaborators/dev-qwen/permission",
      "GET /api/v1/repos/disinto-admin/app-ops/collaborators/dev-qwen",
    ]);
    assert.equal(await readFile(path, "utf8"), envText);

    const third = await ensure(emulator, spec, path, { rotate: true });
    assert.deepEqual(parts(third), ["unchanged", "updated", "updated", "unchanged"]);
    const rotated = await readEnvFile(path);
    assert.notEqual(rotated.get("FORGE_PASS_DEV_QWEN"), password);
    assert.notEqual(rotated.get("FORGE_TOKEN_DEV_QWEN"), token);
    assert.equal(await signsInAs(emulator, `token ${token}`), 401);
    assert.equal(await signsInAs(emulator, basic("dev-qwen", password)), 401);
    const newToken = `token ${rotated.get("FORGE_TOKEN_DEV_QWEN")}`;
    assert.equal(await signsInAs(emulator, newToken), "dev-qwen");
    const user = emulator.forge.state.user("dev-qwen")!;
    assert.equal(emulator.forge.state.data.tokens.filter((t) => t.userId === user.id).length, 1);
  });
});

Deno.test("ensureIdentity repairs a lost token, a wrong password and drifted permissions", async () => {
  await withForge(async ({ emulator, spec, path }) => {
    await ensure(emulator, spec, path);
    const values = await readEnvFile(path);
    const password = values.get("FORGE_PASS_DEV_QWEN")!;
    const dev = { name: "dev-qwen", auth: basic("dev-qwen", password) };
    await call(emulator, "DELETE", `/users/dev-qwen/tokens/${tokenName("dev-qwen")}`, {
      auth: dev.auth,
    });
    await adminCall(emulator, "PATCH", "/admin/users/dev-qwen", {
      password: "changed-elsewhere-1",
      must_change_password: true,
    });
    await adminCall(emulator, "PUT", "/repos/disinto-admin/app/collaborators/dev-qwen", {
      permission: "read",
    });
    const result = await ensure(emulator, spec, path);
    assert.deepEqual(parts(result), ["unchanged", "updated", "updated", "updated"]);
    const after = await readEnvFile(path);
    // No rotation of the password: the one in .env is set again on the forge.
    assert.equal(after.get("FORGE_PASS_DEV_QWEN"), password);
    assert.equal(await signsInAs(emulator, dev.auth), "dev-qwen");
    assert.equal(emulator.forge.state.user("dev-qwen")!.mustChangePassword, false);
    assert.equal(
      await signsInAs(emulator, `token ${after.get("FORGE_TOKEN_DEV_QWEN")}`),
      "dev-qwen",
    );
    const app = emulator.forge.state.repo("disinto-admin", "app")!;
    assert.equal(app.collaborators["dev-qwen"], "write");
  });
});

Deno.test("ensureIdentity clears must_change_password and keeps what still works", async () => {
  await withForge(async ({ emulator, spec, path }) => {
    await ensure(emulator, spec, path);
    const envText = await readFile(path, "utf8");
    await adminCall(emulator, "PATCH", "/admin/users/dev-qwen", { must_change_password: true });
    emulator.clearRequestLog();
    const result = await ensure(emulator, spec, path);
    assert.deepEqual(parts(result), ["updated", "unchanged", "unchanged", "unchanged"]);
    assert.deepEqual(emulator.writes().map((e) => `${e.method} ${e.path}`), [
      "PATCH /api/v1/admin/users/dev-qwen",
    ]);
    assert.equal(emulator.forge.state.user("dev-qwen")!.mustChangePassword, false);
    assert.equal(await readFile(path, "utf8"), envText);
  });
});

Deno.test("a token in .env that signs in as another user is replaced", async () => {
  await withForge(async ({ emulator, spec, path }) => {
    await ensure(emulator, spec, path);
    const other = await newUser(emulator, "someone-else");
    const foreign = await newToken(emulator, other, ["read:user"]);
    const env = new Map(await readEnvFile(path)).set("FORGE_TOKEN_DEV_QWEN", foreign);
    const result = await ensure(emulator, spec, path, { env });
    assert.deepEqual(parts(result), ["unchanged", "unchanged", "updated", "unchanged"]);
    const token = (await readEnvFile(path)).get("FORGE_TOKEN_DEV_QWEN")!;
    assert.notEqual(token, foreign);
    assert.equal(await signsInAs(emulator, `token ${token}`), "dev-qwen");
  });
});

Deno.test("read on a public repo: an existing user is made a collaborator all the same", async () => {
  await withForge(async ({ emulator, spec, path }) => {
    await ensure(emulator, spec, path);
    await adminCall(emulator, "DELETE", "/repos/disinto-admin/app-ops/collaborators/dev-qwen");
    // The forge answers "read" for any signed-in user on a public repo.
    const permission = await adminCall(
      emulator,
      "GET",
      "/repos/disinto-admin/app-ops/collaborators/dev-qwen/permission",
    );
    assert.equal(permission.permission, "read");
    const result = await ensure(emulator, spec, path);
    assert.equal(result.permissions, "created");
    const ops = emulator.forge.state.repo("disinto-admin", "app-ops")!;
    assert.equal(ops.collaborators["dev-qwen"], "read");
  });
});

Deno.test("ensureIdentity with dryRun reports the plan and writes nothing anywhere", async () => {
  await withForge(async ({ emulator, spec, path }) => {
    const fresh = await ensure(emulator, spec, null, { dryRun: true });
    assert.deepEqual(parts(fresh), ["created", "created", "created", "created"]);
    assert.deepEqual(emulator.writes(), []);
    await assert.rejects(readFile(path, "utf8"));

    await ensure(emulator, spec, path);
    const envText = await readFile(path, "utf8");
    await adminCall(emulator, "PATCH", "/admin/users/dev-qwen", { password: "changed-1234" });
    emulator.clearRequestLog();
    const planned = await ensure(emulator, spec, path, { dryRun: true, rotate: true });
    assert.deepEqual(parts(planned), ["unchanged", "updated", "updated", "unchanged"]);
    assert.deepEqual(emulator.writes(), []);
    assert.equal(await readFile(path, "utf8"), envText);
  });
});
