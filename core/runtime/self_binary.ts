/**
 * The path of the running disinto binary, for lines that start it again
 * later (the crontab). A compiled binary is its own executable; under
 * `deno run` or `bun main.ts` the executable is the runtime, which cannot
 * run disinto without the source, so there is no self path then.
 */
import { basename } from "node:path";
import process from "node:process";

const RUNTIMES = /^(deno|bun)(\.exe)?$/;

export function selfBinary(execPath: string = process.execPath): string | null {
  return RUNTIMES.test(basename(execPath)) ? null : execPath;
}
