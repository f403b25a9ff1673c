/** `disinto completions bash|zsh|fish`: shell completion scripts from the command tree. */
import type { Command } from "@commander-js/extra-typings";
import { BadInputError } from "../errors.ts";
import type { CommandHost } from "../plugin.ts";

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

function collect(root: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (command: Command, path: string[]) => {
    const subs = command.commands as Command[];
    nodes.push({
      path,
      subcommands: subs.map((sub) => sub.name()),
      options: command.options.flatMap((option) => [option.long, option.short])
        .filter((flag): flag is string => Boolean(flag)),
    });
    for (const sub of subs) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return nodes;
}

export function bashCompletion(root: Command): string {
  const cases = collect(root).map((node) => {
    const words = [...node.subcommands, ...node.options, "--help"].join(" ");
    return `    "${node.path.join(" ")}") words="${words}" ;;`;
  });
  return `# bash completion for disinto
_disinto() {
  local cur path="" word words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) path="\${path:+$path }$word" ;; esac
  done
  case "$path" in
${cases.join("\n")}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _disinto disinto
`;
}

export function zshCompletion(root: Command): string {
  return `#compdef disinto
autoload -U bashcompinit && bashcompinit
${bashCompletion(root)}`;
}

export function fishCompletion(root: Command): string {
  const lines = ["# fish completion for disinto", "complete -c disinto -f"];
  for (const node of collect(root)) {
    const condition = node.path.length === 0
      ? "__fish_use_subcommand"
      : `__fish_seen_subcommand_from ${node.path[node.path.length - 1]}`;
    for (const sub of node.subcommands) {
      lines.push(`complete -c disinto -n '${condition}' -a ${sub}`);
    }
    for (const option of node.options.filter((flag) => flag.startsWith("--"))) {
      lines.push(`complete -c disinto -n '${condition}' -l ${option.slice(2)}`);
    }
  }
  return lines.join("\n") + "\n";
}

export function registerCompletionsCommand(program: Command, host: CommandHost): void {
  program.command("completions")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell) =>
      host.run(() => {
        const makers: Record<string, (root: Command) => string> = {
          bash: bashCompletion,
          zsh: zshCompletion,
          fish: fishCompletion,
        };
        const make = makers[shell];
        if (!make) {
          throw new BadInputError(
            `completions: unknown shell "${shell}"; expected bash, zsh or fish`,
          );
        }
        host.context.stdout.write(make(program));
        return 0;
      })
    );
}
