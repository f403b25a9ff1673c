/**
 * A factory root for in-process hire tests: one project (`acme/demo`) whose
 * repo exists on a fresh emulator, `.env` with the forge and its admin, and a
 * model server on loopback. `hire` runs hireAgent with `fetch` wrapping the
 * requests when a test needs to hold or watch them.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { testContext } from "../../core/context.ts";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { plugins } from "../mod.ts";
import { createProjectRepo, startModelServer } from "./_emulator_checks.ts";
import { hireAgent, type HireArguments, parseHireArguments } from "./hire.ts";

export const PROJECT = `name = "demo"\nrepo = "acme/demo"\nforge_url = "http://127.0.0.1:3000"\n`;

export async function hireFactory() {
  const emulator = await startEmulator();
  const model = await startModelServer();
  await createProjectRepo(emulator, "acme/demo");
  emulator.clearRequestLog();
  const root = await mkdtemp(join(tmpdir(), "disinto-hire-"));
  const projectFile = join(root, "projects", "demo.toml");
  await mkdir(join(root, "projects"));
  await writeFile(projectFile, PROJECT);
  await writeFile(
    join(root, ".env"),
    `FORGE_URL=${emulator.url}\nFORGE_ADMIN_PASS=${emulator.admin.pass}\n`,
  );
  return {
    root,
    projectFile,
    emulator,
    model,
    /** hireAgent for a local-model agent on this factory's model server. */
    hire: (
      args: Omit<HireArguments, "localModel"> & { localModel?: string | null },
      options: { env?: Record<string, string>; fetch?: typeof fetch } = {},
    ) =>
      hireAgent(
        parseHireArguments({
          ...args,
          localModel: args.localModel === null ? undefined : args.localModel ?? model.url,
        }),
        {
          context: testContext({
            cwd: root,
            env: { HOME: "/home/op", ...options.env },
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
          root,
          projectSelector: undefined,
          plugins,
        },
      ),
    tomlText: () => readFile(projectFile, "utf8"),
    toml: async () => parseToml(await readFile(projectFile, "utf8")) as Record<string, unknown>,
    envText: () => readFile(join(root, ".env"), "utf8"),
    compose: async () =>
      parseYaml(await readFile(join(root, "docker-compose.yml"), "utf8")) as {
        services: Record<string, { environment: Record<string, string> }>;
      },
    async dispose() {
      await model.shutdown();
      await emulator.dispose();
      await rm(root, { recursive: true });
    },
  };
}
