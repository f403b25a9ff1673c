/**
 * `disinto chat setup`: registers the chat's OAuth2 application on the forge
 * (as the admin, FORGE_ADMIN_USER / FORGE_ADMIN_PASS) with the callback
 * `<CHAT_PUBLIC_URL>/oauth/callback`, and writes CHAT_OAUTH_CLIENT_ID and
 * CHAT_OAUTH_CLIENT_SECRET to `.env`. Run again, it changes nothing while the
 * application matches; a new public URL is added to its redirect URIs (and
 * the secret the forge then regenerates is written). The secret is never
 * printed.
 */
import type { Command } from "@commander-js/extra-typings";
import { posix } from "node:path";
import { updateEnvFile } from "../../../core/config/env_file.ts";
import { BadInputError } from "../../../core/errors.ts";
import { basicAuth } from "../../../core/forgejo/auth.ts";
import { ForgejoHttp } from "../../../core/forgejo/http.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import { ensureChatOAuthApp } from "../oauth_setup.ts";
import { chatEnv, chatSettings, forgeUrlOf, publicUrlOf } from "../settings.ts";
import { DEFAULT_PORT } from "./shared.ts";

export function registerSetupCommand(chat: Command, host: CommandHost): void {
  chat
    .command("setup")
    .description(
      "register the chat's OAuth2 application on the forge; its client id and secret go to .env",
    )
    .action(() =>
      host.run(async () => {
        const { context } = host;
        const root = host.root();
        const env = await chatEnv(root, context.env);
        const { admin } = chatSettings(root, env, context.env);
        const forgeUrl = forgeUrlOf(env);
        const redirectUri = `${publicUrlOf(env, DEFAULT_PORT)}/oauth/callback`;
        const password = env.FORGE_ADMIN_PASS ?? "";
        if (!password) {
          throw new BadInputError(
            "FORGE_ADMIN_PASS: not set; expected the forge admin's password in the environment or .env (the application is the admin's)",
          );
        }
        host.redactor.add(password);
        const http = new ForgejoHttp(forgeUrl, basicAuth(admin, password), {
          fetch: context.fetch,
          signal: context.signal,
          sleep: (ms, signal) => context.clock.sleep(ms, signal),
        });
        const app = await ensureChatOAuthApp(http, {
          redirectUri,
          clientId: env.CHAT_OAUTH_CLIENT_ID,
          clientSecret: env.CHAT_OAUTH_CLIENT_SECRET,
        });
        host.redactor.add(app.clientSecret);
        if (app.outcome !== "unchanged") {
          await updateEnvFile(posix.join(root, ".env"), {
            CHAT_OAUTH_CLIENT_ID: app.clientId,
            CHAT_OAUTH_CLIENT_SECRET: app.clientSecret,
          });
        }
        context.stdout.write(
          `chat OAuth2 application ${app.outcome}: client id ${app.clientId}, redirect URI ${redirectUri} on ${forgeUrl}${
            app.outcome === "unchanged"
              ? ""
              : "; CHAT_OAUTH_CLIENT_ID and CHAT_OAUTH_CLIENT_SECRET written to .env"
          }\n`,
        );
        return 0;
      })
    );
}
