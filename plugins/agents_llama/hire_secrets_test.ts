/**
 * `.env` is where identity secrets live (core/config/secret_shadow.ts): hire
 * reads and writes an agent's token and password there whatever the shell
 * holds, and names a shell value that differs (never printing it).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { agentOnForge } from "./_emulator_checks.ts";
import { hireFactory } from "./_hire_factory.ts";

Deno.test("a shell FORGE_TOKEN_<AGENT> never stands in for .env's: .env gets the secrets, the shell is warned about", async () => {
  const f = await hireFactory();
  try {
    await f.hire({ name: "dev-a", role: "dev" });
    const first = parseEnv(await f.envText());
    const shell = {
      FORGE_TOKEN_DEV_A: first.get("FORGE_TOKEN_DEV_A")!,
      FORGE_PASS_DEV_A: first.get("FORGE_PASS_DEV_A")!,
    };
    // A new checkout of the factory: .env without the agent's keys, the old ones in the shell.
    await writeFile(
      join(f.root, ".env"),
      `FORGE_URL=${f.emulator.url}\nFORGE_ADMIN_PASS=${f.emulator.admin.pass}\n`,
    );
    const report = await f.hire({ name: "dev-a", role: "dev" }, { env: shell });
    const after = parseEnv(await f.envText());
    const token = after.get("FORGE_TOKEN_DEV_A");
    const password = after.get("FORGE_PASS_DEV_A");
    assert.ok(token && password, ".env did not get the agent's secrets");
    assert.deepEqual(
      await agentOnForge(f.emulator, "acme/demo", "dev-a", { token, password }),
      {
        userStatus: 200,
        tokenLogin: "dev-a",
        passwordLogin: "dev-a",
        permission: "write",
        collaborator: "write",
      },
    );
    assert.equal(report.warnings.length, 2, report.warnings.join("\n"));
    assert.match(report.warnings[0]!, /^FORGE_TOKEN_DEV_A in the environment differs from \.env/);
    assert.match(report.warnings[1]!, /^FORGE_PASS_DEV_A in the environment differs from \.env/);
    for (const secret of Object.values(shell)) {
      assert.ok(!report.warnings.join("\n").includes(secret), "a warning shows the secret");
    }
  } finally {
    await f.dispose();
  }
});

Deno.test("a shell value equal to .env's is no warning", async () => {
  const f = await hireFactory();
  try {
    await f.hire({ name: "dev-a", role: "dev" });
    const env = parseEnv(await f.envText());
    const report = await f.hire({ name: "dev-a", role: "dev" }, {
      env: { FORGE_TOKEN_DEV_A: env.get("FORGE_TOKEN_DEV_A")! },
    });
    assert.deepEqual(report.warnings, []);
    assert.equal(report.identity.token, "unchanged");
  } finally {
    await f.dispose();
  }
});
