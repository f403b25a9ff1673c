import assert from "node:assert/strict";
import type { Project } from "../config/project.ts";
import { contextRoots, projectVariables } from "./project_vars.ts";

const project: Project = {
  name: "app",
  repo: "acme/app",
  ops_repo: "admin/app-ops",
  forge_url: "http://127.0.0.1:3000",
  repo_root: "checkouts/app",
  primary_branch: "trunk",
  file: "/f/projects/app.toml",
  tables: {},
};

Deno.test("project vars: named after the project keys", () => {
  assert.deepEqual(projectVariables(project), {
    project: "app",
    repo: "acme/app",
    ops_repo: "admin/app-ops",
    forge_url: "http://127.0.0.1:3000",
    primary_branch: "trunk",
    repo_root: "checkouts/app",
  });
});

Deno.test("context roots: repo_root from the factory root; ops beside it unless OPS_REPO_ROOT", () => {
  assert.deepEqual(contextRoots(project, "/f", {}), {
    repoRoot: "/f/checkouts/app",
    opsRoot: "/f/checkouts/app-ops",
  });
  assert.deepEqual(contextRoots(project, "/f", { OPS_REPO_ROOT: "/ops" }), {
    repoRoot: "/f/checkouts/app",
    opsRoot: "/ops",
  });
  const { repo_root: _, ops_repo: __, ...bare } = project;
  assert.deepEqual(contextRoots(bare, "/f", {}), {});
});
