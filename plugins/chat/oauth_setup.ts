/**
 * The chat's OAuth2 application on the forge, made or brought up to date so
 * that sign-in works: owned by the forge admin, confidential, with the
 * chat's callback among its redirect URIs, and its client id and secret the
 * ones `.env` holds. The forge shows a secret only when it makes one — on
 * creation and on every edit (Forgejo's UpdateOauth2Application regenerates
 * it, routers/api/v1/user/app.go) — so an edit always hands back a new secret
 * to store.
 */
import type { Outcome } from "../../core/forgejo/ensure.ts";
import type { ForgejoHttp } from "../../core/forgejo/http.ts";
import { createOAuth2App, editOAuth2App, listOAuth2Apps } from "../../core/forgejo/oauth.ts";

export const CHAT_APP_NAME = "disinto-chat";

export interface ChatAppWanted {
  redirectUri: string;
  /** What `.env` holds now, if anything. */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

export interface ChatAppEnsured {
  outcome: Outcome;
  clientId: string;
  /** The secret to store (a new one unless unchanged). */
  clientSecret: string;
}

/** `http` authenticates as the admin who owns the application. */
export async function ensureChatOAuthApp(
  http: ForgejoHttp,
  wanted: ChatAppWanted,
): Promise<ChatAppEnsured> {
  const known = wanted.clientId
    ? (await listOAuth2Apps(http)).find((app) => app.client_id === wanted.clientId)
    : undefined;
  if (!known) {
    const made = await createOAuth2App(http, {
      name: CHAT_APP_NAME,
      redirect_uris: [wanted.redirectUri],
      confidential_client: true,
    });
    return { outcome: "created", clientId: made.client_id, clientSecret: made.client_secret ?? "" };
  }
  const uris = known.redirect_uris ?? [];
  const confidential = known.confidential_client ?? true;
  // A public client needs no secret; a confidential one without its secret cannot sign in.
  if (uris.includes(wanted.redirectUri) && (!confidential || wanted.clientSecret)) {
    return {
      outcome: "unchanged",
      clientId: known.client_id,
      clientSecret: wanted.clientSecret ?? "",
    };
  }
  const edited = await editOAuth2App(http, known.id, {
    name: known.name,
    redirect_uris: uris.includes(wanted.redirectUri) ? uris : [...uris, wanted.redirectUri],
    // Sent always: Forgejo takes a missing field as false (a public client).
    confidential_client: confidential,
  });
  return {
    outcome: "updated",
    clientId: edited.client_id,
    clientSecret: confidential ? edited.client_secret ?? "" : "",
  };
}
