import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "smol-toml";
import { agentTable, withAgentTable } from "./agent_table.ts";

const base =
  `name = "p" # keep me\n\n[agents.other]\nbase_url = "http://o"\n\n# trailing note\n[mirrors]\na = "b"\n`;

Deno.test("the table is appended, then replaced whole, never duplicated", () => {
  const agent = agentTable({
    baseUrl: "http://m:1",
    role: "dev",
    forgeUser: "q",
    pollInterval: 45,
  });
  const once = withAgentTable(base, "q", agent);
  assert.ok(once.startsWith(base));
  const twice = withAgentTable(once, "q", { ...agent, poll_interval: 10 });
  assert.equal(twice.match(/\[agents\.q\]/g)?.length, 1);
  const data = parse(twice) as { agents: Record<string, Record<string, unknown>> };
  assert.equal(data.agents.q!.poll_interval, 10);
  assert.equal(data.agents.q!.compact_pct, 60);
  assert.equal(data.agents.other!.base_url, "http://o");
  assert.ok(twice.includes("# keep me") && twice.includes("# trailing note"));
});

Deno.test("poll interval and compact_pct never mix, for any poll interval", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 9_999_999 }), (poll) => {
    const agent = agentTable({
      baseUrl: "http://m",
      role: "dev",
      forgeUser: "q",
      pollInterval: poll,
    });
    const data = parse(withAgentTable(base, "q", agent)) as {
      agents: Record<string, Record<string, unknown>>;
    };
    assert.equal(data.agents.q!.poll_interval, poll);
    assert.equal(data.agents.q!.compact_pct, 60);
  }));
});
