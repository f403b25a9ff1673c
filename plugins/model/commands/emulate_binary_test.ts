/**
 * `disinto model emulate` on the compiled binary: prints its URL, answers
 * health and a scripted message, logs each request on stdout, exits 0 on
 * SIGTERM; bad input exits 2 with one line and serves nothing.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, runBinary } from "../../../tests/helpers/binary.ts";
import { startChild } from "../../../tests/helpers/child.ts";

const SCRIPT = `
[[conversations]]
match = "dev agent"
[[conversations.turns]]
text = "On it."
[[conversations.turns.tool_use]]
name = "Bash"
input = { command = "ls" }
`;

async function withScript(text: string, test: (dir: string, file: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "model-emulate-e2e-"));
  try {
    await writeFile(join(dir, "script.toml"), text);
    await test(dir, join(dir, "script.toml"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test("model emulate on the binary: URL line, health, a scripted message, SIGTERM exit 0", async () => {
  await withScript(SCRIPT, async (dir) => {
    const child = startChild(
      requireBinary(),
      ["model", "emulate", "--port", "0", "--script", "script.toml"],
      { cwd: dir },
    );
    try {
      const line = await child.waitForLine(/^model emulator listening on /, 10_000);
      const url = /(http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
      assert.ok(url, line);
      const health = await fetch(`${url}/health`);
      assert.deepEqual(await health.json(), { status: "ok" });
      const response = await fetch(`${url}/v1/messages?beta=true`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "k" },
        body: JSON.stringify({
          model: "claude-test",
          max_tokens: 1000,
          system: "You are the dev agent.",
          tools: [{ name: "Bash" }],
          messages: [{ role: "user", content: "go" }],
        }),
      });
      const message = await response.json();
      assert.equal(response.status, 200);
      assert.equal(message.stop_reason, "tool_use");
      assert.deepEqual(message.content.map((b: { type: string }) => b.type), ["text", "tool_use"]);
      await child.waitForLine(
        /^POST \/v1\/messages\?beta=true 200 turn 0 of conversation 0 \(tool_use\)$/,
        5_000,
      );
      await child.stop("SIGTERM");
      assert.deepEqual(await child.exited, { code: 0, signal: null }, child.output().stderr);
      assert.match(child.output().stdout, /^GET \/health 200$/m);
      assert.match(child.output().stdout, /model emulator stopped\n$/);
      assert.equal(child.output().stderr, "");
    } finally {
      await child.stop();
    }
  });
});

Deno.test("model emulate on the binary: a bad script, a missing one or a bad port exit 2 with one line", async () => {
  await withScript("[[conversations]]\nturns = 3\n", async (dir, file) => {
    const cases: [string[], RegExp][] = [
      [["--script", file], /conversations\.0\.turns: expected array/],
      [
        ["--script", join(dir, "missing.toml")],
        /--script: cannot read ".*missing\.toml" \(ENOENT\)/,
      ],
      [["--script", file, "--port", "70000"], /--port <n>.*expected a port 0\.\.65535/],
      [[], /required option '--script <file>'/],
    ];
    for (const [args, expected] of cases) {
      const result = await runBinary(["model", "emulate", "--port", "0", ...args], {
        timeoutMs: 10_000,
      });
      assert.equal(result.code, 2, JSON.stringify(result));
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, expected);
    }
  });
});
