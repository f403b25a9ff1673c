/**
 * `disinto formula list|show|validate|render` (SPEC §12): the formulas agents
 * run, built in or from the factory's `formulas/` directory. See docs/formulas.md.
 */
import type { Command } from "@commander-js/extra-typings";
import { BadInputError, oneLine } from "../../../core/errors.ts";
import {
  findFormulaSource,
  formulaSources,
  type LoadedFormula,
  loadFormula,
} from "../../../core/formula/mod.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import { formulaData, listText, showText } from "../describe.ts";
import { fileLabel } from "../labels.ts";
import { renderCommand } from "../render_command.ts";

export function registerFormulaCommands(program: Command, host: CommandHost): void {
  const formula = program.command("formula").description(
    "the formulas agents run: list, show, validate, render",
  );
  const write = (text: string) => host.context.stdout.write(text);
  const json = (value: unknown) => write(JSON.stringify(value) + "\n");
  const options = () => ({ label: fileLabel(host.context.cwd) });

  formula.command("list")
    .description("list the built-in formulas and the factory's formulas/")
    .action(() =>
      host.run(async () => {
        const sources = await formulaSources(host.root(), options());
        const loaded = sources.map(loadFormula);
        if (host.globals().json) json(loaded.map(formulaData));
        else write(listText(loaded));
        return 0;
      })
    );

  formula.command("show")
    .description("show one formula: variables, context files and steps")
    .argument("<name>", "a formula name, or a path to a formula file")
    .action((name) =>
      host.run(async () => {
        const source = await findFormulaSource(host.root(), name, host.context.cwd, options());
        const loaded = loadFormula(source);
        if (host.globals().json) json(formulaData(loaded));
        else write(showText(loaded));
        return 0;
      })
    );

  formula.command("validate")
    .description("check formulas (all listed ones when none is named); exit 2 if any is invalid")
    .argument("[names-or-paths...]", "formula names or paths to formula files")
    .action((names) =>
      host.run(async () => {
        const results = await validateAll(host, names, options());
        if (host.globals().json) json(results);
        for (const result of results) {
          if ("error" in result) host.context.stderr.write(`disinto: ${result.error}\n`);
          else if (!host.globals().json && !host.globals().quiet) write(`ok ${result.file}\n`);
        }
        return results.every((result) => !("error" in result)) ? 0 : 2;
      })
    );

  formula.command("render")
    .description("print the exact prompt an agent receives for a formula")
    .argument("<name>", "a formula name, or a path to a formula file")
    .option(
      "--var <name=value>",
      "a variable's value (repeatable)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action((name, flags) =>
      host.run(async () => {
        const result = await renderCommand(host, name, flags.var ?? []);
        if (host.globals().json) json(result);
        else write(result.prompt);
        return 0;
      })
    );
}

type ValidateResult = { file: string; name: string } | { file: string; error: string };

async function validateAll(
  host: CommandHost,
  names: readonly string[],
  options: { label: (path: string) => string },
): Promise<ValidateResult[]> {
  const { cwd } = host.context;
  const root = host.root();
  const sources = names.length > 0
    ? names.map((name) => () => findFormulaSource(root, name, cwd, options))
    : (await formulaSources(root, options)).map((source) => () => Promise.resolve(source));
  const results: ValidateResult[] = [];
  for (const [index, find] of sources.entries()) {
    let file = names[index] ?? "";
    try {
      const source = await find();
      file = source.file;
      const loaded: LoadedFormula = loadFormula(source);
      results.push({ file, name: loaded.formula.name });
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error;
      results.push({ file, error: oneLine(error) });
    }
  }
  return results;
}
