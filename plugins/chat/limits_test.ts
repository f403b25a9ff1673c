import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DAY_MS, HOUR_MS, LimitBook } from "./limits.ts";

async function withBook(
  limits: { requestsPerHour: number; requestsPerDay: number; tokensPerDay: number },
  body: (book: () => LimitBook, clock: { now: number }, dir: string) => Promise<void>,
) {
  const dir = await mkdtemp(join(tmpdir(), "chat-limits-"));
  const clock = { now: Date.UTC(2025, 0, 1, 12) };
  try {
    await body(() => new LimitBook(dir, limits, () => clock.now), clock, dir);
  } finally {
    await rm(dir, { recursive: true });
  }
}

Deno.test("requests per hour: refused at the limit, back when the oldest leaves the hour", () =>
  withBook({ requestsPerHour: 2, requestsPerDay: 0, tokensPerDay: 0 }, async (make, clock) => {
    const book = make();
    const start = clock.now;
    assert.deepEqual(await book.admit("alice"), { ok: true });
    clock.now += 10 * 60_000;
    assert.deepEqual(await book.admit("alice"), { ok: true });
    clock.now += 60_000;
    assert.deepEqual(await book.admit("alice"), {
      ok: false,
      limit: "requestsPerHour",
      resetAt: start + HOUR_MS,
    });
    // A refusal is not counted; another user is not affected.
    assert.deepEqual(await book.admit("bob"), { ok: true });
    clock.now = start + HOUR_MS - 1;
    assert.equal((await book.admit("alice")).ok, false);
    clock.now = start + HOUR_MS;
    assert.deepEqual(await book.admit("alice"), { ok: true });
    assert.deepEqual(await book.usage("alice"), {
      requestsLastHour: 2,
      requestsLastDay: 3,
      tokensLastDay: 0,
    });
  }));

Deno.test("requests per day, and the count survives a restart (read from disk)", () =>
  withBook({ requestsPerHour: 0, requestsPerDay: 3, tokensPerDay: 0 }, async (make, clock) => {
    const start = clock.now;
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await make().admit("alice"), { ok: true });
      clock.now += 2 * HOUR_MS;
    }
    assert.deepEqual(await make().admit("alice"), {
      ok: false,
      limit: "requestsPerDay",
      resetAt: start + DAY_MS,
    });
    clock.now = start + DAY_MS;
    assert.deepEqual(await make().admit("alice"), { ok: true });
  }));

Deno.test("tokens per day: reset when enough tokens have left the day", () =>
  withBook({ requestsPerHour: 0, requestsPerDay: 0, tokensPerDay: 1000 }, async (make, clock) => {
    const book = make();
    const start = clock.now;
    await book.addTokens("alice", 600);
    clock.now += HOUR_MS;
    await book.addTokens("alice", 300);
    clock.now += HOUR_MS;
    assert.deepEqual(await book.admit("alice"), { ok: true });
    await book.addTokens("alice", 200);
    // 1100 spent: dropping the first 600 brings it under 1000.
    assert.deepEqual(await book.admit("alice"), {
      ok: false,
      limit: "tokensPerDay",
      resetAt: start + DAY_MS,
    });
    await book.addTokens("alice", 0);
    await book.addTokens("alice", Number.NaN);
    assert.equal((await book.usage("alice")).tokensLastDay, 1100);
  }));

Deno.test("concurrent admits never let more through than the limit", () =>
  withBook({ requestsPerHour: 5, requestsPerDay: 0, tokensPerDay: 0 }, async (make) => {
    const book = make();
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => book.admit("alice")));
    assert.equal(verdicts.filter((v) => v.ok).length, 5);
  }));

Deno.test("ledgers are per user, path-safe, and a traversal name stays in the folder", () =>
  withBook({ requestsPerHour: 1, requestsPerDay: 0, tokensPerDay: 0 }, async (make, _c, dir) => {
    const book = make();
    await book.admit("../../escape");
    await book.admit("Alice");
    // Each ledger has its lock file beside it (same safe name).
    assert.deepEqual((await readdir(dir)).sort(), [
      "_2e_2e_2f_2e_2e_2fescape.json",
      "_2e_2e_2f_2e_2e_2fescape.json.lock",
      "alice.json",
      "alice.json.lock",
    ]);
    // Forge logins are case-insensitive: "alice" is the same ledger as "Alice".
    assert.equal((await book.admit("alice")).ok, false);
  }));

Deno.test("two books on one folder (as `chat serve` and `disinto chat` are) never both take the last slot", () =>
  withBook({ requestsPerHour: 3, requestsPerDay: 0, tokensPerDay: 0 }, async (make) => {
    const [first, second] = [make(), make()];
    assert.deepEqual(await first.admit("alice"), { ok: true });
    assert.deepEqual(await second.admit("alice"), { ok: true });
    for (let round = 0; round < 5; round++) {
      const verdicts = await Promise.all([first.admit("alice"), second.admit("alice")]);
      assert.equal(verdicts.filter((v) => v.ok).length, round === 0 ? 1 : 0, `round ${round}`);
    }
    assert.equal((await first.usage("alice")).requestsLastHour, 3);
  }));

Deno.test("a corrupt limits file counts as empty, said once in the log; malformed entries are skipped", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chat-limits-"));
  const now = Date.UTC(2025, 0, 1, 12);
  const logs: string[] = [];
  const limits = { requestsPerHour: 3, requestsPerDay: 0, tokensPerDay: 1000 };
  try {
    const book = new LimitBook(dir, limits, () => now, (line) => logs.push(line));
    await writeFile(join(dir, "alice.json"), '{"requests": [1, 2');
    assert.equal((await book.usage("alice")).requestsLastDay, 0);
    assert.deepEqual(await book.admit("alice"), { ok: true });
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /alice\.json is unreadable .*counted as empty/);
    // The admission rewrote it whole: readable again, nothing more logged.
    assert.equal((await book.usage("alice")).requestsLastDay, 1);
    assert.equal(logs.length, 1);

    await writeFile(
      join(dir, "bob.json"),
      JSON.stringify({
        requests: [now - 1, "x", null, now - 2, { t: 1 }],
        tokens: [[now - 1, 400], "bad", null, [now - 1], [now - 1, "9"], [now - 1, -5], [now, 700]],
      }),
    );
    assert.deepEqual(await book.usage("bob"), {
      requestsLastHour: 2,
      requestsLastDay: 2,
      tokensLastDay: 1100,
    });
    assert.deepEqual(await book.admit("bob"), {
      ok: false,
      limit: "tokensPerDay",
      resetAt: now - 1 + DAY_MS,
    });
    await book.addTokens("bob", 5);
    assert.equal((await book.usage("bob")).tokensLastDay, 1105);
    assert.equal(logs.length, 1);
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("entries dated in the future (the clock stepped back) count as now: no wait beyond the window", () =>
  withBook(
    { requestsPerHour: 2, requestsPerDay: 0, tokensPerDay: 100 },
    async (make, clock, dir) => {
      const now = clock.now;
      const later = now + 5 * DAY_MS;
      await writeFile(
        join(dir, "alice.json"),
        JSON.stringify({ requests: [later, later + 1], tokens: [] }),
      );
      await writeFile(
        join(dir, "bob.json"),
        JSON.stringify({ requests: [], tokens: [[later, 150]] }),
      );
      const book = make();
      assert.deepEqual(await book.admit("alice"), {
        ok: false,
        limit: "requestsPerHour",
        resetAt: now + HOUR_MS,
      });
      assert.deepEqual(await book.admit("bob"), {
        ok: false,
        limit: "tokensPerDay",
        resetAt: now + DAY_MS,
      });
      assert.deepEqual(await book.usage("alice"), {
        requestsLastHour: 2,
        requestsLastDay: 2,
        tokensLastDay: 0,
      });
      clock.now = now + HOUR_MS;
      assert.deepEqual(await book.admit("alice"), { ok: true });
    },
  ));
