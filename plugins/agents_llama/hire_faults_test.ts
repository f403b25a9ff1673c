/**
 * hire-an-agent against an emulator that fails 20% of its answers (5xx,
 * connections dropped before or after the work): each run either succeeds or
 * exits 1 with one line, and re-running converges on one identity that works,
 * one token, one table; a run after that writes nothing. Bounded: at most 10
 * runs per agent (eight agents), retries without waiting, a seeded fault pattern.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { testContext } from "../../core/context.ts";
import { RuntimeFailure } from "../../core/errors.ts";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { plugins } from "../mod.ts";
import { agentOnForge, createProjectRepo, startModelServer } from "./_emulator_checks.ts";
import { hireAgent, parseHireArguments } from "./hire.ts";

const instantClock = { now: () => Date.now(), sleep: () => Promise.resolve() };

/** mulberry32: a small seeded source, so the fault pattern is the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("with 20% forge faults, re-running hire converges on one working identity", async () => {
  const emulator = await startEmulator({ random: seeded(20260529) });
  const model = await startModelServer();
  const root = await mkdtemp(join(tmpdir(), "disinto-hire-faults-"));
  try {
    await createProjectRepo(emulator, "acme/demo");
    await mkdir(join(root, "projects"));
    await writeFile(
      join(root, "projects", "demo.toml"),
      `name = "demo"\nrepo = "acme/demo"\nforge_url = "http://127.0.0.1:3000"\n`,
    );
    await writeFile(
      join(root, ".env"),
      `FORGE_URL=${emulator.url}\nFORGE_ADMIN_PASS=${emulator.admin.pass}\n`,
    );
    const hire = (name: string) =>
      hireAgent(
        parseHireArguments({ name, role: "dev", localModel: model.url, pollInterval: "45" }),
        {
          // Retries without waiting.
          context: testContext({ env: { HOME: "/home/op" }, clock: instantClock }),
          root,
          projectSelector: undefined,
          plugins,
        },
      );
    const names = ["dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f", "dev-g", "dev-h"];

    emulator.control.setFaultRate(0.2);
    let failures = 0;
    for (const name of names) {
      let done = false;
      for (let run = 0; run < 10 && !done; run++) {
        try {
          await hire(name);
          done = true;
        } catch (error) {
          assert.ok(error instanceof RuntimeFailure, String(error));
          assert.equal(error.message.split("\n").length, 1);
          assert.ok(!error.message.includes(emulator.admin.pass));
          failures++;
        }
      }
      assert.ok(done, `${name}: converged within 10 runs`);
    }
    assert.ok(failures > 0, "the faults made at least one run fail");
    assert.ok(emulator.requestLog().some((entry) => entry.status === 0), "a dropped connection");

    emulator.control.setFaultRate(0);
    const env = parseEnv(await readFile(join(root, ".env"), "utf8"));
    const toml = await readFile(join(root, "projects", "demo.toml"), "utf8");
    for (const name of names) {
      const key = name.toUpperCase().replace("-", "_");
      const credentials = {
        token: env.get(`FORGE_TOKEN_${key}`) ?? "",
        password: env.get(`FORGE_PASS_${key}`) ?? "",
      };
      assert.deepEqual(await agentOnForge(emulator, "acme/demo", name, credentials), {
        userStatus: 200,
        tokenLogin: name,
        passwordLogin: name,
        permission: "write",
        collaborator: "write",
      }, name);
      const user = emulator.forge.state.user(name)!;
      assert.equal(emulator.forge.state.data.tokens.filter((t) => t.userId === user.id).length, 1);
      assert.equal(toml.split(`\n[agents.${name}]\n`).length, 2, name);
    }

    // Converged: another run changes nothing on the forge or in .env.
    emulator.clearRequestLog();
    const envText = await readFile(join(root, ".env"), "utf8");
    for (const name of names) await hire(name);
    assert.deepEqual(emulator.writes(), []);
    assert.equal(await readFile(join(root, ".env"), "utf8"), envText);
    console.log(`hire of ${names.length} agents under 20% faults: ${failures} failed run(s)`);
  } finally {
    await model.shutdown();
    await emulator.dispose();
    await rm(root, { recursive: true });
  }
});
