/**
 * Every command a container or the crontab runs is a real command of the
 * binary, with the options it is given: the compose files (the goldens, which
 * golden_test.ts pins to what `compose generate` writes), the crontab line of
 * `init --install-cron`, and the Dockerfile's default command. A generated
 * stack that names a missing command crash-loops every container.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { DISINTO_ENTRYPOINT } from "../../core/compose/services.ts";
import { AGENT_HOME } from "../../core/compose/services.ts";
import { cronLine } from "../../plugins/forge/init/cron.ts";
import { repoRoot, runBinary } from "../helpers/binary.ts";

const ENTRYPOINT = DISINTO_ENTRYPOINT[0] as string;
/** Global flags that take a value (SPEC §3); they may precede the command. */
const GLOBAL_WITH_VALUE = new Set(["--root", "--project"]);

interface Invocation {
  source: string;
  args: string[];
}

async function composeInvocations(): Promise<Invocation[]> {
  const testdata = join(repoRoot, "plugins", "compose", "testdata");
  const found: Invocation[] = [];
  for (const entry of await readdir(testdata, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(testdata, entry.name, "docker-compose.yml.golden");
    const text = await readFile(file, "utf8").catch(() => null);
    if (text === null) continue;
    const doc = parseYaml(text) as { services: Record<string, Record<string, unknown>> };
    for (const [name, service] of Object.entries(doc.services)) {
      const entrypoint = service.entrypoint as string[] | undefined;
      if (entrypoint?.[0] !== ENTRYPOINT) continue;
      found.push({
        source: `${entry.name}/${name}`,
        args: (service.command as unknown[]).map(String),
      });
    }
  }
  return found;
}

function cronInvocation(): Invocation {
  const line = cronLine({ project: "demo", root: "/srv/factory", binary: ENTRYPOINT });
  const command = line.split(" # ")[0]!.split(" && ")[1]!;
  const words = command.split(" ").map((word) => word.replace(/^'|'$/g, ""));
  assert.equal(words[0], ENTRYPOINT, `cron runs ${words[0]}`);
  return { source: "crontab", args: words.slice(1) };
}

async function dockerfile(): Promise<string> {
  return await readFile(join(repoRoot, "Dockerfile"), "utf8");
}

function dockerfileJson(text: string, instruction: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`${instruction} `));
  assert.ok(line, `Dockerfile has no ${instruction}`);
  return JSON.parse(line.slice(instruction.length + 1)) as string[];
}

/** Splits argv into global flags, command words and the command's own flags. */
function split(args: readonly string[]): { words: string[]; flags: string[] } {
  const words: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (arg.startsWith("--")) flags.push(arg.split("=")[0]!);
    else if (flags.length === 0) words.push(arg);
  }
  return { words, flags };
}

async function assertRealCommand(invocation: Invocation): Promise<void> {
  const { words, flags } = split(invocation.args);
  const help = await runBinary([...words, "--help"]);
  assert.equal(help.code, 0, `${invocation.source}: ${help.stderr}`);
  const usage = help.stdout.split("\n").find((line) => line.startsWith("Usage: disinto "));
  assert.ok(usage, `${invocation.source}: no usage line for ${words.join(" ")}`);
  // The usage line names the command path; the remaining words are its arguments.
  const path = usage.slice("Usage: disinto ".length).split(" ").filter((w) => /^[a-z]/.test(w));
  assert.ok(path.length > 0, `${invocation.source}: "${words.join(" ")}" is not a command`);
  assert.deepEqual(words.slice(0, path.length), path, `${invocation.source}: ${usage}`);
  // A command group takes no arguments: a word after it is a missing subcommand.
  const group = usage.includes("[command]");
  assert.ok(!group || words.length === path.length, `${invocation.source}: ${usage}`);
  for (const flag of flags) {
    assert.match(help.stdout, new RegExp(`${flag}\\b`), `${invocation.source}: no ${flag}`);
  }
}

Deno.test("every command the compose file, the crontab and the image run exists", async (t) => {
  const text = await dockerfile();
  const invocations = [
    ...await composeInvocations(),
    cronInvocation(),
    { source: "Dockerfile CMD", args: dockerfileJson(text, "CMD") },
  ];
  const sources = invocations.map((i) => i.source);
  assert.ok(sources.some((s) => s.endsWith("/agents")), `no agents service in ${sources}`);
  assert.ok(sources.some((s) => s.endsWith("/chat")), `no chat service in ${sources}`);
  for (const invocation of invocations) {
    await t.step(`${invocation.source}: ${invocation.args.join(" ")}`, () => {
      return assertRealCommand(invocation);
    });
  }
});

Deno.test("a made-up command is caught by the same check", async () => {
  await assert.rejects(assertRealCommand({ source: "probe", args: ["agents", "dance"] }));
  await assert.rejects(
    assertRealCommand({ source: "probe", args: ["formula", "list", "--bogus"] }),
  );
});

Deno.test("the Dockerfile runs the binary as an unprivileged user with git and ssh", async () => {
  const text = await dockerfile();
  assert.deepEqual(dockerfileJson(text, "ENTRYPOINT"), DISINTO_ENTRYPOINT);
  assert.match(text, new RegExp(`^COPY dist/disinto ${ENTRYPOINT}$`, "m"));
  const user = text.match(/^USER (\S+)$/m)?.[1];
  assert.ok(user && user !== "root" && user !== "0", `USER ${user}`);
  assert.match(text, new RegExp(`--home-dir ${AGENT_HOME} `));
  const install = text.match(/apt-get install[^\n]*\n?[^\n]*/)?.[0] ?? "";
  for (const pkg of ["git", "openssh-client"]) assert.match(install, new RegExp(`\\b${pkg}\\b`));
});
