/** `disinto hire-an-agent <name> <role> --local-model URL [--model M] [--api-key K] [--poll-interval S] [--formula F]`. */
import type { Command } from "@commander-js/extra-typings";
import type { CommandHost } from "../../../core/plugin.ts";
import { describeHire, hireAgent, hireJson, parseHireArguments } from "../hire.ts";

export function registerHireCommand(program: Command, host: CommandHost): void {
  program.command("hire-an-agent")
    .description("create an agent's forge identity and, with --local-model, its service")
    .argument("<name>", "the agent's forge user name, e.g. dev-qwen")
    .argument("<role>", "the role it plays, e.g. dev or review")
    .option("--local-model <url>", "http(s) URL of its model server (llama.cpp and friends)")
    .option("--model <name>", "model name the server expects (default local-model)")
    .option("--api-key <key>", "API key of the model server (default sk-no-key-required)")
    .option("--poll-interval <seconds>", "seconds between poll cycles (default 60)")
    .option("--formula <name-or-path>", "the formula of its role, recorded on its table")
    .action((name, role, options) =>
      host.run(async () => {
        const request = parseHireArguments({
          name,
          role,
          localModel: options.localModel,
          model: options.model,
          apiKey: options.apiKey,
          pollInterval: options.pollInterval,
          formula: options.formula,
        });
        const plugins = host.plugins?.();
        if (!plugins) throw new Error("The command host does not expose its plugin list");
        const { context } = host;
        if (options.apiKey) host.redactor.add(options.apiKey);
        const root = host.root();
        const report = await hireAgent(request, {
          context,
          root,
          projectSelector: host.globals().project,
          plugins,
        });
        const { lines, warning } = describeHire(request, report, root);
        for (const text of [...report.warnings, ...(warning ? [warning] : [])]) {
          context.stderr.write(`warning: ${text}\n`);
        }
        if (host.globals().json) {
          context.stdout.write(JSON.stringify(hireJson(request, report)) + "\n");
        } else if (!host.globals().quiet) {
          context.stdout.write(lines.join("\n") + "\n");
        }
        return 0;
      })
    );
}
