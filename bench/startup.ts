/**
 * Binary start-up: median wall time of `disinto --version` over 10 runs
 * (target < 100 ms). DISINTO_BINARY picks another build than dist/disinto.
 */
import { spawnSync } from "node:child_process";
import { binaryPath } from "../tests/helpers/binary.ts";

const runs = 10;
const times: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const start = performance.now();
  const result = spawnSync(binaryPath, ["--version"]);
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${binaryPath} --version failed; run deno task build`);
  if (i > 0) times.push(elapsed); // the first run warms the page cache
}
times.sort((a, b) => a - b);
const median = (times[4]! + times[5]!) / 2;
console.log(
  `startup --version median: ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${
    times[runs - 1]!.toFixed(1)
  }, n=${runs})`,
);
