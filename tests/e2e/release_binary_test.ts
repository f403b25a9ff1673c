/**
 * `disinto release` on the compiled binary against two Forgejo emulators: the
 * project's forge (acme/demo pushed over git HTTP) and a second one playing
 * the Codeberg mirror (token path), plus a local bare repository as a file
 * mirror (ssh path). A bad version is exit 2 with one line.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../helpers/binary.ts";
import { newRepo } from "../helpers/emulator_api.ts";
import {
  bareMirror,
  type EmulatedForge,
  gitEnv,
  startEmulatedForge,
  tagInBare,
  workTree,
} from "../../plugins/release/testdata/emulated_forge.ts";

const CODEBERG_URL = "https://codeberg.org/acme/demo.git";

interface Bench {
  dir: string;
  root: string;
  env: Record<string, string>;
  forge: EmulatedForge;
  codeberg: EmulatedForge;
  backup: string;
  head: string;
  dispose(): Promise<void>;
}

async function bench(): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-release-e2e-"));
  const env = gitEnv(dir);
  const forge = await startEmulatedForge(env);
  const codeberg = await startEmulatedForge(env);
  const work = await workTree(join(dir, "work"), env);
  await work.commit("first");
  const head = await work.commit("second");
  await work.pushTo(forge);
  await work.pushTo(codeberg);
  const backup = await bareMirror(join(dir, "backup.git"), env);
  await newRepo(forge.emulator, "acme", "demo-ops", { private: true });
  const root = join(dir, "factory");
  await mkdir(join(root, "projects"), { recursive: true });
  await writeFile(
    join(root, "projects", "demo.toml"),
    `name = "demo"\nrepo = "acme/demo"\nops_repo = "acme/demo-ops"\nforge_url = "${forge.url}"\n` +
      `\n[mirrors]\n` +
      `backup = "${backup}"\ncodeberg = "${CODEBERG_URL}"\n`,
  );
  await writeFile(join(root, ".env"), `FORGE_TOKEN=${forge.token}\n`);
  forge.emulator.clearRequestLog();
  codeberg.emulator.clearRequestLog();
  return {
    dir,
    root,
    env,
    forge,
    codeberg,
    backup,
    head,
    async dispose() {
      await codeberg.dispose();
      await forge.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const tagOn = async (forge: EmulatedForge, tag: string) => {
  const { status, body } = await forge.api(`/repos/acme/demo/tags/${tag}`);
  return status === 200 ? (body as { commit: { sha: string } }).commit.sha : null;
};

Deno.test("binary: release tags the forge's head and reaches a file mirror and a token mirror", async () => {
  const b = await bench();
  try {
    const result = await runBinary(["--root", b.root, "release", "v1.4.0"], {
      env: {
        ...b.env,
        CODEBERG_TOKEN: b.codeberg.token,
        DISINTO_MIRROR_API_CODEBERG: `${b.codeberg.url}/api/v1`,
      },
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(result.stderr, "");
    const short = b.head.slice(0, 12);
    assert.deepEqual(result.stdout.split("\n").filter(Boolean), [
      "ok   version: v1.4.0",
      "ok   credentials: mirrors: backup (ssh), codeberg (token)",
      `ok   forge: main is at ${short}; v1.4.0 is new`,
      `ok   tag: created v1.4.0 at ${short}`,
      "ok   mirrors: 2 push(es) done",
      "ok   record: state/releases/demo/v1.4.0.json",
      "ok   vault: proposed vault/actions/release-v1.4.0.toml in acme/demo-ops (pull request #1)",
      "ok   mirror backup (ssh): pushed",
      "ok   mirror codeberg (token): created",
    ]);
    assert.deepEqual(
      b.codeberg.emulator.requestLog().map((e) => `${e.method} ${e.path} ${e.status}`),
      ["POST /api/v1/repos/acme/demo/tags 201"],
    );
    // The release's vault action (secrets and the ssh mount) is proposed in the ops repo.
    const pull = (await b.forge.api("/repos/acme/demo-ops/pulls/1")).body as {
      head: { ref: string };
      title: string;
    };
    assert.deepEqual([pull.head.ref, pull.title], [
      "vault/release-v1.4.0",
      "vault: request release-v1.4.0",
    ]);
    assert.equal(await tagOn(b.forge, "v1.4.0"), b.head);
    assert.equal(await b.forge.lsRemoteTag("v1.4.0"), b.head);
    assert.equal(await tagOn(b.codeberg, "v1.4.0"), b.head);
    assert.equal(await b.codeberg.lsRemoteTag("v1.4.0"), b.head);
    assert.equal(await tagInBare(b.backup, "v1.4.0", b.env), b.head);
    const text = await readFile(join(b.root, "state", "releases", "demo", "v1.4.0.json"), "utf8");
    const record = JSON.parse(text);
    assert.equal(record.version, "v1.4.0");
    assert.equal(record.project, "demo");
    assert.equal(record.repo, "acme/demo");
    assert.equal(record.sha, b.head);
    assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(record.mirrors, [
      { name: "backup", url: b.backup, path: "ssh", result: "pushed" },
      { name: "codeberg", url: CODEBERG_URL, path: "token", result: "created" },
    ]);
    for (const secret of [b.forge.token, b.codeberg.token]) {
      assert.ok(!(result.stdout + text).includes(secret));
    }
  } finally {
    await b.dispose();
  }
});

Deno.test("binary: a bad version exits 2 with one line, before any request or file", async () => {
  const b = await bench();
  try {
    const result = await runBinary(["--root", b.root, "release", "1.2.3"], { env: b.env });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'disinto: version "1.2.3": expected vMAJOR.MINOR.PATCH, e.g. v1.2.3\n',
    );
    assert.equal(result.stdout, "");
    assert.deepEqual(b.forge.emulator.requestLog(), []);
    assert.deepEqual(b.codeberg.emulator.requestLog(), []);
    assert.deepEqual((await readdir(b.root)).sort(), [".env", "projects"]);
  } finally {
    await b.dispose();
  }
});
