/**
 * `disinto init` on the compiled binary against the Forgejo emulator served in
 * this process: wall time of a fresh init and of a re-run (targets: < 2 s and
 * < 1 s), and the requests each makes, counted from the emulator's request
 * log. Median of 5 fresh factories. DISINTO_BINARY picks another build.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../tests/helpers/binary.ts";
import { startEmulator } from "../tests/helpers/emulator.ts";

const runs = 5;

interface Figures {
  ms: number;
  requests: number;
  writes: number;
}

const fresh: Figures[] = [];
const rerun: Figures[] = [];
for (let i = 0; i < runs; i++) {
  const emulator = await startEmulator();
  const root = await mkdtemp(join(tmpdir(), "disinto-bench-init-"));
  const env = {
    PATH: "/usr/bin:/bin",
    HOME: "/nonexistent",
    FORGE_URL: emulator.url,
    FORGE_ADMIN_PASS: emulator.admin.pass,
  };
  /** One init to completion; the log is cleared first so it counts this run only. */
  const init = async (): Promise<Figures> => {
    emulator.clearRequestLog();
    const started = performance.now();
    const result = await runBinary(["--root", root, "init", "acme/app", "--yes"], { env });
    const ms = performance.now() - started;
    if (result.code !== 0) {
      throw new Error(`init exited ${result.code}: ${result.stderr} (run deno task build first)`);
    }
    return { ms, requests: emulator.requestLog().length, writes: emulator.writes().length };
  };
  try {
    fresh.push(await init());
    rerun.push(await init());
  } finally {
    await emulator.dispose();
    await rm(root, { recursive: true, force: true });
  }
}

function report(name: string, figures: Figures[], targetMs: number): void {
  const times = figures.map((f) => f.ms).sort((a, b) => a - b);
  const median = times[Math.floor(runs / 2)]!;
  // Counts are the same in every run unless init stopped being deterministic: show the range.
  const range = (values: number[]) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return low === high ? `${low}` : `${low}-${high}`;
  };
  console.log(
    `${name} median: ${median.toFixed(0)} ms (target < ${targetMs} ms; min ${
      times[0]!.toFixed(0)
    }, max ${times[runs - 1]!.toFixed(0)}), ${
      range(figures.map((f) => f.requests))
    } API requests (${range(figures.map((f) => f.writes))} writes), n=${runs}`,
  );
}

report("init fresh", fresh, 2000);
report("init re-run", rerun, 1000);
