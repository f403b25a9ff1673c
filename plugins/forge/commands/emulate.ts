/**
 * `disinto forge emulate`: the embedded Forgejo emulator (SPEC §13) on
 * loopback until SIGINT/SIGTERM. Prints its URL and where the admin password
 * comes from; a generated password is printed once, on this start-up line
 * only, since nothing else could tell the operator what it is. The password
 * is best given as FORGE_ADMIN_PASS in the environment: `--admin-pass` (kept,
 * SPEC §3) puts it on a command line other users can read in `ps`.
 */
import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { CommandHost } from "../../../core/plugin.ts";
import { hostOption, listenOn, portOption } from "../../../core/cli/server_options.ts";

function nonNegative(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > max) {
      throw new InvalidArgumentError(`expected ${what}, got "${value}"`);
    }
    return n;
  };
}

export function registerEmulateCommand(program: Command, host: CommandHost): void {
  program
    .command("emulate")
    .description(
      "run the embedded Forgejo emulator (API, git over HTTP, OAuth2 login) until stopped",
    )
    .option("--host <address>", "address to listen on", hostOption, "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", portOption, 3000)
    .option(
      "--state <dir>",
      "keep state.json and the bare repositories here (kept across restarts)",
    )
    .option("--admin-user <user>", "site admin login (else FORGE_ADMIN_USER, else disinto-admin)")
    .option(
      "--admin-pass <password>",
      "site admin password (prefer FORGE_ADMIN_PASS in the environment: a flag shows in ps and shell history; else generated)",
    )
    .option(
      "--fault-rate <r>",
      "share of API answers that fail: half 5xx, half dropped connections",
      nonNegative("a rate between 0 and 1", 1),
      0,
    )
    .option(
      "--latency <ms>",
      "delay every API answer by this many ms",
      nonNegative("milliseconds >= 0"),
      0,
    )
    .option(
      "--branch-delay <ms>",
      "keep a new branch invisible to the API this long",
      nonNegative("milliseconds >= 0"),
      0,
    )
    .option("--require-signin", "refuse anonymous API calls (REQUIRE_SIGNIN_VIEW)")
    .option(
      "--request-log <file>",
      "append every request as a JSON line (method, path, status, user)",
    )
    .action((options) =>
      host.run(async () => {
        const { context } = host;
        const env = context.env;
        const adminUser = options.adminUser ?? env.FORGE_ADMIN_USER ?? "disinto-admin";
        const passFromEnv = options.adminPass === undefined && env.FORGE_ADMIN_PASS
          ? env.FORGE_ADMIN_PASS
          : undefined;
        const adminPass = options.adminPass ?? passFromEnv;
        const stateDir = options.state ? resolve(context.cwd, options.state) : undefined;
        if (stateDir) await mkdir(stateDir, { recursive: true });
        // Loaded on use: the emulator (Hono and every route) would otherwise add
        // to every command's start-up.
        const { createEmulator } = await import("../emulator/emulator.ts");
        const emulator = await createEmulator({
          adminUser,
          ...(adminPass ? { adminPass } : {}),
          faultRate: options.faultRate,
          latencyMs: options.latency,
          branchDelayMs: options.branchDelay,
          requireSignin: options.requireSignin === true,
          ...(stateDir ? { stateDir } : {}),
          ...(options.requestLog
            ? { requestLogFile: resolve(context.cwd, options.requestLog) }
            : {}),
        });
        let server;
        try {
          server = await listenOn((request) => emulator.handle(request), {
            hostname: options.host,
            port: options.port,
          });
        } catch (error) {
          await emulator.dispose();
          throw error;
        }
        emulator.setUrl(server.url);
        const source = options.adminPass
          ? "from --admin-pass"
          : passFromEnv
          ? "from FORGE_ADMIN_PASS"
          : emulator.adminSource === "kept"
          ? `kept from ${stateDir}`
          : `generated: ${emulator.admin.pass} (shown once)`;
        context.stdout.write(`forge emulator listening on ${server.url}\n`);
        context.stdout.write(`admin: ${adminUser}, password ${source}\n`);
        if (stateDir) context.stdout.write(`state: ${stateDir}\n`);
        context.stdout.write("stop with Ctrl-C (SIGINT) or SIGTERM\n");
        await new Promise<void>((done) => {
          if (context.signal.aborted) return done();
          context.signal.addEventListener("abort", () => done(), { once: true });
        });
        await server.shutdown();
        await emulator.dispose();
        context.stdout.write("forge emulator stopped\n");
        return 0;
      })
    );
}
