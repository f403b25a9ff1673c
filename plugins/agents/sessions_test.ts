import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keepSession, sessionFor } from "./sessions.ts";

Deno.test("sessions: kept per key, replaced by the next run's, absent or unreadable file = none", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-sessions-"));
  try {
    const file = join(dir, "app-sessions.json");
    assert.equal(await sessionFor(file, "acme/app#issue-1"), undefined);
    await keepSession(file, "acme/app#issue-1", "s-1");
    await keepSession(file, "acme/app#issue-2", "s-2");
    await keepSession(file, "acme/app#issue-1", "s-3");
    assert.equal(await sessionFor(file, "acme/app#issue-1"), "s-3");
    assert.equal(await sessionFor(file, "acme/app#issue-2"), "s-2");
    await writeFile(file, "not json");
    assert.equal(await sessionFor(file, "acme/app#issue-1"), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
