import assert from "node:assert/strict";
import { parse } from "yaml";
import type { ComposeDocument } from "./model.ts";
import { assertNoMarkers, serializeCompose } from "./serialize.ts";
import { runtime } from "./value.ts";

const doc = (services: ComposeDocument["services"]): ComposeDocument => ({ name: "t", services });

Deno.test("services, environment and volumes are written sorted, keys in a fixed order", () => {
  const yaml = serializeCompose({
    name: "t",
    services: {
      zeta: { volumes: ["b:/b"], image: "z", environment: { B: "2", A: "1" } },
      alpha: { ports: ["3000:3000"], image: "a" },
    },
    volumes: { b: null, a: null },
  });
  const body = yaml.split("\n").filter((line) => !line.startsWith("#")).join("\n");
  assert.ok(body.indexOf("alpha:") < body.indexOf("zeta:"));
  assert.ok(body.indexOf("A: ") < body.indexOf("B: "));
  assert.ok(body.indexOf("image: z") < body.indexOf("environment:"));
  assert.ok(body.indexOf("  a:") < body.indexOf("  b:"));
  assert.match(body, /- "3000:3000"/);
  const parsed = parse(yaml);
  assert.deepEqual(parsed.services.zeta.environment, { A: "1", B: "2" });
});

Deno.test("numbers in environment stay strings and $ is escaped", () => {
  const yaml = serializeCompose(doc({
    s: { environment: { POLL_INTERVAL: "45", KEY: "a$b", TOKEN: runtime("FORGE_TOKEN_X") } },
  }));
  assert.match(yaml, /POLL_INTERVAL: "45"/);
  assert.match(yaml, /KEY: a\$\$b/);
  assert.match(yaml, /TOKEN: \$\{FORGE_TOKEN_X\}/);
});

Deno.test("the same model gives the same bytes", () => {
  const make = () => doc({ b: { image: "x" }, a: { image: "y", command: ["p", "q"] } });
  assert.equal(serializeCompose(make()), serializeCompose(make()));
});

Deno.test("leftover markers fail loudly", () => {
  assert.throws(() => assertNoMarkers("image: {{IMAGE}}\n"), /template marker/);
  assert.throws(() => assertNoMarkers("x: @@CLAUDE_BIN@@\n"), /placeholder/);
  assert.throws(() => assertNoMarkers("x: $HOME/a\n"), /bare \$/);
  assert.throws(() => assertNoMarkers("x: ${1BAD}\n"), /malformed/);
  assert.throws(() => assertNoMarkers("x: a$$$b\n"), /bare \$/);
  assertNoMarkers("x: ${OK}/a $${literal} $$HOME ${D:-v}\n");
});

Deno.test("an unknown service key is a programming error", () => {
  const bad = { s: { image: "x", bogus: 1 } } as unknown as ComposeDocument["services"];
  assert.throws(() => serializeCompose(doc(bad)), /Unknown compose service key "bogus"/);
});

Deno.test("nested data (healthcheck) is sorted and escaped, runtime values kept", () => {
  const yaml = serializeCompose(doc({
    s: {
      image: "x",
      healthcheck: {
        test: ["CMD-SHELL", "curl -f localhost:$PORT"],
        interval: runtime("HC", "5s"),
      },
    },
  }));
  const parsed = parse(yaml);
  assert.deepEqual(parsed.services.s.healthcheck, {
    interval: "${HC:-5s}",
    test: ["CMD-SHELL", "curl -f localhost:$$PORT"],
  });
});
