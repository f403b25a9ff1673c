/**
 * `init --install-cron` on the compiled binary installs a line whose command
 * exists and works: the test runs that line the way cron does (`sh -c`, a
 * minimal environment, nothing but the factory root to go on) and the dev
 * poll cycle it starts turns the backlog issue into a pull request (the agent
 * CLI is the faithful fake, writing one file).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startEmulator } from "../helpers/emulator.ts";
import { adminCall, backlogIssue } from "../helpers/emulator_api.ts";

const FAKE_CLAUDE = fileURLToPath(new URL("../fixtures/fake_claude.sh", import.meta.url));

Deno.test("the crontab line init installs runs a real dev poll cycle", async () => {
  const emulator = await startEmulator();
  const dir = await mkdtemp(join(tmpdir(), "disinto-e2e-cron-"));
  const root = join(dir, "factory");
  const bin = join(dir, "bin");
  const table = join(dir, "crontab.txt");
  try {
    await mkdir(root);
    await mkdir(bin);
    // A crontab that keeps the table in a file, as `crontab -l` / `crontab -` do.
    await writeFile(
      join(bin, "crontab"),
      `#!/bin/sh\nif [ "$1" = "-l" ]; then cat "${table}" 2>/dev/null || ` +
        `{ echo "no crontab for op" >&2; exit 1; }; else cat > "${table}"; fi\n`,
    );
    await chmod(join(bin, "crontab"), 0o755);
    const init = await runBinary(
      ["--root", root, "init", "acme/app", "--forge-url", emulator.url, "--yes", "--install-cron"],
      {
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          HOME: dir,
          FORGE_ADMIN_PASS: emulator.admin.pass,
        },
      },
    );
    assert.equal(init.code, 0, init.stderr);
    const lines = (await readFile(table, "utf8")).split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, lines.join("\n"));
    const [minute, hour, day, month, weekday, ...command] = lines[0]!.split(" ");
    assert.deepEqual([minute, hour, day, month, weekday], ["*/5", "*", "*", "*", "*"]);
    assert.ok(lines[0]!.includes(`'${requireBinary()}'`), lines[0]);

    await backlogIssue(emulator, "acme/app", "First task");

    // cron's environment: a bare PATH and HOME; the agent CLI is the faithful fake.
    const cron = await promisify(execFile)("/bin/sh", ["-c", command.join(" ")], {
      env: {
        PATH: `/usr/bin:/bin:${process.env.PATH}`,
        HOME: dir,
        CLAUDE_BIN: FAKE_CLAUDE,
        FAKE_CLAUDE_MODE: "success",
        FAKE_CLAUDE_WRITE_FILE: "hello.txt",
        FAKE_CLAUDE_WRITE_TEXT: "hello",
      },
      cwd: "/",
    });
    assert.match(cron.stdout, /dev: #1: claimed/);
    const pulls = await adminCall(emulator, "GET", "/repos/acme/app/pulls?state=open");
    assert.deepEqual(
      pulls.map((
        p: { head: { ref: string }; body: string },
      ) => [p.head.ref, p.body.includes("Closes #1")]),
      [["fix/issue-1", true]],
      cron.stdout,
    );
  } finally {
    await emulator.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
