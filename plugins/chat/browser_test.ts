/**
 * The chat end to end in a real headless browser (Chromium from
 * @sparticuz/chromium driven by playwright-core): sign-in through the forge
 * emulator's authorize page, a reply streamed by the real claude CLI talking
 * to the scripted model emulator, history on reload, 403 for a user not on
 * the list, the limit's 429 shown in the page, and Stop ending the process.
 */
import chromium from "@sparticuz/chromium";
import { chromium as playwright } from "playwright-core";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../../core/runtime/serve.ts";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { basic, call, newUser } from "../../tests/helpers/emulator_api.ts";
import { claudeBinary, claudeEnvFor } from "../../tests/helpers/model_emulator.ts";
import { claudeTurnRunner } from "./claude_turn.ts";
import { Conversation } from "./conversation.ts";
import { createChatApp } from "./server.ts";
import { allowList } from "./settings.ts";
import { processesIn, startHeldModel, until } from "./_test_kit.ts";
import { tokenSigner } from "./signed_token.ts";

const LIMITS = { requestsPerHour: 3, requestsPerDay: 0, tokensPerDay: 0 };
const REPLY = "The factory is fine. <img src=x onerror=alert(1)>";

Deno.test("chat in a real browser: sign-in, streamed reply, history, 403, 429, Stop", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chat-browser-"));
  const em = await startEmulator();
  // The model: "hello" answers at once; "take your time" is held until released.
  const model = await startHeldModel({
    models: ["claude-test"],
    conversations: [
      { name: "slow", match: "take your time", turns: [{ text: "Still thinking." }] },
      { name: "hello", turns: [{ text: REPLY, usage: { input_tokens: 50, output_tokens: 20 } }] },
    ],
  }, "take your time");
  let app: { fetch(request: Request): Response | Promise<Response> } | undefined;
  const chatServer = await serve((request) => app!.fetch(request), {
    hostname: "127.0.0.1",
    port: 0,
  });
  const conversation = new Conversation({
    stateDir: join(dir, "state"),
    limits: LIMITS,
    now: () => Date.now(),
    runTurn: claudeTurnRunner({
      bin: claudeBinary,
      configDir: join(dir, "claude-chat"),
      model: "claude-test",
      timeoutMs: 60_000,
      env: claudeEnvFor(model.url, join(dir, "claude-chat")),
    }),
  });
  let browser: import("playwright-core").Browser | undefined;
  try {
    await newUser(em, "alice");
    await newUser(em, "mallory");
    const oauthApp = await call(em, "POST", "/user/applications/oauth2", {
      auth: basic(em.admin.user, em.admin.pass),
      body: { name: "chat", redirect_uris: [`${chatServer.url}/oauth/callback`] },
    });
    app = createChatApp({
      publicUrl: chatServer.url,
      oauth: {
        forgeUrl: em.url,
        forgeBrowserUrl: em.url,
        clientId: oauthApp.body.client_id,
        clientSecret: oauthApp.body.client_secret,
        redirectUri: `${chatServer.url}/oauth/callback`,
      },
      signer: tokenSigner("a-browser-test-secret-0123456789abcdef"),
      isAllowed: allowList({ admin: em.admin.user, allowedUsers: ["alice"] }),
      fetch: globalThis.fetch,
      now: () => Date.now(),
      log: () => {},
      conversation,
      limits: LIMITS,
    });

    browser = await playwright.launch({
      executablePath: await chromium.executablePath(),
      // Without --disable-web-security: with it Chromium sends `Origin: null`
      // on same-origin POSTs, which is not what a real browser does.
      args: chromium.args.filter((arg) => arg !== "--disable-web-security"),
      headless: true,
      timeout: 60_000,
    });

    // One context: with --single-process, a second context's page requests
    // do not see that context's cookies.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const signIn = async (user: string) => {
      await context.clearCookies();
      await page.goto(chatServer.url);
      await page.fill('input[name="user_name"]', user);
      await page.fill('input[name="password"]', `${user}-pass-123`);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('button:has-text("Sign in")'),
      ]);
      return response?.status();
    };

    // A user not on the list gets 403 and no session.
    assert.equal(await signIn("mallory"), 403);
    assert.match(await page.textContent("body") ?? "", /mallory/);
    assert.equal((await context.cookies()).some((c) => c.name === "chat_session"), false);

    assert.equal(await signIn("alice"), 200);
    await page.waitForSelector('#user:has-text("alice")');
    const log = page.locator('[role="log"]');
    assert.equal(await log.getAttribute("aria-busy"), "false");
    assert.equal(await page.getByLabel("Message").count(), 1);
    // Phone width: nothing wider than the screen.
    assert.ok(Number(await page.evaluate("document.documentElement.scrollWidth")) <= 390);

    // A message: the real CLI answers through the model emulator; the reply is text, not HTML.
    await page.getByLabel("Message").fill("hello, how is the factory?");
    await page.click("#send");
    await page.waitForSelector(`.msg.assistant .body:has-text("The factory is fine.")`);
    await page.waitForSelector('#log[aria-busy="false"]', { state: "attached" });
    assert.equal(await page.locator(".msg.assistant .body").last().textContent(), REPLY);
    assert.equal(await page.locator("#log img").count(), 0);

    // Reload: the history is back.
    await page.reload();
    await page.waitForSelector(`.msg.assistant .body:has-text("The factory is fine.")`);
    assert.deepEqual(await page.locator(".msg .body").allTextContents(), [
      "hello, how is the factory?",
      REPLY,
    ]);

    // Stop: the reply's CLI is running (its model request held); Stop ends it.
    const workDir = join(dir, "state", "work", "alice");
    await page.getByLabel("Message").fill("take your time");
    await page.click("#send");
    await until(
      "the held model request",
      () => Promise.resolve(model.holding() || undefined),
    );
    assert.notDeepEqual(await processesIn(workDir), []);
    assert.equal(await log.getAttribute("aria-busy"), "true");
    await page.click("#stop");
    await page.waitForSelector('.msg.system .body:has-text("Reply stopped.")');
    assert.deepEqual(await processesIn(workDir), []);
    assert.equal(await page.isHidden("#stop"), true);

    // The third message this hour is allowed, the fourth is 429, shown with its reset time.
    await page.getByLabel("Message").fill("hello again");
    await page.click("#send");
    await page.waitForSelector(".msg.assistant >> nth=1");
    await page.waitForSelector('#log[aria-busy="false"]', { state: "attached" });
    await page.getByLabel("Message").fill("one more");
    await page.click("#send");
    await page.waitForSelector('#notice:has-text("Limit reached (requests per hour)")');
    const reset = await page.locator("#notice time").getAttribute("datetime");
    assert.ok(reset && Date.parse(reset) > Date.now() + 3500_000, String(reset));
  } finally {
    model.release();
    await browser?.close();
    await conversation.board.stopAll();
    await chatServer.shutdown();
    await model.dispose();
    await em.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
