import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import { plugins } from "../../mod.ts";
import { until } from "../_test_kit.ts";

async function run(argv: string[], env: Record<string, string> = {}) {
  const root = await mkdtemp(join(tmpdir(), "chat-serve-"));
  try {
    const context = testContext({ argv, env: { HOME: "/home/op", ...env }, cwd: root });
    const code = await runCli(context, plugins);
    const dotenv = await readFile(join(root, ".env"), "utf8").catch(() => null);
    return { code, stdout: context.stdout.text, stderr: context.stderr.text, dotenv };
  } finally {
    await rm(root, { recursive: true });
  }
}

Deno.test("chat serve: bad input exits 2 with one line naming it, writing nothing", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["chat", "serve", "--port", "70000"], {}, /--port.*expected a port 0\.\.65535/],
    [["chat", "serve", "--port", "x"], {}, /expected a port/],
    [["chat", "serve", "--host", "999.1.1.1"], {}, /--host.*expected an IP address or a host name/],
    [["chat", "serve"], {}, /CHAT_OAUTH_CLIENT_ID: not set/],
    [
      ["chat", "serve"],
      { CHAT_OAUTH_CLIENT_ID: "id", CHAT_MAX_REQUESTS_PER_HOUR: "-1" },
      /CHAT_MAX_REQUESTS_PER_HOUR/,
    ],
    [
      ["chat", "serve"],
      { CHAT_OAUTH_CLIENT_ID: "id", CHAT_PUBLIC_URL: "ftp://x" },
      /CHAT_PUBLIC_URL/,
    ],
    [
      ["chat", "serve"],
      { CHAT_OAUTH_CLIENT_ID: "id", CHAT_SESSION_SECRET: "short" },
      /CHAT_SESSION_SECRET/,
    ],
    [
      ["chat", "serve"],
      { CHAT_CLAUDE_CONFIG_DIR: "/home/op/.claude" },
      /overlaps the agents' shared/,
    ],
    [["chat", "serve"], { CHAT_CLAUDE_CONFIG_DIR: "/home/op" }, /overlaps the agents' shared/],
    [["chat", "--user", "mallory"], {}, /--user: "mallory" may not use the chat/],
  ];
  for (const [argv, env, expected] of cases) {
    const result = await run(argv, env);
    assert.equal(result.code, 2, `${argv.join(" ")} ${JSON.stringify(env)}: ${result.stderr}`);
    assert.match(result.stderr, expected);
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    assert.equal(result.dotenv, null);
  }
});

Deno.test("chat serve --port 0: the default public URL (and the sign-in's redirect) names the port bound", async () => {
  const root = await mkdtemp(join(tmpdir(), "chat-serve-"));
  const stop = new AbortController();
  const context = testContext({
    argv: ["chat", "serve", "--port", "0", "--host", "127.0.0.1"],
    env: { HOME: "/home/op", CHAT_OAUTH_CLIENT_ID: "chat-client" },
    cwd: root,
    signal: stop.signal,
  });
  const running = runCli(context, plugins);
  try {
    const line = await until(
      "the listening line",
      () =>
        Promise.resolve(
          /chat listening on (\S+) \(public URL (\S+)\)/.exec(context.stdout.text) ?? undefined,
        ),
    );
    const port = new URL(line[1]!).port;
    assert.notEqual(port, "0");
    assert.equal(line[2], `http://localhost:${port}`);
    const login = await fetch(`${line[1]}/login`, { redirect: "manual" });
    await login.body?.cancel();
    const authorize = new URL(login.headers.get("location")!);
    assert.equal(
      authorize.searchParams.get("redirect_uri"),
      `http://localhost:${port}/oauth/callback`,
    );
  } finally {
    stop.abort();
    assert.equal(await running, 0, context.stderr.text);
    await rm(root, { recursive: true });
  }
});
