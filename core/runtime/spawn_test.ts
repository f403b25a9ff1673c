import assert from "node:assert/strict";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { spawnChild } from "./spawn.ts";
import { waitGone } from "./testdata/process_gone.ts";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

/** Read until `text` has appeared (the child says it is ready); the rest is discarded. */
async function readUntil(stream: ReadableStream<Uint8Array>, text: string): Promise<string> {
  let seen = "";
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  await reader.cancel();
  return seen;
}

Deno.test("a child that catches SIGTERM and exits 0 reports code 0, not the signal", async () => {
  const child = spawnChild("sh", [
    "-c",
    'trap "exit 0" TERM; echo ready; while :; do sleep 0.05; done',
  ], {
    env,
  });
  assert.match(await readUntil(child.stdout, "ready"), /ready/);
  child.kill("SIGTERM");
  assert.deepEqual(await child.exited, { code: 0, signal: null });
  await child.stderr.cancel();
});

Deno.test("a child ended by SIGKILL reports the signal and no code", async () => {
  const child = spawnChild("sh", ["-c", "echo ready; while :; do sleep 0.05; done"], { env });
  await readUntil(child.stdout, "ready");
  child.kill("SIGKILL");
  assert.deepEqual(await child.exited, { code: null, signal: "SIGKILL" });
  await child.stderr.cancel();
});

Deno.test("the child gets exactly the given environment and working directory", async () => {
  const child = spawnChild("sh", ["-c", 'echo "$ONLY:$HOME:$(pwd)"; exit 3'], {
    env: { ...env, ONLY: "given" },
    cwd: "/",
  });
  const out = await new Response(child.stdout).text();
  await child.stderr.cancel();
  assert.equal(out, "given::/\n");
  assert.deepEqual(await child.exited, { code: 3, signal: null });
});

/** A shell that starts a background `sleep` (a grandchild) and prints "ready <its pid>". */
const withGrandchild = ["-c", 'sleep 30 & echo "ready $!"; wait'];

Deno.test("killGroup with processGroup ends the child and its grandchild", async () => {
  const child = spawnChild("sh", withGrandchild, { env, processGroup: true });
  const grandchild = Number((await readUntil(child.stdout, "\n")).split(" ")[1]);
  assert.ok(grandchild > 0);
  child.killGroup("SIGTERM");
  assert.deepEqual(await child.exited, { code: null, signal: "SIGTERM" });
  await child.stderr.cancel();
  child.killGroup("SIGKILL"); // already gone: not an error
  assert.deepEqual(await waitGone([child.pid, grandchild]), []);
});

Deno.test("without processGroup the grandchild outlives a kill of the child", async () => {
  const child = spawnChild("sh", withGrandchild, { env });
  const grandchild = Number((await readUntil(child.stdout, "\n")).split(" ")[1]);
  child.killGroup("SIGTERM");
  await child.exited;
  await child.stderr.cancel();
  try {
    assert.deepEqual(await waitGone([grandchild], 200), [grandchild]);
  } finally {
    process.kill(grandchild, "SIGKILL");
  }
});

Deno.test("under Bun too: caught SIGTERM is exit 0, SIGKILL is the signal, a group ends whole", async () => {
  const bun = fileURLToPath(new URL("../../node_modules/bun/bin/bun.exe", import.meta.url));
  const probe = fileURLToPath(new URL("./testdata/spawn_probe.ts", import.meta.url));
  const child = spawnChild(bun, [probe], { env });
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  assert.deepEqual(await child.exited, { code: 0, signal: null }, err);
  assert.deepEqual(JSON.parse(out), {
    caught: { code: 0, signal: null },
    killed: { code: null, signal: "SIGKILL" },
    group: { exit: { code: null, signal: "SIGTERM" }, alive: [] },
  });
});
