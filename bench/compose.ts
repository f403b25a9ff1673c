/**
 * Compose generation for a project with 50 local-model agents, in process:
 * load the TOML, reduce over every plugin's hook, serialise, check markers
 * (target < 200 ms). Prints the median of 10 runs after one warm-up, and
 * checks the result against the compose-spec schema and against the output
 * of the reversed plugin registry once.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadComposeInput, renderComposeFile } from "../core/compose/generate.ts";
import { plugins } from "../plugins/mod.ts";
import { composeSchemaErrors } from "../plugins/compose/schema_check.ts";

const AGENTS = 50;
const RUNS = 10;

const root = await mkdtemp(join(tmpdir(), "disinto-bench-compose-"));
try {
  await mkdir(join(root, "projects"));
  let toml = `name = "bench"\nrepo = "acme/bench"\nforge_url = "http://127.0.0.1:3000"\n`;
  for (let i = 0; i < AGENTS; i++) {
    toml += `\n[agents.agent-${i}]\nbase_url = "http://10.0.0.${i % 4}:8081"\n` +
      `model = "model-${i}"\napi_key = "sk-no-key-required"\nroles = ["dev"]\n` +
      `forge_user = "agent-${i}"\ncompact_pct = 60\npoll_interval = ${30 + i}\n`;
  }
  await writeFile(join(root, "projects", "bench.toml"), toml);
  const env = { HOME: "/home/bench" };

  const times: number[] = [];
  let yaml = "";
  for (let i = 0; i < RUNS + 1; i++) {
    const start = performance.now();
    const input = await loadComposeInput(root, env, plugins);
    yaml = await renderComposeFile(input, plugins);
    if (i > 0) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2;
  const errors = composeSchemaErrors(yaml);
  if (errors.length > 0) throw new Error(`schema errors: ${errors.join("; ")}`);
  const reversed = [...plugins].reverse();
  if (await renderComposeFile(await loadComposeInput(root, env, reversed), reversed) !== yaml) {
    throw new Error("the output depends on the plugin registry order");
  }
  const services = (yaml.match(/^ {2}agents-agent-\d+:$/gm) ?? []).length;
  if (services !== AGENTS) throw new Error(`expected ${AGENTS} agent services, got ${services}`);
  console.log(
    `compose generate (${AGENTS} local-model agents) median: ${median.toFixed(1)} ms ` +
      `(min ${times[0]!.toFixed(1)}, max ${times[RUNS - 1]!.toFixed(1)}, n=${RUNS}, ` +
      `${yaml.length} bytes; target < 200 ms)`,
  );
} finally {
  await rm(root, { recursive: true });
}
