/**
 * `disinto status` tells an operator what the agents are doing now: the
 * in-progress issues by number, title and assignee, and the fields every
 * plugin's `status` hook contributes (core/plugin.ts), each under its own
 * name; a failing hook is reported, not a crash. Against the emulator.
 */
import assert from "node:assert/strict";
import { runCli } from "../../../core/cli/run.ts";
import { testContext } from "../../../core/context.ts";
import type { Plugin } from "../../../core/plugin.ts";
import { plugins } from "../../mod.ts";
import { ADMIN_PASS, harness } from "../../../tests/integration/harness.ts";

const SECRET = "sk-status-hook-secret-0123456789";

const probe: Plugin = {
  name: "probe",
  description: "a plugin that reports its poller",
  hooks: {
    status: ({ project }) => Promise.resolve({ poller: "pid 42", project: project.name }),
  },
};
const broken: Plugin = {
  name: "broken",
  description: "a plugin whose status fails",
  hooks: { status: () => Promise.reject(new Error(`backend said no (${SECRET})`)) },
};

Deno.test("status: in-progress issues by title and assignee, and every plugin's status fields", async () => {
  const h = await harness();
  try {
    assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
    await h.addIssue("acme/app", "Say hello in the README", ["backlog"]);
    await h.addIssue("acme/app", "Untouched", ["backlog"]);
    assert.equal((await h.run(["issue", "claim", "1"])).code, 0);
    const assignee = h.issue("acme/app", 1).assignees[0];
    assert.ok(assignee, "the claim assigned nobody");

    const status = async (argv: string[], registry: readonly Plugin[]) => {
      const context = testContext({
        argv: ["--root", h.root, ...argv, "status"],
        env: { FORGE_URL: h.emulator.url, FORGE_ADMIN_PASS: ADMIN_PASS, SECRET_KEY: SECRET },
        cwd: h.root,
      });
      const code = await runCli(context, registry);
      assert.ok(!context.stdout.text.includes(SECRET), context.stdout.text);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    };

    const json = await status(["--json"], [...plugins, probe]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.in_progress, [
      { number: 1, title: "Say hello in the README", assignees: [assignee] },
    ]);
    assert.deepEqual(report.plugins.probe, { poller: "pid 42", project: "app" });
    assert.deepEqual(Object.keys(report.plugins), ["agents", "probe"], "in registry order");

    const text = await status([], [...plugins, probe]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^ {4}#1 Say hello in the README \\(${assignee}\\)$`, "m"),
    );
    assert.match(text.stdout, /^ {2}probe: poller pid 42, project app$/m);

    const failing = await status(["--json"], [...plugins, broken, probe]);
    assert.equal(failing.code, 1);
    const failed = JSON.parse(failing.stdout).plugins;
    assert.match(failed.broken.error, /^backend said no/);
    assert.deepEqual(failed.probe, { poller: "pid 42", project: "app" });
  } finally {
    await h.dispose();
  }
});
