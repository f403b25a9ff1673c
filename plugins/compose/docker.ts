/** Run `docker compose -f <root>/docker-compose.yml …` through dax-sh, output to the context. */
import $ from "dax-sh";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { COMPOSE_FILE } from "../../core/compose/generate.ts";
import type { Output } from "../../core/context.ts";
import { BadInputError } from "../../core/errors.ts";
import type { CommandHost } from "../../core/plugin.ts";

function sink(output: Output): WritableStream<Uint8Array> {
  const decoder = new TextDecoder();
  return new WritableStream<Uint8Array>({
    write: (chunk) => output.write(decoder.decode(chunk, { stream: true })),
    close: () => output.write(decoder.decode()),
  });
}

/** Returns docker's exit code; a missing compose file is bad input (run `compose generate`). */
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
  const result = await $`docker compose -f ${file} ${[...args]}`
    .cwd(root)
    .env(context.env)
    .stdin("null")
    .stdout(sink(context.stdout))
    .stderr(sink(context.stderr))
    .noThrow();
  return result.code;
}
