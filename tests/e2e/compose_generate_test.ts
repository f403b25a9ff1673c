/** The compiled binary generates the same compose file as the goldens and wraps docker compose. */
import assert from "node:assert/strict";
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBinary } from "../helpers/binary.ts";

const testdata = fileURLToPath(new URL("../../plugins/compose/testdata/", import.meta.url));

for (const name of ["minimal", "ci-two-agents"]) {
  Deno.test(`binary: compose generate matches the ${name} golden`, async () => {
    const root = await mkdtemp(join(tmpdir(), "disinto-e2e-compose-"));
    try {
      await cp(join(testdata, name, "projects"), join(root, "projects"), { recursive: true });
      const env = JSON.parse(await readFile(join(testdata, name, "env.json"), "utf8"));
      const result = await runBinary(["--root", root, "compose", "generate"], {
        env: { PATH: "/usr/bin:/bin", ...env },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        await readFile(join(root, "docker-compose.yml"), "utf8"),
        await readFile(join(testdata, name, "docker-compose.yml.golden"), "utf8"),
      );
      const again = await runBinary(["--root", root, "compose", "generate", "--stdout"], {
        env: { PATH: "/usr/bin:/bin", ...env },
      });
      assert.equal(again.stdout, await readFile(join(root, "docker-compose.yml"), "utf8"));
    } finally {
      await rm(root, { recursive: true });
    }
  });
}

Deno.test("binary: up runs docker compose -f <root>/docker-compose.yml up -d", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-e2e-compose-"));
  try {
    await cp(join(testdata, "minimal", "projects"), join(root, "projects"), { recursive: true });
    await mkdir(join(root, "bin"));
    await writeFile(
      join(root, "bin", "docker"),
      `#!/bin/sh\nprintf '%s\\n' "$@" > "$ARGV_FILE"\necho started\n`,
    );
    await chmod(join(root, "bin", "docker"), 0o755);
    const env = {
      PATH: `${join(root, "bin")}:/usr/bin:/bin`,
      HOME: "/home/op",
      ARGV_FILE: join(root, "argv"),
    };
    assert.equal((await runBinary(["--root", root, "compose", "generate"], { env })).code, 0);
    const up = await runBinary(["--root", root, "up"], { env });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, "started\n");
    assert.deepEqual((await readFile(join(root, "argv"), "utf8")).trim().split("\n"), [
      "compose",
      "-f",
      join(root, "docker-compose.yml"),
      "up",
      "-d",
    ]);
  } finally {
    await rm(root, { recursive: true });
  }
});
