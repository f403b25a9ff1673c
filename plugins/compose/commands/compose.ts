/**
 * `disinto compose generate [--force] [--stdout]` and the thin docker compose
 * wrappers `disinto up`, `down`, `logs [service]` (SPEC §3, §9).
 */
import type { Command } from "@commander-js/extra-typings";
import { generateAndWrite } from "../generate_command.ts";
import { runDockerCompose } from "../docker.ts";
import { BadInputError } from "../../../core/errors.ts";
import type { CommandHost } from "../../../core/plugin.ts";

export function registerComposeCommands(program: Command, host: CommandHost): void {
  const compose = program.command("compose").description("the factory's docker-compose.yml");
  compose.command("generate")
    .description("write docker-compose.yml from the project TOMLs and every plugin's services")
    .option("--force", "replace an existing docker-compose.yml")
    .option("--stdout", "print the file instead of writing it")
    .action((options) =>
      host.run(async () => {
        const { context } = host;
        const result = await generateAndWrite(host, {
          force: options.force === true,
          stdout: options.stdout === true,
        });
        if (result.yaml !== undefined) context.stdout.write(result.yaml);
        else if (host.globals().json) {
          context.stdout.write(
            JSON.stringify({ path: result.path, outcome: result.outcome }) + "\n",
          );
        } else if (!host.globals().quiet) {
          context.stdout.write(`${result.path}: ${result.outcome}\n`);
        }
        return 0;
      })
    );

  program.command("up")
    .description("start the factory: docker compose up -d")
    .action(() => host.run(() => runDockerCompose(host, ["up", "-d"])));
  program.command("down")
    .description("stop the factory: docker compose down")
    .action(() => host.run(() => runDockerCompose(host, ["down"])));
  program.command("logs")
    .description("follow the logs of the factory or of one service")
    .argument("[service]", "a service of docker-compose.yml")
    .action((service) =>
      host.run(() => {
        if (service !== undefined && !/^[a-z0-9][a-z0-9_.-]*$/.test(service)) {
          throw new BadInputError(`service: "${service}" is not a compose service name`);
        }
        return runDockerCompose(host, ["logs", "-f", ...(service ? [service] : [])]);
      })
    );
}
