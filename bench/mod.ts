/**
 * `deno task bench`: runs every benchmark script in turn and prints its
 * figures. Each script is a standalone module printing lines "name: value unit".
 */
import { spawnSync } from "node:child_process";
import process from "node:process";

const scripts: string[] = [
  "bench/init.ts",
  "bench/startup.ts",
  "bench/compose.ts",
  "bench/emulator.ts",
  "bench/agents.ts",
];

let failed = 0;
for (const script of scripts) {
  console.log(`== ${script}`);
  const result = spawnSync(process.execPath, ["run", "-A", script], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
if (failed > 0) {
  console.error(`${failed} benchmark(s) failed`);
  process.exit(1);
}
