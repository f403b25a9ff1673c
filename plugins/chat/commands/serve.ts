/**
 * `disinto chat serve [--port N] [--host H]`: the chat web server (the chat
 * container's entrypoint) until SIGINT/SIGTERM; replies in flight are
 * stopped (their processes ended) before it returns.
 */
import type { Command } from "@commander-js/extra-typings";
import type { CommandHost } from "../../../core/plugin.ts";
import { hostOption, listenOn, portOption } from "../../../core/cli/server_options.ts";
import { allowList, defaultPublicUrl, webSettings } from "../settings.ts";
import { tokenSigner } from "../signed_token.ts";
import { chatRuntime, DEFAULT_PORT } from "./shared.ts";

export function registerServeCommand(chat: Command, host: CommandHost): void {
  chat
    .command("serve")
    .description("run the chat web server (forge sign-in, per-user limits and history)")
    .option("--port <n>", "port (0 picks a free one)", portOption, DEFAULT_PORT)
    .option("--host <address>", "address to listen on", hostOption, "0.0.0.0")
    .action((options) =>
      host.run(async () => {
        const { context } = host;
        const { settings, env, conversation } = await chatRuntime(host);
        // Loaded on use: Hono and the page would otherwise add to every command's start-up.
        const { createChatApp } = await import("../server.ts");
        const web = await webSettings(host.root(), env, options.port);
        host.redactor.add(web.sessionSecret);
        host.redactor.add(web.clientSecret);
        const log = (line: string) => context.stdout.write(`${line}\n`);
        // The app is built once the port is known; a request before then waits for it.
        const app = Promise.withResolvers<ReturnType<typeof createChatApp>>();
        const server = await listenOn(
          async (request) => (await app.promise).fetch(request),
          { hostname: options.host, port: options.port },
        );
        // With --port 0 the default public URL names the port actually bound.
        if (options.port === 0 && !env.CHAT_PUBLIC_URL) {
          web.publicUrl = defaultPublicUrl(Number(new URL(server.url).port));
        }
        app.resolve(createChatApp({
          publicUrl: web.publicUrl,
          oauth: {
            forgeUrl: web.forgeUrl,
            forgeBrowserUrl: web.forgeBrowserUrl,
            clientId: web.clientId,
            clientSecret: web.clientSecret,
            redirectUri: `${web.publicUrl}/oauth/callback`,
          },
          signer: tokenSigner(web.sessionSecret),
          isAllowed: allowList(settings),
          fetch: context.fetch,
          now: () => context.clock.now(),
          log,
          conversation,
          limits: settings.limits,
        }));
        log(`chat listening on ${server.url} (public URL ${web.publicUrl})`);
        await new Promise<void>((done) => {
          if (context.signal.aborted) return done();
          context.signal.addEventListener("abort", () => done(), { once: true });
        });
        await conversation.board.stopAll();
        await server.shutdown();
        log("chat stopped");
        return 0;
      })
    );
}
