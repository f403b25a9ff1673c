/**
 * The model emulator's HTTP API, in the shape of llama.cpp's llama-server
 * Anthropic-compatible endpoints: GET /health, GET /v1/models,
 * POST /v1/messages (streamed or not) and POST /v1/messages/count_tokens.
 * Answers come from a script (script.ts) chosen per request (reply.ts).
 */
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { replyFor, type ScriptedReply } from "./reply.ts";
import {
  allTextOf,
  checkRequest,
  countTokensRequestSchema,
  estimateTokens,
  messagesRequestSchema,
} from "./request.ts";
import type { ModelScript } from "./script.ts";
import { messageJson, sseEvents } from "./wire.ts";

export { type ModelScript, parseModelScript, validateModelScript } from "./script.ts";
export type { ModelScriptInput } from "./script.ts";

/** One request as the emulator saw it (the API key is never kept). */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. "/v1/messages?beta=true". */
  path: string;
  status: number;
  /** The parsed JSON body of a POST, when it was JSON. */
  body?: unknown;
  /** For a Messages request: how it was answered (see ScriptedReply). */
  reply?: Pick<ScriptedReply, "kind" | "conversation" | "turn" | "stop_reason">;
  stream?: boolean;
}

export interface ModelAppOptions {
  /** Called once per request, after the answer is decided. */
  onRequest?: (request: RecordedRequest) => void;
}

type ErrorType = "invalid_request_error" | "authentication_error" | "not_found_error" | "api_error";

type Env = { Variables: { record: Partial<RecordedRequest> } };

/** The Anthropic error body: {"type":"error","error":{"type":…,"message":…}}. */
function apiError(c: Context<Env>, status: ContentfulStatusCode, type: ErrorType, message: string) {
  return c.json({ type: "error", error: { type, message } }, status);
}

function keyOf(c: Context<Env>): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  return c.req.header("x-api-key") ?? bearer;
}

/** The request's JSON body (recorded) checked against `schema`; else the 400 to answer. */
async function requestOf<T>(
  c: Context<Env>,
  schema: z.ZodType<T>,
): Promise<{ ok: true; request: T } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return {
      ok: false,
      response: apiError(c, 400, "invalid_request_error", "body: expected JSON"),
    };
  }
  c.get("record").body = body;
  const checked = checkRequest(schema, body);
  if (!checked.ok) {
    return { ok: false, response: apiError(c, 400, "invalid_request_error", checked.message) };
  }
  return checked;
}

export function createModelApp(script: ModelScript, options: ModelAppOptions = {}): Hono<Env> {
  const app = new Hono<Env>();
  let served = 0;

  app.use(async (c, next) => {
    c.set("record", {});
    await next();
    const url = new URL(c.req.url);
    options.onRequest?.({
      method: c.req.method,
      path: url.pathname + url.search,
      status: c.res.status,
      ...c.get("record"),
    });
  });

  app.get("/health", (c) => c.json({ status: "ok" }));

  app.use("/v1/*", async (c, next) => {
    if (script.api_key !== undefined && keyOf(c) !== script.api_key) {
      return apiError(c, 401, "authentication_error", "invalid x-api-key");
    }
    await next();
  });

  app.get("/v1/models", (c) => {
    const data = script.models.map((id) => ({
      type: "model",
      id,
      display_name: id,
      created_at: "2025-01-01T00:00:00Z",
    }));
    return c.json({
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  });

  app.post("/v1/messages/count_tokens", async (c) => {
    const checked = await requestOf(c, countTokensRequestSchema);
    if (!checked.ok) return checked.response;
    const { request } = checked;
    const tools = request.tools ? JSON.stringify(request.tools) : "";
    return c.json({ input_tokens: estimateTokens(allTextOf(request) + tools) });
  });

  app.post("/v1/messages", async (c) => {
    const checked = await requestOf(c, messagesRequestSchema);
    if (!checked.ok) return checked.response;
    const { request } = checked;
    const reply = replyFor(script, request);
    const stream = request.stream === true;
    const { kind, conversation, turn, stop_reason } = reply;
    Object.assign(c.get("record"), {
      reply: {
        kind,
        stop_reason,
        ...(conversation === undefined ? {} : { conversation }),
        ...(turn === undefined ? {} : { turn }),
      },
      stream,
    });
    const id = `msg_emu_${++served}`;
    if (!stream) return c.json(messageJson(reply, id, request.model));
    return c.body(sseEvents(reply, id, request.model), 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
  });

  app.notFound((c) =>
    apiError(
      c,
      404,
      "not_found_error",
      `${c.req.method} ${new URL(c.req.url).pathname}: no such route`,
    )
  );
  app.onError((error, c) => apiError(c, 500, "api_error", error.message));
  return app;
}
