import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnvFile } from "../config/env_file.ts";
import { agentEnvKeys, envSuffix, tokenName } from "./env_keys.ts";
import { EnvWriter } from "./env_writer.ts";
import {
  type AuthCheck,
  ensureIdentity,
  type IdentityForge,
  type IdentitySpec,
  type Permission,
} from "./ensure_identity.ts";
import { generatePassword } from "./password.ts";

/** An in-memory forge that records every write. */
class FakeForge implements IdentityForge {
  users = new Map<string, { password: string; mustChange: boolean }>();
  tokens = new Map<string, { user: string; name: string }>();
  perms = new Map<string, string>();
  writes: string[] = [];
  #next = 0;

  userExists(user: string) {
    return Promise.resolve(this.users.has(user));
  }
  createUser(input: { username: string; email: string; password: string }) {
    this.writes.push(`createUser ${input.username}`);
    this.users.set(input.username, { password: input.password, mustChange: false });
    return Promise.resolve();
  }
  updateUser(user: string, input: { password?: string; mustChangePassword: false }) {
    this.writes.push(`updateUser ${user}`);
    const account = this.users.get(user)!;
    if (input.password !== undefined) account.password = input.password;
    account.mustChange = false;
    return Promise.resolve();
  }
  checkPassword(user: string, password: string): Promise<AuthCheck> {
    const account = this.users.get(user);
    if (!account || account.password !== password) {
      return Promise.resolve({ ok: false, reason: "unauthorized" });
    }
    if (account.mustChange) return Promise.resolve({ ok: false, reason: "must-change-password" });
    return Promise.resolve({ ok: true, login: user });
  }
  checkToken(token: string): Promise<AuthCheck> {
    const found = this.tokens.get(token);
    return Promise.resolve(
      found ? { ok: true, login: found.user } : { ok: false, reason: "unauthorized" },
    );
  }
  listTokenNames(user: string) {
    return Promise.resolve(
      [...this.tokens.values()].filter((t) => t.user === user).map((t) => t.name),
    );
  }
  deleteToken(user: string, _password: string, name: string) {
    this.writes.push(`deleteToken ${user}`);
    for (const [secret, t] of this.tokens) {
      if (t.user === user && t.name === name) this.tokens.delete(secret);
    }
    return Promise.resolve();
  }
  createToken(user: string, _password: string, name: string) {
    this.writes.push(`createToken ${user}`);
    const secret = `secret-token-${++this.#next}`;
    this.tokens.set(secret, { user, name });
    return Promise.resolve(secret);
  }
  collaboratorPermission(repo: string, user: string) {
    return Promise.resolve(this.perms.get(`${repo}:${user}`) ?? "none");
  }
  setCollaborator(repo: string, user: string, permission: Permission) {
    this.writes.push(`setCollaborator ${repo} ${user} ${permission}`);
    this.perms.set(`${repo}:${user}`, permission);
    return Promise.resolve();
  }
}

const spec: IdentitySpec = {
  user: "dev-qwen",
  ...agentEnvKeys("dev-qwen"),
  scopes: ["write:issue", "write:repository", "read:user"],
  permissions: [{ repo: "acme/app", permission: "write" }, {
    repo: "admin/app-ops",
    permission: "read",
  }],
};

async function withEnv(fn: (path: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "identity-"));
  try {
    await fn(join(dir, ".env"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
  await withEnv(async (path) => {
    const forge = new FakeForge();
    const first = await ensureIdentity(spec, {
      forge,
      env: await readEnvFile(path),
      envWriter: new EnvWriter(path),
    });
    assert.deepEqual(
      [first.account, first.password, first.token, first.permissions],
      ["created", "created", "created", "created"],
    );
    const env1 = await readFile(path, "utf8");
    const values = await readEnvFile(path);
    assert.equal(forge.users.get("dev-qwen")!.password, values.get("FORGE_PASS_DEV_QWEN"));
    assert.ok(forge.tokens.has(values.get("FORGE_TOKEN_DEV_QWEN")!));

    forge.writes = [];
    const second = await ensureIdentity(spec, {
      forge,
      env: values,
      envWriter: new EnvWriter(path),
    });
    assert.deepEqual(
      [second.account, second.password, second.token, second.permissions],
      ["unchanged", "unchanged", "unchanged", "unchanged"],
    );
    assert.deepEqual(forge.writes, []);
    assert.equal(await readFile(path, "utf8"), env1);

    const third = await ensureIdentity(spec, {
      forge,
      env: values,
      envWriter: new EnvWriter(path),
      rotate: true,
    });
    assert.deepEqual([third.password, third.token], ["updated", "updated"]);
    const rotated = await readEnvFile(path);
    assert.notEqual(rotated.get("FORGE_PASS_DEV_QWEN"), values.get("FORGE_PASS_DEV_QWEN"));
    assert.notEqual(rotated.get("FORGE_TOKEN_DEV_QWEN"), values.get("FORGE_TOKEN_DEV_QWEN"));
    // The old token no longer authenticates.
    assert.equal((await forge.checkToken(values.get("FORGE_TOKEN_DEV_QWEN")!)).ok, false);
  });
});

Deno.test("ensureIdentity repairs a lost token, a wrong password and drifted permissions", async () => {
  await withEnv(async (path) => {
    const forge = new FakeForge();
    await ensureIdentity(spec, { forge, env: new Map(), envWriter: new EnvWriter(path) });
    const values = await readEnvFile(path);
    forge.tokens.clear();
    forge.users.get("dev-qwen")!.password = "changed-elsewhere";
    forge.users.get("dev-qwen")!.mustChange = true;
    forge.perms.set("acme/app:dev-qwen", "read");
    const result = await ensureIdentity(spec, {
      forge,
      env: values,
      envWriter: new EnvWriter(path),
    });
    assert.deepEqual(
      [result.account, result.password, result.token, result.permissions],
      ["unchanged", "updated", "updated", "updated"],
    );
    const after = await readEnvFile(path);
    // No rotation of the password: the one in .env is set again on the forge.
    assert.equal(after.get("FORGE_PASS_DEV_QWEN"), values.get("FORGE_PASS_DEV_QWEN"));
    assert.equal(forge.users.get("dev-qwen")!.password, values.get("FORGE_PASS_DEV_QWEN"));
    assert.equal(forge.users.get("dev-qwen")!.mustChange, false);
    assert.equal(forge.perms.get("acme/app:dev-qwen"), "write");
  });
});

Deno.test("ensureIdentity with dryRun writes nothing anywhere", async () => {
  await withEnv(async (path) => {
    const forge = new FakeForge();
    const writer = new EnvWriter(null);
    const result = await ensureIdentity(spec, {
      forge,
      env: new Map(),
      envWriter: writer,
      dryRun: true,
    });
    assert.equal(result.account, "created");
    assert.deepEqual(forge.writes, []);
    await assert.rejects(readFile(path, "utf8"));
  });
});
