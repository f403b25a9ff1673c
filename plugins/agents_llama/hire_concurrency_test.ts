/**
 * Lost updates: hire-an-agent writes the project TOML and the compose file
 * after slow forge work. Two hires at once, or a hire and init's project-file
 * step, must each keep the other's edits (every table, every service): the
 * writers hold the config lock from re-reading to writing. Each hire is held
 * at its first forge call until the other side has done its work, so the
 * interleaving that used to lose an update happens every run.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { testContext } from "../../core/context.ts";
import type { IdentityForge } from "../../core/identity/ensure_identity.ts";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { ensureProjectFile } from "../forge/init/project_file.ts";
import { plugins } from "../mod.ts";
import { createProjectRepo, startModelServer } from "./_emulator_checks.ts";
import { forgeIdentityAdapter } from "./forge_identity.ts";
import { hireAgent, parseHireArguments } from "./hire.ts";

const PROJECT = `name = "demo"\nrepo = "acme/demo"\nforge_url = "http://127.0.0.1:3000"\n`;

async function factory() {
  const emulator = await startEmulator();
  const model = await startModelServer();
  await createProjectRepo(emulator, "acme/demo");
  const root = await mkdtemp(join(tmpdir(), "disinto-hire-race-"));
  const projectFile = join(root, "projects", "demo.toml");
  await mkdir(join(root, "projects"));
  await writeFile(projectFile, PROJECT);
  await writeFile(
    join(root, ".env"),
    `FORGE_URL=${emulator.url}\nFORGE_ADMIN_PASS=${emulator.admin.pass}\n`,
  );
  /** Hire `name`; its forge work starts only once `go` resolves. */
  const hire = (name: string, go: Promise<unknown>, started: () => void) =>
    hireAgent(parseHireArguments({ name, role: "dev", localModel: model.url }), {
      context: testContext({ env: { HOME: "/home/op" } }),
      root,
      projectSelector: undefined,
      plugins,
      identityForge: (access) => heldUntil(forgeIdentityAdapter(access), go, started),
    });
  return {
    root,
    projectFile,
    hire,
    toml: async () => parseToml(await readFile(projectFile, "utf8")) as Record<string, unknown>,
    services: async () =>
      Object.keys(
        (parseYaml(await readFile(join(root, "docker-compose.yml"), "utf8")) as {
          services: Record<string, unknown>;
        }).services,
      ),
    async dispose() {
      await model.shutdown();
      await emulator.dispose();
      await rm(root, { recursive: true });
    },
  };
}

/** The forge, its first call held until `go`; `started` says the hire got that far. */
function heldUntil(forge: IdentityForge, go: Promise<unknown>, started: () => void) {
  let first = true;
  return {
    ...forge,
    async userExists(user: string) {
      if (first) {
        first = false;
        started();
        await go;
      }
      return forge.userExists(user);
    },
  };
}

function signal() {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => fire = resolve);
  return { fire, fired };
}

Deno.test("two hires at once keep both agents' tables and both compose services", async () => {
  const f = await factory();
  try {
    const a = signal();
    const b = signal();
    const both = Promise.all([a.fired, b.fired]);
    // Both have read the project file before either writes.
    await Promise.all([f.hire("dev-a", both, a.fire), f.hire("dev-b", both, b.fire)]);
    const agents = (await f.toml()).agents as Record<string, unknown>;
    assert.deepEqual(Object.keys(agents).sort(), ["dev-a", "dev-b"]);
    const services = await f.services();
    assert.ok(services.includes("agents-dev-a"), services.join(","));
    assert.ok(services.includes("agents-dev-b"), services.join(","));
  } finally {
    await f.dispose();
  }
});

Deno.test("init's project-file step during a hire: the hire keeps init's keys", async () => {
  const f = await factory();
  try {
    const started = signal();
    const initDone = signal();
    const hiring = f.hire("dev-a", initDone.fired, started.fire);
    await started.fired; // the hire has read the project file
    const status = await ensureProjectFile(f.projectFile, {
      name: "demo",
      repo: "acme/demo",
      ops_repo: "disinto-admin/demo-ops",
      forge_url: "http://127.0.0.1:3000",
      primary_branch: "trunk",
    }, { root: f.root, dryRun: false });
    assert.equal(status, "updated");
    initDone.fire();
    await hiring;
    const toml = await f.toml();
    assert.equal(toml.primary_branch, "trunk");
    assert.equal(toml.ops_repo, "disinto-admin/demo-ops");
    assert.deepEqual(Object.keys(toml.agents as object), ["dev-a"]);
  } finally {
    await f.dispose();
  }
});
