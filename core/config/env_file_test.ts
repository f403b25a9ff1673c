import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { applyEnvUpdates, formatEnvValue, parseEnv, updateEnvFile } from "./env_file.ts";

const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,11}$/);
const value = fc.string({ unit: "grapheme", maxLength: 24 });
const otherLine = fc.oneof(
  fc.constant(""),
  fc.stringMatching(/^# [ -~]{0,20}$/),
  fc.constant("   "),
);

Deno.test("property: a formatted value parses back to itself", () => {
  fc.assert(fc.property(key, value, (k, v) => {
    assert.equal(parseEnv(`${k}=${formatEnvValue(v)}\n`).get(k), v);
  }));
});

Deno.test("property: updates land, other keys and lines are kept byte for byte", () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.tuple(key, value), otherLine), { maxLength: 12 }),
    fc.dictionary(key, value, { maxKeys: 5 }),
    (entries, updates) => {
      const text = entries
        .map((entry) =>
          typeof entry === "string" ? entry : `${entry[0]}=${formatEnvValue(entry[1])}`
        )
        .map((line) => line + "\n").join("");
      const before = parseEnv(text);
      const after = applyEnvUpdates(text, updates);
      const parsed = parseEnv(after);
      for (const [k, v] of Object.entries(updates)) assert.equal(parsed.get(k), v);
      for (const [k, v] of before) if (!Object.hasOwn(updates, k)) assert.equal(parsed.get(k), v);
      // Every line that is not an assignment of an updated key survives unchanged.
      const kept = text.split("\n").filter((line) =>
        !Object.keys(updates).some((k) => line.startsWith(`${k}=`))
      );
      const afterLines = after.split("\n");
      let cursor = 0;
      for (const line of kept) {
        cursor = afterLines.indexOf(line, cursor);
        assert.ok(cursor >= 0, `line lost: ${JSON.stringify(line)}`);
      }
      // Applying the same updates again changes nothing.
      assert.equal(applyEnvUpdates(after, updates), after);
    },
  ));
});

Deno.test("compose forms: export, quotes, inline comments, multi-line double quotes", () => {
  const env = parseEnv([
    "export A=1",
    "B = two # comment",
    "C='single # not a comment $HOME'",
    'D="line\\nbreak \\"quoted\\""',
    'E="multi',
    'line"',
    "F=",
    "not an assignment",
  ].join("\n"));
  assert.equal(env.get("A"), "1");
  assert.equal(env.get("B"), "two");
  assert.equal(env.get("C"), "single # not a comment $HOME");
  assert.equal(env.get("D"), 'line\nbreak "quoted"');
  assert.equal(env.get("E"), "multi\nline");
  assert.equal(env.get("F"), "");
  assert.equal(env.size, 6);
});

Deno.test("a key is replaced where it stands and new keys are appended", () => {
  const text = "# factory\nA=1\n\nB=2 # keep me\n";
  assert.equal(applyEnvUpdates(text, { A: "9", C: "3" }), "# factory\nA=9\n\nB=2 # keep me\nC=3\n");
});

Deno.test("an unchanged value keeps the operator's own formatting", () => {
  const text = "A='1'\n";
  assert.equal(applyEnvUpdates(text, { A: "1" }), text);
});

Deno.test("an invalid key is refused before anything is written", () => {
  assert.throws(() => applyEnvUpdates("", { "BAD KEY": "x" }), /Invalid \.env key "BAD KEY"/);
});

Deno.test("updateEnvFile writes 0600 atomically and does not rewrite an unchanged file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-env-"));
  const file = join(dir, ".env");
  await writeFile(file, "# mine\nA=1\n", { mode: 0o644 });
  assert.equal(await updateEnvFile(file, { B: "s3cr3t'$" }), true);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(await readFile(file, "utf8"), `# mine\nA=1\nB="s3cr3t'\\$"\n`);
  const before = await stat(file);
  assert.equal(await updateEnvFile(file, { B: "s3cr3t'$", A: "1" }), false);
  assert.equal((await stat(file)).mtimeMs, before.mtimeMs);
  await rm(dir, { recursive: true });
});

Deno.test("concurrent updateEnvFile calls keep every key (writers take state/env.lock)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-env-race-"));
  try {
    const path = join(dir, ".env");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => updateEnvFile(path, { [`KEY_${i}`]: `value-${i}` })),
    );
    const env = parseEnv(await readFile(path, "utf8"));
    assert.equal(env.size, 20);
    for (let i = 0; i < 20; i++) assert.equal(env.get(`KEY_${i}`), `value-${i}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("updateEnvFile removes temp files a killed writer left behind", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-env-temp-"));
  try {
    const path = join(dir, ".env");
    await writeFile(path, "A=1\n");
    await writeFile(join(dir, "..env.0123456789abc.tmp"), "A=1\nSECRET=half-writ", { mode: 0o600 });
    await writeFile(join(dir, ".envrc"), "kept\n");
    assert.equal(await updateEnvFile(path, { A: "1" }), false);
    assert.deepEqual((await readdir(dir)).sort(), [".env", ".envrc", "state"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("values holding U+2028, U+2029 or a carriage return round-trip (found by the property)", () => {
  for (const value of ["\u2028", "a\u2029b", " \u00a0 ", "x\ry"]) {
    const text = applyEnvUpdates("", { K: value });
    assert.equal(parseEnv(text).get("K"), value, JSON.stringify(text));
  }
});
