/**
 * Run by spawn_test.ts under Bun: spawns a child that catches SIGTERM and
 * exits 0, then one ended by SIGKILL, and prints both exit statuses as JSON.
 */
import process from "node:process";
import { spawnChild } from "../spawn.ts";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

async function stopped(script: string, signal: string) {
  const child = spawnChild("sh", ["-c", script], { env });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  await reader.cancel();
  child.kill(signal);
  const exit = await child.exited;
  await child.stderr.cancel();
  return exit;
}

const loop = "echo ready; while :; do sleep 0.05; done";
console.log(JSON.stringify({
  caught: await stopped(`trap "exit 0" TERM; ${loop}`, "SIGTERM"),
  killed: await stopped(loop, "SIGKILL"),
}));
