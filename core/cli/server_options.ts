/**
 * `--host` and `--port` of the commands that run a server (forge emulate,
 * model emulate), and the listen step that turns the runtime's failure into
 * one line naming the address: Bun says "Is port 0 in use?" for a host name
 * that does not resolve, and "ENOTTY" or "EINVAL" for an impossible address.
 */
import { InvalidArgumentError } from "@commander-js/extra-typings";
import { isIP } from "node:net";
import { RuntimeFailure } from "../errors.ts";
import { type FetchHandler, type RunningServer, serve } from "../runtime/serve.ts";

/** `--port`: a whole number 0..65535 (0 picks a free port). */
export function portOption(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port 0..65535, got "${value}"`);
  }
  return n;
}

/** RFC 1123 labels; a name of digits and dots only must be an IP address instead. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `--host`: an IPv4 or IPv6 address, or a host name. */
export function hostOption(value: string): string {
  const looksNumeric = /^[\d.]+$/.test(value);
  if (isIP(value) !== 0 || (!looksNumeric && HOST_NAME.test(value))) return value;
  throw new InvalidArgumentError(
    `"${value}" is not an address; expected an IP address or a host name, e.g. 127.0.0.1`,
  );
}

const REASONS: Record<string, string> = {
  EADDRINUSE: "the port is in use, or the host is not an address of this machine",
  EADDRNOTAVAIL: "not an address of this machine",
  EACCES: "permission denied (ports below 1024 need privileges)",
};

/** Listen, or fail with one line naming the address (exit 1: a runtime failure). */
export async function listenOn(
  handler: FetchHandler,
  options: { hostname: string; port: number },
): Promise<RunningServer> {
  try {
    return await serve(handler, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const reason = REASONS[code] ??
      (code || (error instanceof Error ? error.message : String(error)));
    throw new RuntimeFailure(`cannot listen on ${options.hostname}:${options.port}: ${reason}`);
  }
}
