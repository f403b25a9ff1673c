/**
 * ensureCron against a fake `crontab` on PATH: "no crontab for <user>" is an
 * empty table; any other read error stops before writing; a failed write is
 * a failed step.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCron } from "./cron.ts";

/** A root with a fake crontab whose `-l` and `-` behaviours are shell snippets. */
async function withFakeCrontab(
  read: string,
  write: string,
  test: (run: () => ReturnType<typeof ensureCron>, table: string) => Promise<void>,
) {
  const root = await mkdtemp(join(tmpdir(), "disinto-cron-"));
  const table = join(root, "table");
  await writeFile(
    join(root, "crontab"),
    `#!/bin/sh\nif [ "$1" = "-l" ]; then ${read}; else ${write}; fi\n`,
  );
  await chmod(join(root, "crontab"), 0o755);
  const warnings: string[] = [];
  const run = () =>
    ensureCron({
      project: "app",
      root,
      binary: "disinto",
      env: { PATH: `${root}:/usr/bin:/bin`, TABLE: table },
      dryRun: false,
      warn: (text) => warnings.push(text),
    });
  try {
    await test(run, table);
    assert.deepEqual(warnings, []);
  } finally {
    await rm(root, { recursive: true });
  }
}

Deno.test('"no crontab for <user>" is an empty table: the line is written', async () => {
  await withFakeCrontab(
    'echo "no crontab for op" >&2; exit 1',
    'cat > "$TABLE"',
    async (run, table) => {
      assert.deepEqual(await run(), { status: "created" });
      assert.match(await readFile(table, "utf8"), /# disinto:app\n$/);
    },
  );
});

Deno.test("any other crontab -l error stops before writing, as a failed step", async () => {
  await withFakeCrontab(
    'echo "crontab: cannot open /var/spool/cron: Permission denied" >&2; exit 1',
    'cat > "$TABLE"',
    async (run, table) => {
      assert.deepEqual(await run(), {
        status: "failed",
        detail: "crontab -l: crontab: cannot open /var/spool/cron: Permission denied",
      });
      assert.equal(existsSync(table), false, "the table was written over");
    },
  );
});

Deno.test("a write that fails is a failed step naming why", async () => {
  await withFakeCrontab(
    "echo '0 * * * * backup'",
    'cat > /dev/null; echo "crontab: disk full" >&2; exit 1',
    async (run) => {
      assert.deepEqual(await run(), { status: "failed", detail: "crontab -: crontab: disk full" });
    },
  );
});
