/**
 * Builds the commander program: global flags, core commands, then each
 * plugin's commands in registry order. Output goes to the injected context.
 */
import { Command, Option } from "@commander-js/extra-typings";
import type { CommandHost, GlobalOptions, Plugin } from "../plugin.ts";
import { registerCompletionsCommand } from "./completions.ts";
import { registerLockCommand } from "./lock_command.ts";
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

/** The root program, with output and exits routed through the host. */
export function buildProgram(host: CommandHost, plugins: readonly Plugin[]): Command {
  const { context } = host;
  const program = new Command("disinto")
    .description("Run a factory of AI coding agents on a self-hosted Forgejo forge")
    .version(VERSION, "--version", "print the version and exit")
    .helpOption("-h, --help", "show help for a command")
    .option("--root <dir>", "factory root (default: DISINTO_ROOT or the current directory)")
    .option(
      "--project <name-or-path>",
      "project TOML to use (default: the only one, or PROJECT_NAME)",
    )
    .option("--json", "print results as JSON where a command reports data")
    .option("-q, --quiet", "print only warnings and errors")
    .option("-v, --verbose", "print more detail (secrets stay redacted)")
    .addOption(new Option("--no-color", "disable colour (also NO_COLOR)"))
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: true });

  program.configureOutput({
    writeOut: (text) => context.stdout.write(text),
    writeErr: (text) => context.stderr.write(text),
    // Errors are printed by the runner as one line with a hint.
    outputError: () => {},
  });
  applyToAll(program);

  registerLockCommand(program, host);
  registerCompletionsCommand(program, host);
  for (const plugin of plugins) plugin.commands?.(program, host);
  for (const command of allCommands(program)) applyToAll(command);
  return program;
}

/** Settings every command needs: no process exit, output through the context. */
function applyToAll(command: Command<unknown[], Record<string, unknown>, Record<string, unknown>>) {
  command.exitOverride();
  command.showSuggestionAfterError(true);
}

/** Every command below `root`, depth first. */
export function allCommands(root: Command): Command[] {
  const out: Command[] = [];
  const walk = (command: Command) => {
    for (const sub of command.commands as Command[]) {
      out.push(sub);
      walk(sub);
    }
  };
  walk(root);
  return out;
}

/** Read the global flags off the root program. */
export function readGlobals(program: Command, env: Readonly<Record<string, string | undefined>>) {
  const opts = program.opts() as Record<string, unknown>;
  const globals: GlobalOptions = {
    root: opts.root as string | undefined,
    project: opts.project as string | undefined,
    json: Boolean(opts.json),
    quiet: Boolean(opts.quiet),
    verbose: Boolean(opts.verbose),
    color: opts.color !== false && env.NO_COLOR === undefined,
  };
  return globals;
}
