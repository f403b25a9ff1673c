/**
 * Serve a fetch-style handler over HTTP on Deno.serve or Bun.serve, so servers
 * (the forge emulator, chat) are written once against web Request/Response.
 */
import { runtimeName } from "./detect.ts";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface ServeOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningServer {
  readonly hostname: string;
  readonly port: number;
  /** The base URL, e.g. http://127.0.0.1:39123 */
  readonly url: string;
  /** Stop accepting connections and wait for open ones to finish. */
  shutdown(): Promise<void>;
}

export function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  return runtimeName() === "bun" ? serveBun(handler, options) : serveDeno(handler, options);
}

function describe(hostname: string, port: number, shutdown: () => Promise<void>): RunningServer {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { hostname, port, url: `http://${host}:${port}`, shutdown };
}

function serveDeno(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: () => {},
    }, handler);
    const addr = server.addr as Deno.NetAddr;
    resolve(describe(options.hostname, addr.port, async () => {
      await server.shutdown();
      await server.finished;
    }));
  });
}

interface BunServer {
  port: number;
  stop(closeActive?: boolean): Promise<void> | void;
}

function serveBun(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const bun = (globalThis as unknown as {
    Bun: { serve(o: Record<string, unknown>): BunServer };
  }).Bun;
  const server = bun.serve({ hostname: options.hostname, port: options.port, fetch: handler });
  return Promise.resolve(describe(options.hostname, server.port, async () => {
    await server.stop(false);
  }));
}
