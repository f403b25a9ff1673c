/** Run `docker compose -f <root>/docker-compose.yml …` through dax-sh, output to the context. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { COMPOSE_FILE } from "../../core/compose/generate.ts";
import type { Output } from "../../core/context.ts";
import { BadInputError, RuntimeFailure } from "../../core/errors.ts";
import type { CommandHost } from "../../core/plugin.ts";
import { findOnPath } from "./find_on_path.ts";

function sink(output: Output): WritableStream<Uint8Array> {
  const decoder = new TextDecoder();
  return new WritableStream<Uint8Array>({
    write: (chunk) => output.write(decoder.decode(chunk, { stream: true })),
    close: () => output.write(decoder.decode()),
  });
}

/**
 * Returns docker's exit code; a missing compose file is bad input (run
 * `compose generate`), a missing docker a runtime failure.
 */
export async function runDockerCompose(
  host: CommandHost,
  args: readonly string[],
): Promise<number> {
  const root = host.root();
  const file = join(root, COMPOSE_FILE);
  if (!existsSync(file)) {
    throw new BadInputError(`${file}: missing; expected 'disinto compose generate' first`);
  }
  const { context } = host;
  // Said plainly here rather than as the shell's "command not found" (127).
  const docker = findOnPath("docker", context.env.PATH);
  if (docker === null) {
    throw new RuntimeFailure(
      "docker: not found on PATH; expected Docker with its compose plugin installed",
    );
  }
  // Loaded here, not at start-up: dax-sh costs ~20 ms to evaluate, and only
  // up/down/logs need it (measured with bench/startup.ts).
  const { default: $ } = await import("dax-sh");
  const result = await $`${docker} compose -f ${file} ${[...args]}`
    .cwd(root)
    .env(context.env)
    .stdin("null")
    .stdout(sink(context.stdout))
    .stderr(sink(context.stderr))
    .noThrow();
  return result.code;
}
