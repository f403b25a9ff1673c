/**
 * Run the command line in process: parse argv, run the chosen command and
 * return its exit code. Nothing here exits the process or reads its globals.
 */
import { type Command, CommanderError } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import type { Context } from "../context.ts";
import { exitCodeOf, oneLine } from "../errors.ts";
import type { CommandHost, Plugin } from "../plugin.ts";
import { Redactor } from "../redact.ts";
import { buildProgram, readGlobals } from "./program.ts";

/** Commander codes that mean "done, successfully" rather than a usage error. */
const SUCCESS_CODES = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

export async function runCli(input: Context, plugins: readonly Plugin[]): Promise<number> {
  const redactor = new Redactor();
  redactor.addFromEnv(input.env);
  // Streaming: a child's output (lock run) may split a secret across writes.
  const stdout = redactor.stream(input.stdout);
  const stderr = redactor.stream(input.stderr);
  try {
    return await runRedacted({ ...input, stdout, stderr }, plugins, redactor);
  } finally {
    stdout.end();
    stderr.end();
  }
}

async function runRedacted(
  context: Context,
  plugins: readonly Plugin[],
  redactor: Redactor,
): Promise<number> {
  let exitCode = 0;
  // The program is built after the host it is given; the host reads it lazily.
  const built: { program?: Command } = {};
  const host: CommandHost = {
    context,
    redactor,
    globals: () => readGlobals(built.program!, context.env),
    plugins: () => plugins,
    root: () => {
      const given = readGlobals(built.program!, context.env).root ?? context.env.DISINTO_ROOT;
      return given ? resolve(context.cwd, given) : context.cwd;
    },
    async run(action) {
      try {
        exitCode = await action();
      } catch (error) {
        exitCode = exitCodeOf(error);
        context.stderr.write(`disinto: ${oneLine(error)}\n`);
        if (
          exitCode !== 2 && readGlobals(built.program!, context.env).verbose &&
          error instanceof Error
        ) {
          context.stderr.write(`${error.stack ?? ""}\n`);
        }
      }
    },
  };
  const program = buildProgram(host, plugins);
  built.program = program;
  if (context.argv.length === 0) {
    context.stderr.write(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync([...context.argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (SUCCESS_CODES.has(error.code)) return 0;
      context.stderr.write(usageLine(error, commandPath(program, context.argv)));
      return 2;
    }
    context.stderr.write(`disinto: ${oneLine(error)}\n`);
    return 1;
  }
  return exitCode;
}

/** "disinto init: unknown option '--x' (see 'disinto init --help')" */
function usageLine(error: CommanderError, path: string): string {
  const message = oneLine(error.message.replace(/^error:\s*/, ""));
  const name = path ? `disinto ${path}` : "disinto";
  return `${name}: ${message} (see '${name} --help')\n`;
}

const GLOBAL_VALUE_OPTIONS = new Set(["--root", "--project"]);

/** The command words at the start of argv, found by walking the command tree. */
function commandPath(program: Command, argv: readonly string[]): string {
  const path: string[] = [];
  let current = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") break;
    if (GLOBAL_VALUE_OPTIONS.has(word)) i++;
    if (word.startsWith("-")) continue;
    const next = (current.commands as Command[]).find((command) =>
      command.name() === word || command.aliases().includes(word)
    );
    if (!next) break;
    path.push(next.name());
    current = next;
  }
  return path.join(" ");
}
