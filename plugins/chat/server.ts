/**
 * The chat web server (SPEC §11.2) as a Hono app: the page, its script and
 * style, and a small JSON API — state (history, reply in flight, usage), send
 * a message (the reply streams back as NDJSON), re-attach to the reply in
 * flight, stop it. Everything but sign-in and /healthz needs an allowed
 * session; every POST must come from the chat's own origin.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type Conversation, MAX_MESSAGE_CHARS } from "./conversation.ts";
import type { ChatLimits } from "./limits.ts";
import { CHAT_PAGE, PAGE_SCRIPT, PAGE_STYLE } from "./page.ts";
import { replyStream } from "./replies.ts";
import {
  notAllowed,
  registerAuthRoutes,
  sameOrigin,
  visitorOf,
  type WebAuthOptions,
} from "./web_auth.ts";

/**
 * The largest message body read: the longest message, every character
 * JSON-escaped (`\uXXXX`), and room for the rest of the object. Beyond it the
 * body is not read on (413): a signed-in user cannot make the server buffer
 * any size it likes.
 */
export const MAX_BODY_BYTES = MAX_MESSAGE_CHARS * 6 + 1024;

/** Heartbeat of a streamed reply: well under the 5 s a client may wait. */
export const HEARTBEAT_MS = 2_000;

/**
 * Streams of the reply in flight (`GET /api/reply`) one user may hold open at
 * once; more is 429. Each buffers what its client has not read (at most the
 * whole reply), so the cap bounds what a user can make the server hold.
 */
export const MAX_REPLY_STREAMS = 4;

export interface ChatServerOptions extends WebAuthOptions {
  conversation: Conversation;
  limits: ChatLimits;
  heartbeatMs?: number;
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // Not no-referrer: with it browsers send `Origin: null` on same-origin POSTs
  // (Fetch standard, "append a request Origin header"), which the Origin check refuses.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

export function createChatApp(o: ChatServerOptions): Hono {
  const app = new Hono();
  const { conversation } = o;
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use(async (c, next) => {
    if (c.req.method === "POST" && !sameOrigin(c, o.publicUrl)) {
      return c.json({ error: "This request did not come from the chat's page" }, 403);
    }
    await next();
  });

  app.get("/healthz", (c) => c.text("ok\n"));
  app.get(
    "/app.js",
    (c) => c.body(PAGE_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get(
    "/app.css",
    (c) => c.body(PAGE_STYLE, 200, { "content-type": "text/css; charset=utf-8" }),
  );
  registerAuthRoutes(app, o);

  app.get("/", (c) => {
    const visitor = visitorOf(c, o);
    if (visitor.kind === "anonymous") return c.redirect("/login", 303);
    if (visitor.kind === "refused") return c.html(notAllowed(visitor.user), 403);
    return c.html(CHAT_PAGE);
  });

  // The API: an allowed session, checked again on every request.
  const api = new Hono<{ Variables: { user: string } }>();
  api.use(async (c, next) => {
    const visitor = visitorOf(c, o);
    if (visitor.kind === "anonymous") return c.json({ error: "Sign in first" }, 401);
    if (visitor.kind === "refused") {
      return c.json({ error: `${visitor.user} may not use this chat` }, 403);
    }
    c.set("user", visitor.user);
    await next();
  });

  api.get("/state", async (c) => {
    const user = c.get("user");
    const running = conversation.board.current(user);
    return c.json({
      user,
      history: (await conversation.history.read(user)).map(({ ts, role, content }) => ({
        ts,
        role,
        content,
      })),
      running: running ? { id: running.id, seq: running.events.length } : null,
      usage: await conversation.limits.usage(user),
      limits: o.limits,
    });
  });

  const messageBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json({ error: `Message too large; expected at most ${MAX_MESSAGE_CHARS} characters` }, 413),
  });
  api.post("/messages", messageBody, async (c) => {
    const user = c.get("user");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'Expected a JSON body {"content": "…"}' }, 400);
    }
    const sent = await conversation.send(user, (body as { content?: unknown } | null)?.content);
    switch (sent.kind) {
      case "invalid":
        return c.json({ error: sent.message }, 400);
      case "closed":
        return c.json({ error: "The chat is shutting down; send it again shortly" }, 503);
      case "busy":
        return c.json({
          error: "A reply is still running; wait for it or stop it",
          id: sent.reply.id,
        }, 409);
      case "limited": {
        const { limit, resetAt } = sent.verdict;
        const seconds = Math.max(1, Math.ceil((resetAt - o.now()) / 1000));
        return c.json(
          { error: "Limit reached", limit, resetAt: new Date(resetAt).toISOString() },
          429,
          { "retry-after": String(seconds) },
        );
      }
      case "started":
        return ndjson(replyStream(sent.reply, 0, heartbeatMs));
    }
  });

  const openStreams = new Map<string, number>();
  api.get("/reply", (c) => {
    const user = c.get("user");
    const reply = conversation.board.current(user);
    if (!reply) return c.body(null, 204);
    const open = openStreams.get(user) ?? 0;
    if (open >= MAX_REPLY_STREAMS) {
      return c.json({
        error: `At most ${MAX_REPLY_STREAMS} streams of a reply at once; close one first`,
      }, 429);
    }
    openStreams.set(user, open + 1);
    const closed = () => {
      const left = openStreams.get(user)! - 1;
      if (left > 0) openStreams.set(user, left);
      else openStreams.delete(user);
    };
    const after = Number(c.req.query("after") ?? "0");
    return ndjson(
      replyStream(reply, Number.isInteger(after) && after >= 0 ? after : 0, heartbeatMs, closed),
    );
  });

  api.post("/reply/stop", async (c) => {
    const reply = conversation.board.current(c.get("user"));
    if (!reply) return c.json({ stopped: false });
    reply.stop();
    // Answer once the process is gone, so "stopped" means stopped.
    await reply.finished;
    return c.json({ stopped: true });
  });

  app.route("/api", api);
  return app;
}

function ndjson(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, {
    headers: { "content-type": "application/x-ndjson; charset=utf-8", "x-accel-buffering": "no" },
  });
}
