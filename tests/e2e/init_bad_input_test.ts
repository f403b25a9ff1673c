/**
 * `disinto init` bad input on the compiled binary: exit 2, one line on stderr,
 * nothing on stdout, no file written or changed, and no request to the forge
 * (an emulator listens at FORGE_URL and its request log stays empty).
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, runBinary } from "../helpers/binary.ts";
import { startEmulator } from "../helpers/emulator.ts";

interface BadCase {
  what: string;
  args: string[];
  /** Environment on top of PATH, HOME and FORGE_URL (the emulator). */
  env?: Record<string, string>;
  /** Leave FORGE_URL out of the environment (it would win over .env). */
  noForgeUrlInEnv?: true;
  /** Files to create in the factory root first: path → content, or null for a directory. */
  files?: Record<string, string | null>;
  message: RegExp;
}

const PASS = { FORGE_ADMIN_PASS: "pw-123456789" };

const CASES: BadCase[] = [
  {
    what: "a slug with three parts",
    args: ["init", "not/a/slug", "--yes"],
    env: PASS,
    message: /<repo-url-or-slug>: "not\/a\/slug" is not valid/,
  },
  {
    what: "a slug with a space",
    args: ["init", "bad slug", "--yes"],
    env: PASS,
    message: /<repo-url-or-slug>: "bad slug" is not valid/,
  },
  {
    what: "a clone URL without a repo",
    args: ["init", "https://code.example/acme", "--yes"],
    env: PASS,
    message: /<repo-url-or-slug>: "https:\/\/code\.example\/acme" is not valid/,
  },
  {
    what: "a clone URL with a malformed %-escape",
    args: ["init", "https://x/%zz/y", "--yes"],
    env: PASS,
    message: /<repo-url-or-slug>: "https:\/\/x\/%zz\/y" is not valid/,
  },
  {
    what: "an unknown flag",
    args: ["init", "acme/app", "--nope"],
    env: PASS,
    message: /unknown option '--nope'/,
  },
  {
    what: "--yes without an admin password",
    args: ["init", "acme/app", "--yes"],
    message: /--yes: FORGE_ADMIN_PASS is not set/,
  },
  {
    what: "a forge URL flag that is not http(s)",
    args: ["init", "acme/app", "--yes", "--forge-url", "ssh://forge"],
    env: PASS,
    message: /--forge-url: "ssh:\/\/forge" is not http\(s\)/,
  },
  {
    what: "a FORGE_URL in the environment that is not http(s)",
    args: ["init", "acme/app", "--yes"],
    env: { ...PASS, FORGE_URL: "file:///srv/forge" },
    message: /FORGE_URL: "file:\/\/\/srv\/forge" is not http\(s\)/,
  },
  {
    what: "a FORGE_URL in .env that is not http(s)",
    args: ["init", "acme/app", "--yes"],
    env: PASS,
    files: { ".env": "FORGE_URL=ftp://forge.example\n" },
    noForgeUrlInEnv: true,
    message: /\.env FORGE_URL: "ftp:\/\/forge\.example" is not http\(s\)/,
  },
  {
    what: "a project TOML that does not parse",
    args: ["init", "acme/app", "--yes"],
    env: PASS,
    files: { "projects/app.toml": "name = \n" },
    message: /projects\/app\.toml: line 1: invalid TOML/,
  },
  {
    what: "a project TOML with a value of the wrong type",
    args: ["init", "acme/app", "--yes"],
    env: PASS,
    files: { "projects/app.toml": 'name = "app"\nrepo = 42\n' },
    message: /projects\/app\.toml: repo: expected string/,
  },
  {
    what: "a project TOML that cannot be read",
    args: ["init", "acme/app", "--yes"],
    env: PASS,
    files: { "projects/app.toml": null },
    message: /projects\/app\.toml: cannot read project file/,
  },
];

/** Every file under `dir` with its content ("<dir>" for a directory), sorted by path. */
async function snapshot(dir: string, prefix = ""): Promise<string[]> {
  const entries: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) {
      entries.push(`${prefix}${name}/ <dir>`, ...(await snapshot(path, `${prefix}${name}/`)));
    } else entries.push(`${prefix}${name} ${await readFile(path, "utf8")}`);
  }
  return entries;
}

Deno.test("binary: init bad input exits 2 with one line, writes nothing and asks the forge nothing", async () => {
  requireBinary();
  const emulator = await startEmulator();
  try {
    for (const bad of CASES) {
      const root = await mkdtemp(join(tmpdir(), "disinto-e2e-bad-"));
      try {
        for (const [path, content] of Object.entries(bad.files ?? {})) {
          if (content === null) await mkdir(join(root, path), { recursive: true });
          else {
            await mkdir(join(root, path, ".."), { recursive: true });
            await writeFile(join(root, path), content);
          }
        }
        const before = await snapshot(root);
        const result = await runBinary(["--root", root, ...bad.args], {
          env: {
            PATH: "/usr/bin:/bin",
            HOME: "/nonexistent",
            ...(bad.noForgeUrlInEnv ? {} : { FORGE_URL: emulator.url }),
            ...bad.env,
          },
        });
        assert.equal(result.code, 2, `${bad.what}: exit ${result.code}, ${result.stderr}`);
        const lines = result.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, `${bad.what}: ${result.stderr}`);
        assert.match(lines[0]!, /^disinto( init)?: /, bad.what);
        assert.match(lines[0]!, bad.message, bad.what);
        assert.equal(result.stdout, "", bad.what);
        assert.deepEqual(await snapshot(root), before, `${bad.what}: the factory changed`);
        assert.deepEqual(emulator.requestLog(), [], `${bad.what}: the forge was asked`);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }
  } finally {
    await emulator.dispose();
  }
});
