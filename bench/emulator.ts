/**
 * Emulator throughput: authenticated GETs (token header) against the in-process
 * emulator on loopback, 16 concurrent clients, 4000 requests after a warm-up.
 * Every test leans on the emulator, so its per-request cost bounds the suite.
 */
import { startEmulator } from "../tests/helpers/emulator.ts";
import { adminAuth, newRepo, newToken } from "../tests/helpers/emulator_api.ts";

const total = 4000;
const concurrency = 16;
const emulator = await startEmulator();
try {
  const admin = { name: emulator.admin.user, auth: adminAuth(emulator) };
  const token = await newToken(emulator, admin, ["read:issue", "read:repository"]);
  await newRepo(emulator, emulator.admin.user, "bench", { auto_init: false });
  const target = `${emulator.url}/api/v1/repos/${emulator.admin.user}/bench/issues?state=open`;
  const get = async () => {
    const start = performance.now();
    const answer = await fetch(target, { headers: { authorization: `token ${token}` } });
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`GET answered ${answer.status}`);
    return performance.now() - start;
  };
  const runBatch = async (count: number) => {
    const times: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        times.push(await get());
      }
    }));
    return times;
  };
  await runBatch(200); // warm-up
  const start = performance.now();
  const times = await runBatch(total);
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(
    `emulator authenticated GET: ${(total / seconds).toFixed(0)} req/s ` +
      `(p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, ` +
      `n=${total}, ${concurrency} concurrent)`,
  );
} finally {
  await emulator.dispose();
}
