import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findOnPath } from "./find_on_path.ts";

Deno.test("the first executable file on PATH wins; directories, plain files and relative entries do not", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-path-"));
  try {
    for (const dir of ["a", "b", "c", "d"]) await mkdir(join(root, dir));
    await mkdir(join(root, "a", "docker"));
    await writeFile(join(root, "b", "docker"), "not executable");
    await writeFile(join(root, "c", "docker"), "#!/bin/sh\n");
    await chmod(join(root, "c", "docker"), 0o755);
    await writeFile(join(root, "d", "docker"), "#!/bin/sh\n");
    await chmod(join(root, "d", "docker"), 0o755);
    const path = ["", "relative", ...["a", "b", "c", "d"].map((d) => join(root, d))].join(":");
    assert.equal(findOnPath("docker", path), join(root, "c", "docker"));
    assert.equal(findOnPath("docker", join(root, "b")), null);
    assert.equal(findOnPath("docker", undefined), null);
  } finally {
    await rm(root, { recursive: true });
  }
});
