/**
 * A factory for end-to-end tests of the agents on the compiled binary: `forge
 * emulate` as the forge, `disinto init acme/demo`, one backlog issue, and
 * `agents poll <role> --once` runs with the real claude CLI against a `model
 * emulate` of the caller's choosing. dispose() stops every server it started.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseEnv } from "../../core/config/env_file.ts";
import { type BinaryResult, requireBinary, runBinary } from "./binary.ts";
import { type RunningChild, startChild } from "./child.ts";
import { backlogIssue, type ForgeAt, type Json, mustCall, tokenAuth } from "./emulator_api.ts";
import { agentsEnvFor } from "./model_emulator.ts";

export const SLUG = "acme/demo";
const ADMIN = { user: "disinto-admin", pass: "e2e-admin-pass-4f1c" };
/** The key the agents send to the model server: a secret that must not show. */
export const MODEL_KEY = "sk-e2e-model-key-77aa";

export interface AgentsFactory {
  forge: ForgeAt;
  root: string;
  /** A `model emulate` on the binary with `script` (stopped by dispose). */
  model(script: string): Promise<string>;
  /** `agents poll <role> --once` with the real CLI on the model server at `modelUrl`. */
  poll(role: string, modelUrl: string): Promise<BinaryResult>;
  /** GET `/repos/acme/demo<path>` as dev-bot. */
  asDev(path: string): Promise<Json>;
  /** A file as the forge's git serves it on `branch`. */
  fileOnBranch(branch: string, file: string): Promise<string>;
  /** Every output of the polls and every agent run log: none may hold a secret. */
  assertNoSecretShown(): Promise<void>;
  dispose(): Promise<void>;
}

async function startServer(args: string[]): Promise<{ child: RunningChild; url: string }> {
  const child = startChild(requireBinary(), args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  try {
    const line = await child.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/, 15_000);
    return { child, url: /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]! };
  } catch (error) {
    await child.stop("SIGKILL");
    throw error;
  }
}

export async function agentsFactory(): Promise<AgentsFactory> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-e2e-agents-"));
  const root = join(dir, "factory");
  const home = join(dir, "home");
  await Promise.all([mkdir(root), mkdir(home), mkdir(join(dir, "claude"))]);
  const path = process.env.PATH ?? "/usr/bin:/bin";
  const servers: RunningChild[] = [];
  const outputs: string[] = [];
  const dispose = async () => {
    for (const server of servers) await server.stop("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  };
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
    );
    servers.push(forgeServer.child);
    const forge: ForgeAt = { url: forgeServer.url, admin: ADMIN };
    const init = await runBinary(
      ["--root", root, "init", SLUG, "--forge-url", forge.url, "--yes"],
      { env: { PATH: path, HOME: home, FORGE_ADMIN_PASS: ADMIN.pass }, timeoutMs: 60_000 },
    );
    assert.equal(init.code, 0, init.stderr);
    await backlogIssue(forge, SLUG, "Say hello in the README", "A first task for the factory.");
    const secrets = parseEnv(await readFile(join(root, ".env"), "utf8"));
    const devToken = secrets.get("FORGE_TOKEN")!;

    return {
      forge,
      root,
      async model(script) {
        const server = await startServer(["model", "emulate", "--port", "0", "--script", script]);
        servers.push(server.child);
        return server.url;
      },
      async poll(role, modelUrl) {
        const env = {
          ...agentsEnvFor(modelUrl, join(dir, "claude"), { apiKey: MODEL_KEY, path }),
          HOME: home,
        };
        const result = await runBinary(["--root", root, "agents", "poll", role, "--once"], {
          env,
          timeoutMs: 120_000,
        });
        outputs.push(result.stdout, result.stderr);
        assert.equal(result.code, 0, `${role}: ${result.stdout}\n${result.stderr}`);
        return result;
      },
      asDev: (path) =>
        mustCall(forge, "GET", `/repos/${SLUG}${path}`, { auth: tokenAuth(devToken) }),
      async fileOnBranch(branch, file) {
        const clone = await mkdtemp(join(dir, "check-"));
        const url = new URL(`/${SLUG}.git`, forge.url);
        url.username = ADMIN.user;
        url.password = ADMIN.pass;
        execFileSync("git", ["clone", "-q", "--branch", branch, url.href, clone], {
          env: { PATH: path, HOME: dir },
        });
        return await readFile(join(clone, file), "utf8");
      },
      async assertNoSecretShown() {
        const runs = join(root, "state", "agent-runs");
        const logs = await Promise.all(
          (await readdir(runs)).map((name) => readFile(join(runs, name), "utf8")),
        );
        assert.ok(logs.length >= 2, `run logs: ${logs.length}`);
        const values = [...secrets].filter(([key]) => /TOKEN|PASS/.test(key)).map(([, v]) => v);
        for (const secret of [...values, MODEL_KEY, ADMIN.pass]) {
          for (const text of [...outputs, ...logs]) {
            assert.ok(!text.includes(secret), "a secret is shown");
          }
        }
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
