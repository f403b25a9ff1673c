/**
 * Re-running `disinto release` for a version whose tag exists: at the commit
 * the version was released at, only the mirrors that failed are tried again
 * (and the record says so); at any other commit it is refused.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { bareMirror, tagInBare } from "./testdata/emulated_forge.ts";
import { apiWrites, outcomes, readRecord, release, setup } from "./testdata/release_setup.ts";

Deno.test("a re-run retries only the mirrors that failed, and the record says so", async () => {
  const s = await setup(2);
  try {
    const brokenDir = join(s.dir, "later", "broken.git");
    await s.project({ m1: s.mirrors.m1!, broken: `file://${brokenDir}`, m2: s.mirrors.m2! });
    const first = await release(s, ["v2.0.0"]);
    assert.equal(first.code, 1);
    const before = await readRecord(s, "v2.0.0");
    assert.deepEqual(outcomes(before), [
      ["m1", "ssh", "pushed"],
      ["broken", "ssh", "failed"],
      ["m2", "ssh", "pushed"],
    ]);
    // The broken mirror is fixed; m1 goes away: a re-run that pushed to it again would fail.
    await bareMirror(brokenDir, s.env);
    await rm(s.mirrors.m1!.slice("file://".length), { recursive: true });
    s.forge.emulator.clearRequestLog();
    const again = await release(s, ["v2.0.0"]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal(again.stderr, "");
    assert.equal(await tagInBare(`file://${brokenDir}`, "v2.0.0", s.env), s.head);
    assert.deepEqual(apiWrites(s.forge), [], "the tag is not made again");
    const short = s.head.slice(0, 12);
    assert.match(
      again.stdout,
      new RegExp(`^ok {3}forge: v2\\.0\\.0 exists at ${short}: a re-run, only the mirrors`, "m"),
    );
    assert.match(
      again.stdout,
      new RegExp(`^skip tag: v2\\.0\\.0 already exists at ${short}$`, "m"),
    );
    assert.match(
      again.stdout,
      /^ok {3}mirrors: retried 1 that failed before \(broken \(ssh\)\): 1 push\(es\) done$/m,
    );
    const after = await readRecord(s, "v2.0.0");
    assert.deepEqual(after.retried, ["broken (ssh)"]);
    assert.equal(after.sha, s.head);
    assert.deepEqual(outcomes(after), [
      ["m1", "ssh", "pushed"],
      ["broken", "ssh", "pushed"],
      ["m2", "ssh", "pushed"],
    ]);
    // Nothing left to retry: a third run pushes nothing and succeeds.
    const third = await release(s, ["v2.0.0"]);
    assert.equal(third.code, 0, third.stderr + third.stdout);
    assert.match(third.stdout, /^ok {3}mirrors: retried 0 that failed before \(none\): 0 push/m);
    assert.deepEqual((await readRecord(s, "v2.0.0")).retried, []);
  } finally {
    await s.dispose();
  }
});

Deno.test("a re-run whose tag was moved away from the recorded commit is refused: exit 1, one line", async () => {
  const s = await setup(1);
  try {
    assert.equal((await release(s, ["v2.1.0"])).code, 0);
    // Someone moves the tag to the first commit by hand.
    assert.equal(
      (await s.forge.api("/repos/acme/demo/tags/v2.1.0", { method: "DELETE" })).status,
      204,
    );
    const made = await s.forge.api("/repos/acme/demo/tags", {
      method: "POST",
      body: JSON.stringify({ tag_name: "v2.1.0", target: s.first, message: "moved" }),
    });
    assert.equal(made.status, 201);
    s.forge.emulator.clearRequestLog();
    const result = await release(s, ["v2.1.0"]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `disinto: version v2.1.0: the tag already exists on acme/demo at ${
        s.first.slice(0, 12)
      }, not at ${s.head.slice(0, 12)} (the commit its record names); expected a new version\n`,
    );
    assert.deepEqual(s.forge.emulator.writes(), []);
    assert.equal((await readRecord(s, "v2.1.0")).retried, undefined, "the record is untouched");
  } finally {
    await s.dispose();
  }
});
