/**
 * Run by spawn_test.ts under Bun: spawns a child that catches SIGTERM and
 * exits 0, then one ended by SIGKILL, then a process group whose grandchild
 * must end with it, and prints what happened as JSON.
 */
import process from "node:process";
import { spawnChild } from "../spawn.ts";
import { waitGone } from "./process_gone.ts";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

async function readUntil(stream: ReadableStream<Uint8Array>, text: string): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  await reader.cancel();
  return seen;
}

async function stopped(script: string, signal: string) {
  const child = spawnChild("sh", ["-c", script], { env });
  await readUntil(child.stdout, "ready");
  child.kill(signal);
  const exit = await child.exited;
  await child.stderr.cancel();
  return exit;
}

async function groupKilled() {
  const child = spawnChild("sh", ["-c", 'sleep 30 & echo "ready $!"; wait'], {
    env,
    processGroup: true,
  });
  const grandchild = Number((await readUntil(child.stdout, "\n")).split(" ")[1]);
  child.killGroup("SIGTERM");
  const exit = await child.exited;
  await child.stderr.cancel();
  child.killGroup("SIGKILL"); // the group is gone by now: not an error
  return { exit, alive: await waitGone([child.pid, grandchild]) };
}

const loop = "echo ready; while :; do sleep 0.05; done";
console.log(JSON.stringify({
  caught: await stopped(`trap "exit 0" TERM; ${loop}`, "SIGTERM"),
  killed: await stopped(loop, "SIGKILL"),
  group: await groupKilled(),
}));
