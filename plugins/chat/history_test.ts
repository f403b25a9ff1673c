import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HistoryStore } from "./history.ts";

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "chat-history-"));
  try {
    await body(join(dir, "history"));
  } finally {
    await rm(dir, { recursive: true });
  }
}

const entry = (
  user: string,
  role: "user" | "assistant",
  content: string,
  ts = "2025-01-01T00:00:00.000Z",
) => ({
  ts,
  user,
  role,
  content,
});

Deno.test("history is NDJSON {ts,user,role,content}, appended, and read back in order", () =>
  withDir(async (dir) => {
    const store = new HistoryStore(dir);
    await store.append(entry("alice", "user", "hello"));
    await store.append(entry("alice", "assistant", "line one\nline two <b>"));
    const raw = await readFile(join(dir, "alice.ndjson"), "utf8");
    assert.deepEqual(raw.trimEnd().split("\n").map((l) => JSON.parse(l)), [
      entry("alice", "user", "hello"),
      entry("alice", "assistant", "line one\nline two <b>"),
    ]);
    // A fresh store (a restart) reads the same.
    assert.deepEqual(await new HistoryStore(dir).read("alice"), [
      entry("alice", "user", "hello"),
      entry("alice", "assistant", "line one\nline two <b>"),
    ]);
    assert.equal((await stat(join(dir, "alice.ndjson"))).mode & 0o777, 0o600);
  }));

Deno.test("history is per user; names are path-safe; unknown users have none", () =>
  withDir(async (dir) => {
    const store = new HistoryStore(dir);
    await store.append(entry("alice", "user", "mine"));
    await store.append(entry("../alice", "user", "not alice's"));
    assert.deepEqual((await readdir(dir)).sort(), ["_2e_2e_2falice.ndjson", "alice.ndjson"]);
    assert.deepEqual((await store.read("alice")).map((e) => e.content), ["mine"]);
    assert.deepEqual(await store.read("bob"), []);
  }));

Deno.test("a torn or foreign line is skipped; read keeps the last entries", () =>
  withDir(async (dir) => {
    const store = new HistoryStore(dir);
    for (let i = 0; i < 5; i++) await store.append(entry("alice", "user", `m${i}`));
    await appendFile(
      join(dir, "alice.ndjson"),
      '{"ts":"x","user":"alice","role":"root","content":"?"}\n{"ts":',
    );
    assert.deepEqual((await store.read("alice", 3)).map((e) => e.content), ["m2", "m3", "m4"]);
  }));

Deno.test("only the tail is read: a history far larger than any read (a 3 GiB sparse head) still shows its last entries", () =>
  withDir(async (dir) => {
    const store = new HistoryStore(dir);
    await store.append(entry("alice", "user", "first"));
    // Past what one read could hold (readFile refuses > 2 GiB); sparse, so no disk is used.
    await truncate(join(dir, "alice.ndjson"), 3 * 1024 ** 3);
    await appendFile(join(dir, "alice.ndjson"), "\n");
    for (let i = 0; i < 5; i++) await store.append(entry("alice", "assistant", `reply ${i}`));
    assert.deepEqual(
      (await store.read("alice", 3)).map((e) => e.content),
      ["reply 2", "reply 3", "reply 4"],
    );
    // Asked for more than there is near the end: it stops after MAX_TAIL_BYTES, not at the start.
    assert.deepEqual(
      (await store.read("alice", 500)).map((e) => e.content),
      ["reply 0", "reply 1", "reply 2", "reply 3", "reply 4"],
    );
  }));

Deno.test("reading the tail across chunk boundaries: every entry whole, multi-byte text intact, torn lines skipped", () =>
  withDir(async (dir) => {
    const store = new HistoryStore(dir);
    // Lines of ~30 KiB with 3- and 4-byte characters, so chunk edges fall inside lines and characters.
    const contents = Array.from({ length: 12 }, (_, i) => `${i}:${"€😀x".repeat(4_000 + i)}`);
    for (const [i, content] of contents.entries()) {
      await store.append(entry("alice", i % 2 ? "assistant" : "user", content));
      if (i === 6) await appendFile(join(dir, "alice.ndjson"), '{"ts":"torn\n');
    }
    assert.deepEqual((await store.read("alice", 5)).map((e) => e.content), contents.slice(-5));
    assert.deepEqual((await store.read("alice")).map((e) => e.content), contents);
    assert.deepEqual(await store.read("nobody"), []);
  }));
