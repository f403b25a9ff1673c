/**
 * The runtime seam: the only folder that may call Deno.* or Bun.*; everything
 * else uses web APIs and node: built-ins so one source runs on both.
 */
export { runtimeName } from "./detect.ts";
export type { RuntimeName } from "./detect.ts";
export { flock, settleAbandonedWaits } from "./flock.ts";
export type { FlockHandle, FlockOptions } from "./flock.ts";
export { serve } from "./serve.ts";
export type { FetchHandler, RunningServer, ServeOptions } from "./serve.ts";
export { spawnChild } from "./spawn.ts";
export type { ChildExit, SpawnedChild, SpawnOptions } from "./spawn.ts";
