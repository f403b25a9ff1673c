/** The helper as git runs it: `get` answers from the environment. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { CREDENTIAL_HELPER, CREDENTIAL_HELPER_ARGS, credentialEnv } from "./credential_helper.ts";

/** `git credential fill` with our helper alone: what git would send to the forge. */
function fill(env: Record<string, string>): string {
  const result = spawnSync("git", [...CREDENTIAL_HELPER_ARGS, "credential", "fill"], {
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GIT_TERMINAL_PROMPT: "0", ...env },
    input: "protocol=http\nhost=forge.test\n\n",
    encoding: "utf8",
  });
  return result.stdout;
}

Deno.test("git gets the user and password from the environment through the helper", () => {
  const out = fill(credentialEnv("dev-bot", "p a$s'w\"d"));
  assert.match(out, /^username=dev-bot$/m);
  assert.match(out, /^password=p a\$s'w"d$/m);
  // Without them, git gets empty credentials from the helper, never a prompt.
  assert.match(fill({}), /^username=$/m);
});

Deno.test("the -c arguments clear configured helpers before adding ours", () => {
  assert.deepEqual(CREDENTIAL_HELPER_ARGS.slice(0, 2), ["-c", "credential.helper="]);
  assert.equal(CREDENTIAL_HELPER_ARGS[3], `credential.helper=${CREDENTIAL_HELPER}`);
});
