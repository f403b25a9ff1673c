/**
 * The factory's reason for being, on the compiled binary with every part
 * real: `forge emulate` as the forge, `model emulate` as the model server and
 * the real `claude` CLI as the agent. A backlog issue becomes a branch with
 * the model's change to the README and a PR that says "Closes #1" (`agents poll dev
 * --once`), review-bot approves it (`agents poll review --once`), and the next
 * dev cycle merges it and the issue is closed — each checked through the
 * forge's API. No secret of the factory appears in any output or run log.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseEnv } from "../../core/config/env_file.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startChild } from "../helpers/child.ts";
import { adminCall, type ForgeAt, mustCall, tokenAuth } from "../helpers/emulator_api.ts";
import { agentsEnvFor, quickstartScript } from "../helpers/model_emulator.ts";

const ADMIN = { user: "disinto-admin", pass: "e2e-admin-pass-4f1c" };
const MODEL_KEY = "sk-e2e-model-key-77aa";

/** The quickstart's script: the dev agent rewrites the README, the reviewer approves. */
const README = "# app\n\nHello from the factory!\n";

async function startServer(args: string[], env: Record<string, string>) {
  const child = startChild(requireBinary(), args, { env });
  const line = await child.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/, 15_000);
  return { child, url: /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]! };
}

/** A file as the forge's git serves it on `branch` (a fresh clone as the admin). */
async function fileOnBranch(forge: ForgeAt, dir: string, branch: string, file: string) {
  const clone = await mkdtemp(join(dir, "check-"));
  const url = new URL("/acme/demo.git", forge.url);
  url.username = forge.admin.user;
  url.password = forge.admin.pass;
  const git = (...args: string[]) =>
    execFileSync("git", args, { env: { PATH: process.env.PATH, HOME: dir }, encoding: "utf8" });
  git("clone", "-q", "--branch", branch, url.href, clone);
  return await readFile(join(clone, file), "utf8");
}

Deno.test("agents on the binary: backlog issue → PR by dev-bot → approved by review-bot → merged, issue closed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-e2e-agents-"));
  const root = join(dir, "factory");
  const home = join(dir, "home");
  await mkdir(root);
  await mkdir(home);
  await mkdir(join(dir, "claude"));
  const path = process.env.PATH ?? "/usr/bin:/bin";
  const servers: { child: ReturnType<typeof startChild> }[] = [];
  try {
    const forgeServer = await startServer(
      [
        "forge",
        "emulate",
        "--port",
        "0",
        "--state",
        join(dir, "forge"),
        "--admin-pass",
        ADMIN.pass,
      ],
      { PATH: path },
    );
    servers.push(forgeServer);
    const forge: ForgeAt = { url: forgeServer.url, admin: ADMIN };
    const model = await startServer(
      ["model", "emulate", "--port", "0", "--script", quickstartScript],
      { PATH: path },
    );
    servers.push(model);

    const baseEnv = { PATH: path, HOME: home };
    const init = await runBinary(
      ["--root", root, "init", "acme/demo", "--forge-url", forge.url, "--yes"],
      { env: { ...baseEnv, FORGE_ADMIN_PASS: ADMIN.pass }, timeoutMs: 60_000 },
    );
    assert.equal(init.code, 0, init.stderr);

    const labels = await adminCall(forge, "GET", "/repos/acme/demo/labels?limit=50");
    const backlog = labels.find((l: { name: string }) => l.name === "backlog").id;
    await adminCall(forge, "POST", "/repos/acme/demo/issues", {
      title: "Say hello in the README",
      body: "A first task for the factory.",
      labels: [backlog],
    }, 201);

    const agentEnv = {
      ...agentsEnvFor(model.url, join(dir, "claude"), { apiKey: MODEL_KEY, path }),
      HOME: home,
    };
    const outputs: string[] = [];
    const poll = async (role: string) => {
      const result = await runBinary(["--root", root, "agents", "poll", role, "--once"], {
        env: agentEnv,
        timeoutMs: 120_000,
      });
      outputs.push(result.stdout, result.stderr);
      assert.equal(result.code, 0, `${role}: ${result.stdout}\n${result.stderr}`);
      return result;
    };

    await poll("dev");
    const secrets = parseEnv(await readFile(join(root, ".env"), "utf8"));
    const devToken = secrets.get("FORGE_TOKEN")!;
    // deno-lint-ignore no-explicit-any
    const asDev = (path: string): Promise<any> =>
      mustCall(forge, "GET", `/repos/acme/demo${path}`, { auth: tokenAuth(devToken) });
    const pulls = await asDev("/pulls?state=open");
    assert.equal(pulls.length, 1, outputs.join("\n"));
    const pull = pulls[0];
    assert.equal(pull.head.ref, "fix/issue-1");
    assert.equal(pull.user.login, "dev-bot");
    assert.match(pull.body, /Closes #1\b/);
    assert.equal(await fileOnBranch(forge, dir, "fix/issue-1", "README.md"), README);
    const claimed = await asDev("/issues/1");
    assert.deepEqual(claimed.assignees.map((a: { login: string }) => a.login), ["dev-bot"]);

    await poll("review");
    const reviews = await asDev(`/pulls/${pull.number}/reviews`);
    const verdicts = reviews.map((r: { user: { login: string }; state: string }) =>
      `${r.user.login}:${r.state}`
    );
    assert.deepEqual(verdicts, ["review-bot:APPROVED"]);

    await poll("dev");
    assert.equal((await asDev(`/pulls/${pull.number}`)).merged, true);
    assert.equal((await asDev("/issues/1")).state, "closed");
    assert.equal(await fileOnBranch(forge, dir, "main", "README.md"), README);

    // No secret of the factory (tokens, passwords, the model key) in any output or run log.
    const runs = join(root, "state", "agent-runs");
    const logs = await Promise.all(
      (await readdir(runs)).map((name) => readFile(join(runs, name), "utf8")),
    );
    assert.ok(logs.length >= 2, `run logs: ${logs.length}`);
    const values = [...secrets.entries()]
      .filter(([key]) => /TOKEN|PASS/.test(key))
      .map(([, value]) => value);
    for (const secret of [...values, MODEL_KEY, ADMIN.pass]) {
      for (const text of [...outputs, ...logs]) {
        assert.ok(!text.includes(secret), "a secret leaked");
      }
    }
  } finally {
    for (const server of servers) await server.child.stop("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  }
});
