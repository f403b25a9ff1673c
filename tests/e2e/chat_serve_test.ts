/**
 * `disinto chat serve` on the compiled binary, over plain HTTP: settings from
 * the factory's `.env` (the OAuth2 application registered by `disinto chat
 * setup`), sign-in through the forge emulator's authorize form
 * (redirects followed by hand, cookies kept), a message answered as NDJSON by
 * the real claude CLI on the model emulator, history shared with the terminal
 * `disinto chat`, and SIGTERM ending a reply in flight and the server (exit 0,
 * no process left). No secret reaches the binary's output.
 */
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  chatBinarySetup,
  processesIn,
  startHeldModel,
  until,
} from "../../plugins/chat/_test_kit.ts";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startChild } from "../helpers/child.ts";
import { startEmulator } from "../helpers/emulator.ts";
import { newUser } from "../helpers/emulator_api.ts";
import { claudeBinary } from "../helpers/model_emulator.ts";

const REPLY = "Everything is running: two agents busy, no review waiting.";
const API_KEY = "sk-chat-own-key-0123456789";

/** A port free right now (the chat's public URL must name it before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The cookies a browser keeps for one site (plain fetch keeps none). */
class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  keep(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(";").map((part) => part.trim());
      const at = pair!.indexOf("=");
      const name = pair!.slice(0, at);
      const attribute = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      if (attribute("max-age") === "0") this.#cookies.delete(name);
      else this.#cookies.set(name, { value: pair!.slice(at + 1), path: attribute("path") ?? "/" });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.#cookies]
      .filter(([, cookie]) => path.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join("; ");
  }

  value(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }
}

/** The NDJSON events of a streamed reply, read until its `end` (heartbeats dropped). */
async function replyEvents(response: Response): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  let pending = "";
  for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const event = JSON.parse(line);
      if (event.type !== "heartbeat") events.push(event);
    }
  }
  return events;
}

Deno.test("chat setup + serve on the binary: .env settings, forge sign-in over HTTP, NDJSON reply from the real CLI, terminal history shown, SIGTERM stops the reply and exits 0, no secret in output", async () => {
  const em = await startEmulator();
  const model = await startHeldModel({
    models: ["claude-test"],
    // One Claude session for alice, terminal and web alike: turn 1, then turn 2.
    conversations: [{ name: "chat", turns: [{ text: "Hello, terminal." }, { text: REPLY }] }],
  }, "take your time");
  const { dir, root, env: withTestKey } = await chatBinarySetup("chat-serve-e2e-", model.url);
  // The chat's own key comes from .env (CHAT_ANTHROPIC_API_KEY).
  const { ANTHROPIC_API_KEY: _testKey, ...env } = withTestKey;
  let server: ReturnType<typeof startChild> | undefined;
  try {
    const alice = await newUser(em, "alice");
    await newUser(em, "mallory");
    const port = await freePort();
    const chatUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      join(root, ".env"),
      [
        `FORGE_URL=${em.url}`,
        `FORGE_ADMIN_USER=${em.admin.user}`,
        `FORGE_ADMIN_PASS=${em.admin.pass}`,
        "CHAT_ALLOWED_USERS=alice",
        `CHAT_PUBLIC_URL=${chatUrl}`,
        `CHAT_ANTHROPIC_API_KEY=${API_KEY}`,
        `CLAUDE_BIN=${claudeBinary}`,
        "CHAT_MODEL=claude-test",
        "",
      ].join("\n"),
    );
    // The operator's step: the chat's OAuth2 application, registered by the binary.
    const setup = await runBinary(["chat", "setup"], { env, cwd: root });
    assert.equal(setup.code, 0, JSON.stringify(setup));
    assert.match(setup.stdout, /^chat OAuth2 application created: /);
    const clientSecret = /^CHAT_OAUTH_CLIENT_SECRET=(.+)$/m.exec(
      await readFile(join(root, ".env"), "utf8"),
    )?.[1];
    assert.ok(clientSecret, "chat setup wrote no client secret");

    // The terminal first: its message is in the history the page shows.
    const terminal = await runBinary(["chat", "--user", "alice"], {
      env,
      cwd: root,
      stdin: "hello from the terminal\n",
      timeoutMs: 60_000,
    });
    assert.equal(terminal.code, 0, JSON.stringify(terminal));
    assert.match(terminal.stdout, /Hello, terminal\./);

    server = startChild(requireBinary(), [
      "chat",
      "serve",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ], {
      env,
      cwd: root,
    });
    await server.waitForLine(
      new RegExp(`^chat listening on ${chatUrl} \\(public URL ${chatUrl}\\)$`),
      15_000,
    );
    const sessionSecret = /^CHAT_SESSION_SECRET=(.+)$/m.exec(
      await readFile(join(root, ".env"), "utf8"),
    )?.[1];
    assert.ok(sessionSecret && sessionSecret.length >= 32, "the session secret was not generated");

    // Sign-in as a browser does it: redirects followed by hand, the chat's cookies kept.
    const jar = new CookieJar();
    const visit = async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      const cookie = jar.header(url);
      if (cookie) headers.set("cookie", cookie);
      const response = await fetch(url, { ...init, headers, redirect: "manual" });
      jar.keep(response);
      // A redirect's body is never read, as in a browser.
      if (response.status >= 300 && response.status < 400) await response.body?.cancel();
      return response;
    };
    const followed = (response: Response, base: string) =>
      new URL(response.headers.get("location")!, base).toString();
    let response = await visit(`${chatUrl}/`);
    assert.equal(response.status, 303);
    response = await visit(followed(response, chatUrl));
    assert.equal(response.status, 303);
    assert.ok(jar.value("chat_login"), "no sign-in cookie");
    const authorize = new URL(followed(response, chatUrl));
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${em.url}/login/oauth/authorize`);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    const formPage = await fetch(authorize);
    assert.equal(formPage.status, 200);
    const html = await formPage.text();
    const fields = new URLSearchParams();
    for (
      const [, name, value] of html.matchAll(
        /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
      )
    ) {
      fields.set(
        name!,
        value!.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
      );
    }
    fields.set("user_name", alice.name);
    fields.set("password", alice.pass);
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const signedIn = await fetch(new URL(action, em.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: fields,
      redirect: "manual",
    });
    assert.equal(signedIn.status, 303);
    await signedIn.body?.cancel();
    const callback = new URL(signedIn.headers.get("location")!);
    assert.equal(`${callback.origin}${callback.pathname}`, `${chatUrl}/oauth/callback`);
    const code = callback.searchParams.get("code")!;
    response = await visit(callback.toString());
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/");
    const session = jar.value("chat_session");
    assert.ok(session, "no session cookie");
    assert.equal(jar.value("chat_login"), undefined);
    response = await visit(`${chatUrl}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /role="log"/);

    // The page's state: who, and the terminal's conversation.
    response = await visit(`${chatUrl}/api/state`);
    const state = await response.json();
    assert.equal(state.user, "alice");
    assert.deepEqual(
      state.history.map((h: { role: string; content: string }) => [h.role, h.content]),
      [["user", "hello from the terminal"], ["assistant", "Hello, terminal."]],
    );

    // A POST from elsewhere is refused; from the page's origin it streams the reply.
    const post = (body: unknown, origin?: string) =>
      visit(`${chatUrl}/api/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(origin ? { origin } : {}),
        },
        body: JSON.stringify(body),
      });
    response = await post({ content: "how is the factory?" }, "http://evil.example");
    assert.equal(response.status, 403);
    await response.body?.cancel();
    response = await post({ content: "how is the factory?" }, chatUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^application\/x-ndjson/);
    const events = await replyEvents(response);
    assert.equal(events[0]!.type, "start");
    assert.deepEqual(events.at(-1), { seq: events.length, type: "end", outcome: "done" });
    const text = events.filter((e) => e.type === "text").map((e) => e.text).join("");
    assert.equal(text, REPLY);

    // SIGTERM with a reply in flight: the reply's CLI is ended, the server exits 0.
    const workDir = join(root, "state", "chat", "work", "alice");
    response = await post({ content: "take your time" }, chatUrl);
    assert.equal(response.status, 200);
    const streaming = replyEvents(response);
    await until("the held model request", () => Promise.resolve(model.holding() || undefined));
    const cli = await processesIn(workDir);
    assert.notDeepEqual(cli, []);
    // The CLI runs on the chat's own key and knows none of the server's secrets.
    const cliEnv = await readFile(`/proc/${cli[0]}/environ`, "utf8");
    assert.ok(cliEnv.includes(`ANTHROPIC_API_KEY=${API_KEY}\0`));
    for (const secret of [sessionSecret, clientSecret, session!, em.admin.pass]) {
      assert.equal(cliEnv.includes(secret), false, "a server secret reached the CLI");
    }
    await server.stop("SIGTERM");
    assert.deepEqual(
      await server.exited,
      { code: 0, signal: null },
      JSON.stringify(server.output()),
    );
    assert.deepEqual((await streaming).at(-1)?.outcome, "stopped");
    assert.deepEqual(await processesIn(workDir), []);
    assert.match(server.output().stdout, /chat: alice signed in\n/);
    assert.match(server.output().stdout, /chat stopped\n$/);

    // No secret in what the binary wrote.
    const written = [
      setup.stdout,
      setup.stderr,
      server.output().stdout,
      server.output().stderr,
      terminal.stdout,
      terminal.stderr,
    ].join("\n");
    for (const secret of [sessionSecret, clientSecret, API_KEY, session!, code, em.admin.pass]) {
      assert.equal(written.includes(secret), false, `a secret reached the output: ${secret}`);
    }
    const history = await readFile(join(root, "state", "chat", "history", "alice.ndjson"), "utf8");
    assert.match(history, /"role":"system","content":"Reply stopped."/);
  } finally {
    await server?.stop();
    await model.dispose();
    await em.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
