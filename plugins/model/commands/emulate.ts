/**
 * `disinto model emulate`: a scripted Anthropic Messages API server (the shape
 * of llama.cpp's llama-server) on loopback until SIGINT/SIGTERM, so the real
 * claude CLI can run with no model (docs/model-emulator.md). Prints its URL
 * on one line, then one line per request.
 */
import type { Command } from "@commander-js/extra-typings";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { BadInputError } from "../../../core/errors.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import { hostOption, listenOn, portOption } from "../../../core/cli/server_options.ts";
import type { RecordedRequest } from "../emulator/server.ts";

/** "POST /v1/messages?beta=true 200 turn 0 of conversation 1 (tool_use)" */
export function describeRequest(request: RecordedRequest): string {
  const head = `${request.method} ${request.path} ${request.status}`;
  const reply = request.reply;
  if (reply === undefined) return head;
  const where = reply.kind === "turn" || reply.kind === "final"
    ? ` ${
      reply.kind === "turn" ? `turn ${reply.turn}` : "final text"
    } of conversation ${reply.conversation}`
    : ` ${reply.kind}`;
  return `${head}${where} (${reply.stop_reason})`;
}

async function readScript(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new BadInputError(`--script: cannot read "${file}" (${code})`);
  }
}

export function registerModelEmulateCommand(program: Command, host: CommandHost): void {
  program
    .command("emulate")
    .description("answer the Anthropic Messages API from a script of turns until stopped")
    .requiredOption("--script <file>", "the script: conversations and their turns (TOML or JSON)")
    .option("--host <address>", "address to listen on", hostOption, "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", portOption, 8080)
    .action((options) =>
      host.run(async () => {
        const { context } = host;
        const file = resolve(context.cwd, options.script);
        // Loaded on use, like forge emulate: Hono and zod schemas stay out of other commands' start-up.
        const { createModelApp, parseModelScript } = await import("../emulator/server.ts");
        const script = parseModelScript(await readScript(file), options.script);
        const app = createModelApp(script, {
          onRequest: (request) => context.stdout.write(`${describeRequest(request)}\n`),
        });
        const server = await listenOn((request) => app.fetch(request), {
          hostname: options.host,
          port: options.port,
        });
        context.stdout.write(`model emulator listening on ${server.url}\n`);
        context.stdout.write("stop with Ctrl-C (SIGINT) or SIGTERM\n");
        await new Promise<void>((done) => {
          if (context.signal.aborted) return done();
          context.signal.addEventListener("abort", () => done(), { once: true });
        });
        await server.shutdown();
        context.stdout.write("model emulator stopped\n");
        return 0;
      })
    );
}
