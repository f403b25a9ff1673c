import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "smol-toml";
import { renderTable, replaceTable, splitDottedKey } from "./toml_table.ts";

/** smol-toml builds null-prototype objects; compare plain data. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

const SAMPLE = `# my project
name = "demo"   # inline
repo = "acme/demo"

[mirrors]
github = "git@github.com:acme/demo.git"

# the local model agents
[agents.dev-qwen]
forge_user = "dev-qwen"
prompt = """
[not.a.header]
"""

[agents.dev-qwen.extra]
x = 1

# trailing comment stays with ci
[ci]
timeout = 30
`;

Deno.test("replacing a table leaves every other byte unchanged", () => {
  const table = renderTable(["agents", "dev-qwen"], { forge_user: "dev-qwen", poll_interval: 45 });
  const out = replaceTable(SAMPLE, ["agents", "dev-qwen"], table);
  const start = SAMPLE.indexOf("[agents.dev-qwen]");
  const end = SAMPLE.indexOf("# trailing comment");
  assert.equal(out.slice(0, start), SAMPLE.slice(0, start));
  assert.equal(out.slice(start, start + table.length), table);
  assert.ok(out.endsWith(SAMPLE.slice(end)), "the rest of the file is untouched");
  const parsed = parse(out) as { agents: Record<string, unknown> };
  assert.deepEqual(plain(parsed.agents["dev-qwen"]), { forge_user: "dev-qwen", poll_interval: 45 });
});

Deno.test("a header inside a multi-line string is not a table", () => {
  const out = replaceTable(SAMPLE, ["not", "a"], "[not.a]\nk = 1\n");
  assert.ok(out.includes('prompt = """\n[not.a.header]\n"""'));
  assert.deepEqual(plain((parse(out) as Record<string, unknown>).not), { a: { k: 1 } });
});

Deno.test("an absent table is appended after one blank line", () => {
  assert.equal(
    replaceTable('name = "x"\n', ["ci"], "[ci]\nt = 1\n"),
    'name = "x"\n\n[ci]\nt = 1\n',
  );
  assert.equal(replaceTable("", ["ci"], "[ci]\nt = 1\n"), "[ci]\nt = 1\n");
});

Deno.test("a duplicated table is collapsed into one", () => {
  const text = "[a]\nx = 1\n\n[b]\ny = 2\n\n[a]\nx = 3\n";
  const out = replaceTable(text, ["a"], "[a]\nx = 9\n");
  assert.equal(out, "[a]\nx = 9\n\n[b]\ny = 2\n");
});

Deno.test("dotted keys with quotes split into their parts", () => {
  assert.deepEqual(splitDottedKey('agents."my.agent".x'), ["agents", "my.agent", "x"]);
});

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 12 }));

Deno.test("property: replacement changes only the target table, and twice equals once", () => {
  fc.assert(fc.property(
    fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
    fc.dictionary(name, scalar, { maxKeys: 4 }),
    fc.nat(),
    (tables, values, pick) => {
      const text = tables.map((t, i) => `# about ${t}\n[${t}]\nk${i} = ${i}\n`).join("\n");
      const target = tables[pick % tables.length]!;
      const block = renderTable([target], values);
      const once = replaceTable(text, [target], block);
      assert.equal(replaceTable(once, [target], block), once);
      const before = parse(text) as Record<string, unknown>;
      const after = parse(once) as Record<string, unknown>;
      for (const t of tables) {
        if (t === target) assert.deepEqual(plain(after[t]), plain(values));
        else assert.deepEqual(plain(after[t]), plain(before[t]));
      }
      // Lines outside the target table are byte-identical and in order.
      const outside = text.split("\n").filter((line) => !line.startsWith(`[${target}]`));
      const ours = text.split("\n").slice(
        text.split("\n").indexOf(`[${target}]`),
        text.split("\n").indexOf(`[${target}]`) + 2,
      );
      const expected = outside.filter((line) => !ours.includes(line) || line === "");
      let cursor = 0;
      const lines = once.split("\n");
      for (const line of expected) {
        cursor = lines.indexOf(line, cursor);
        assert.ok(cursor >= 0, `lost ${JSON.stringify(line)}`);
      }
    },
  ));
});
