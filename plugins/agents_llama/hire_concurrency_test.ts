/**
 * Lost updates: hire-an-agent writes the project TOML and the compose file
 * after slow forge work. Two hires at once, or a hire and init's project-file
 * step, must each keep the other's edits (every table, every service): the
 * writers hold the config lock from re-reading to writing. Each hire is held
 * at its first forge call until the other side has done its work, so the
 * interleaving that used to lose an update happens every run.
 */
import assert from "node:assert/strict";
import { ensureProjectFile } from "../forge/init/project_file.ts";
import { hireFactory } from "./_hire_factory.ts";

/** fetch, its first request held until `go`; `started` says the hire got that far. */
function heldUntil(go: Promise<unknown>, started: () => void): typeof fetch {
  let first = true;
  return async (input, init) => {
    if (first) {
      first = false;
      started();
      await go;
    }
    return await fetch(input, init);
  };
}

function signal() {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => fire = resolve);
  return { fire, fired };
}

Deno.test("two hires at once keep both agents' tables and both compose services", async () => {
  const f = await hireFactory();
  try {
    const a = signal();
    const b = signal();
    const both = Promise.all([a.fired, b.fired]);
    // Both have read the project file before either writes.
    await Promise.all([
      f.hire({ name: "dev-a", role: "dev" }, { fetch: heldUntil(both, a.fire) }),
      f.hire({ name: "dev-b", role: "dev" }, { fetch: heldUntil(both, b.fire) }),
    ]);
    const agents = (await f.toml()).agents as Record<string, unknown>;
    assert.deepEqual(Object.keys(agents).sort(), ["dev-a", "dev-b"]);
    const services = Object.keys((await f.compose()).services);
    assert.ok(services.includes("agents-dev-a"), services.join(","));
    assert.ok(services.includes("agents-dev-b"), services.join(","));
  } finally {
    await f.dispose();
  }
});

Deno.test("init's project-file step during a hire: the hire keeps init's keys", async () => {
  const f = await hireFactory();
  try {
    const started = signal();
    const initDone = signal();
    const hiring = f.hire({ name: "dev-a", role: "dev" }, {
      fetch: heldUntil(initDone.fired, started.fire),
    });
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
