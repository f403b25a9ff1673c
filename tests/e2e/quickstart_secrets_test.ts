/**
 * The quickstart (scripts/quickstart.sh) on the compiled binary puts the admin
 * password on no command line: every disinto and curl invocation is logged by
 * a wrapper, and none holds the password the factory's .env ends up with. The
 * journey ends with the pull request the agents made, reviewed and merged.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { repoRoot, requireBinary } from "../helpers/binary.ts";

async function tool(file: string, script: string): Promise<void> {
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
}

Deno.test("quickstart: the admin password is on no command line (disinto or curl)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-quickstart-secrets-"));
  try {
    const argvLog = join(dir, "argv.log");
    const secretLog = join(dir, "secret.log");
    const wrapper = join(dir, "disinto");
    await tool(
      wrapper,
      `printf '%s\\n' "$*" >> "${argvLog}"
if [ "$1" = "--root" ] && [ -f "$2/.env" ]; then sed -n 's/^FORGE_ADMIN_PASS=//p' "$2/.env" >> "${secretLog}"; fi
exec "${requireBinary()}" "$@"`,
    );
    const bin = join(dir, "bin");
    await mkdir(bin);
    await tool(join(bin, "curl"), `printf '%s\\n' "$*" >> "${argvLog}"\nexec /usr/bin/curl "$@"`);
    const child = spawn("bash", [join(repoRoot, "scripts", "quickstart.sh")], {
      cwd: repoRoot,
      env: {
        PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        HOME: dir,
        TMPDIR: dir,
        DISINTO_BINARY: wrapper,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => output += chunk);
    child.stderr.on("data", (chunk) => output += chunk);
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    const code = await new Promise<number | null>((done) => child.on("close", done));
    clearTimeout(timer);
    assert.equal(code, 0, output.slice(-2000));
    const secrets = new Set((await readFile(secretLog, "utf8")).split("\n").filter(Boolean));
    assert.equal(secrets.size, 1, "one admin password, read from the factory's .env");
    const [secret] = [...secrets];
    const argv = await readFile(argvLog, "utf8");
    assert.ok(!argv.includes(secret!), "the admin password is on a command line");
    assert.match(argv, /forge emulate /);
    assert.match(argv, /-K - -fsS http/);
    assert.ok(!output.includes(secret!), "the admin password is in the quickstart's output");
    // The journey goes on to a dev and a review cycle with the real claude CLI: a merged PR.
    assert.match(output, /^merged: PR #\d+ "Say hello in the README" by dev-bot, http/m);
    assert.match(output, /^ +Closes #1$/m);
    // …and a question to the terminal chat, answered through the same model server.
    assert.match(output, /^> dev-bot turned issue #1 into a pull request, review-bot approved it/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
