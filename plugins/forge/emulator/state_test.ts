/** The emulator's state survives a restart from its state directory, without plain passwords. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  basic,
  call,
  newLabel,
  newRepo,
  newUser,
  tokenAuth,
} from "../../../tests/helpers/emulator_api.ts";
import { State } from "./state.ts";

Deno.test("state round trip: users, tokens, repos and labels come back after a restart", async () => {
  const stateDir = await mkdtemp(join(tmpdir(), "emulator-state-"));
  try {
    const first = await startEmulator({ stateDir });
    const alice = await newUser(first, "alice");
    const token = (await call(first, "POST", "/users/alice/tokens", {
      auth: alice.auth,
      body: { name: "kept", scopes: ["all"] },
    })).body.sha1;
    await newRepo(first, "alice", "kept-repo");
    const label = await newLabel(first, "alice/kept-repo", "kept-label");
    await first.dispose();

    const saved = await readFile(`${stateDir}/state.json`, "utf8");
    assert.ok(!saved.includes(alice.pass), "a password is stored in plain text");
    assert.ok(!saved.includes(token), "a token is stored in plain text");

    const second = await startEmulator({ stateDir });
    try {
      const byPassword = await call(second, "GET", "/user", { auth: basic("alice", alice.pass) });
      assert.equal(byPassword.status, 200);
      const byToken = await call(second, "GET", "/user", { auth: tokenAuth(token) });
      assert.equal(byToken.body.login, "alice");
      const repo = await call(second, "GET", "/repos/alice/kept-repo/branches/main");
      assert.equal(repo.status, 200);
      // Ids keep counting from where they were.
      const next = await newLabel(second, "alice/kept-repo", "after-restart");
      assert.equal(next, label + 1);
    } finally {
      await second.dispose();
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

Deno.test("passwords are salted hashes: equal passwords hash differently", () => {
  const state = new State();
  const user = (login: string) => ({
    id: 1,
    login,
    email: `${login}@x.test`,
    fullName: "",
    passwordSalt: "",
    passwordHash: "",
    isAdmin: false,
    mustChangePassword: false,
    active: true,
    prohibitLogin: false,
    created: "",
  });
  const a = user("a");
  const b = user("b");
  state.setPassword(a, "same-password");
  state.setPassword(b, "same-password");
  assert.notEqual(a.passwordHash, b.passwordHash);
  assert.ok(!a.passwordHash.includes("same-password"));
  assert.ok(state.checkPassword(a, "same-password"));
  assert.ok(!state.checkPassword(a, "other-password"));
});

Deno.test("name lookups are case-insensitive and ids are global per kind", () => {
  const state = new State();
  assert.equal(state.nextId("label"), 1);
  assert.equal(state.nextId("label"), 2);
  assert.equal(state.nextId("issue"), 1);
  state.data.orgs.push({
    id: 1,
    name: "Acme",
    fullName: "",
    description: "",
    visibility: "public",
    created: "",
    owners: [],
  });
  assert.ok(state.nameTaken("ACME"));
  assert.equal(state.org("acme")?.name, "Acme");
});
