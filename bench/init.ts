/**
 * `disinto init` wall time against a forge served in this process (targets:
 * fresh < 2 s, re-run < 1 s) and the number of API requests each run makes.
 * Runs the compiled binary (dist/disinto); median of 5 fresh factories.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveFakeForge } from "../tests/integration/served_forge.ts";

const runs = 5;
const ADMIN_PASS = "admin-pass-123";

/** Run init to completion (asynchronously: the forge is served by this process). */
function init(root: string, url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("dist/disinto", ["--root", root, "init", "acme/app", "--yes"], {
      env: { PATH: "/usr/bin:/bin", FORGE_URL: url, FORGE_ADMIN_PASS: ADMIN_PASS },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => stderr += chunk);
    child.on("error", reject);
    child.on(
      "close",
      (code) =>
        code === 0
          ? resolve(performance.now() - started)
          : reject(new Error(`init exited ${code}: ${stderr} (run deno task build first)`)),
    );
  });
}

const fresh: number[] = [];
const rerun: number[] = [];
let freshRequests = 0;
let rerunRequests = 0;
for (let i = 0; i < runs; i++) {
  const served = await serveFakeForge({ adminPass: ADMIN_PASS });
  const root = await mkdtemp(join(tmpdir(), "disinto-bench-init-"));
  try {
    fresh.push(await init(root, served.url));
    freshRequests = served.forge.log.length;
    served.forge.log = [];
    rerun.push(await init(root, served.url));
    rerunRequests = served.forge.log.length;
  } finally {
    await served.dispose();
    await rm(root, { recursive: true, force: true });
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `init fresh median: ${
    median(fresh).toFixed(0)
  } ms (target < 2000 ms), ${freshRequests} API requests, n=${runs}`,
);
console.log(
  `init re-run median: ${
    median(rerun).toFixed(0)
  } ms (target < 1000 ms), ${rerunRequests} API requests, n=${runs}`,
);
