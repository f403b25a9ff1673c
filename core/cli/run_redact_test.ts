import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { testContext } from "../context.ts";
import { runCli } from "./run.ts";

Deno.test("lock run: a secret the child writes in two pieces never reaches the output", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-redact-"));
  try {
    const secret = "s3cr3t-value-0123456789";
    // Two writes with a pause between, so the parent reads two chunks.
    const script = 'printf "token=%s" "${DEMO_TOKEN%??????????}"; sleep 0.3; ' +
      'printf "%s done\\n" "${DEMO_TOKEN#?????????????}"; printf "%s" "${DEMO_TOKEN%???}" >&2';
    const context = testContext({
      argv: ["lock", "run", join(dir, "lock"), "--", "sh", "-c", script],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DEMO_TOKEN: secret },
      cwd: dir,
    });
    assert.equal(await runCli(context, []), 0, context.stderr.text);
    assert.equal(context.stdout.text, "token=*** done\n");
    // A possible start of a secret held back at the end is still written.
    assert.equal(context.stderr.text, secret.slice(0, -3));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
