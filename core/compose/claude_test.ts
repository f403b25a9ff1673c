import assert from "node:assert/strict";
import { BadInputError } from "../errors.ts";
import {
  assertChatIsolation,
  exposes,
  resolveClaudePaths,
  sharedClaudeMount,
  volumeSource,
} from "./claude.ts";
import { runtime, text } from "./value.ts";

Deno.test("Claude paths default under HOME and honour CLAUDE_BIN / CLAUDE_CONFIG_DIR", () => {
  assert.deepEqual(resolveClaudePaths({ HOME: "/home/op" }), {
    bin: "/home/op/.local/bin/claude",
    configDir: "/home/op/.claude",
  });
  assert.deepEqual(
    resolveClaudePaths({ HOME: "/h", CLAUDE_BIN: "/opt/c", CLAUDE_CONFIG_DIR: "/srv/cfg//" }),
    { bin: "/opt/c", configDir: "/srv/cfg" },
  );
});

Deno.test("relative, missing or colon paths are bad input", () => {
  assert.throws(() => resolveClaudePaths({}), BadInputError);
  assert.throws(() => resolveClaudePaths({ HOME: "rel" }), BadInputError);
  assert.throws(() => resolveClaudePaths({ HOME: "/h", CLAUDE_CONFIG_DIR: "cfg" }), BadInputError);
  assert.throws(() => resolveClaudePaths({ HOME: "/h", CLAUDE_BIN: "/a:b" }), BadInputError);
});

Deno.test("the shared mount uses the same absolute path inside and outside", () => {
  const mount = sharedClaudeMount({ bin: "/b/claude", configDir: "/c" });
  assert.deepEqual(mount.volumes, ["/c:/c", "/b/claude:/b/claude:ro"]);
  assert.deepEqual(mount.environment, { CLAUDE_BIN: "/b/claude", CLAUDE_CONFIG_DIR: "/c" });
});

Deno.test("volume sources and exposure", () => {
  assert.equal(volumeSource("/a/b/:/x"), "/a/b");
  assert.equal(volumeSource("named:/x"), null);
  assert.equal(volumeSource(text`${runtime("HOME")}/.claude:/x`), null);
  assert.ok(exposes("/home/op", "/home/op/.claude"));
  assert.ok(exposes("/home/op/.claude/sub", "/home/op/.claude"));
  assert.ok(!exposes("/home/op/.claude-chat", "/home/op/.claude"));
});

Deno.test("a chat service mounting the shared config dir (or its parent) is refused, by name", () => {
  const paths = { bin: "/b/claude", configDir: "/home/op/.claude" };
  for (const source of ["/home/op/.claude", "/home/op", "/home/op/.claude/x"]) {
    assert.throws(
      () => assertChatIsolation({ chat: { volumes: [`${source}:/cfg`] } }, paths),
      (error: Error) => error instanceof BadInputError && error.message.includes('"chat"'),
    );
  }
  assertChatIsolation(
    { chat: { volumes: ["/home/op/.claude-chat:/c", "/b/claude:/b/claude"] } },
    paths,
  );
  // Batch services are meant to share it.
  assertChatIsolation({ agents: { volumes: ["/home/op/.claude:/home/op/.claude"] } }, paths);
});
