/**
 * `hire-an-agent --formula` (SPEC §3): the formula is validated with
 * core/formula before anything is written and recorded on the agent's table.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BadInputError } from "../../core/errors.ts";
import { hireFactory, PROJECT } from "./_hire_factory.ts";

const DRAFT = `name = "triage"
description = "sort {{repo}}'s new issues"
version = 1
[vars.repo]
description = "the repo"
required = true
[[steps]]
id = "read"
title = "read"
description = "read the issues of {{repo}}"
`;

Deno.test("--formula names a built-in: recorded as the name on the agent's table", async () => {
  const f = await hireFactory();
  try {
    const report = await f.hire({ name: "dev-a", role: "dev", formula: "review-pr" });
    assert.equal(report.local?.formula, "review-pr");
    const agents = (await f.toml()).agents as Record<string, Record<string, unknown>>;
    assert.equal(agents["dev-a"]!.formula, "review-pr");
  } finally {
    await f.dispose();
  }
});

Deno.test("--formula PATH in the factory: validated and recorded relative to the root", async () => {
  const f = await hireFactory();
  try {
    await mkdir(join(f.root, "drafts"));
    await writeFile(join(f.root, "drafts", "triage.toml"), DRAFT);
    await f.hire({ name: "dev-a", role: "dev", formula: "./drafts/triage.toml" });
    const agents = (await f.toml()).agents as Record<string, Record<string, unknown>>;
    assert.equal(agents["dev-a"]!.formula, "drafts/triage.toml");
  } finally {
    await f.dispose();
  }
});

Deno.test("a bad --formula is bad input naming the flag and the rule; nothing is written", async () => {
  const f = await hireFactory();
  try {
    await writeFile(join(f.root, "bad.toml"), DRAFT.replace("{{repo}}'s", "{{undeclared}}'s"));
    const env = await f.envText();
    const cases: Array<[Parameters<typeof f.hire>[0], RegExp]> = [
      [
        { name: "dev-a", role: "dev", formula: "bad.toml" },
        /^--formula: .*bad\.toml: .*undeclared/,
      ],
      [{ name: "dev-a", role: "dev", formula: "nosuch" }, /^--formula: formula "nosuch": unknown/],
      [{ name: "dev-a", role: "dev", formula: "./gone.toml" }, /^--formula: .*cannot read/],
      [
        { name: "dev-a", role: "dev", formula: "dev", localModel: null },
        /^--formula: only for a local-model agent/,
      ],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(async () => await f.hire(args), (error: Error) => {
        assert.ok(error instanceof BadInputError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
    assert.equal(await f.tomlText(), PROJECT);
    assert.equal(await f.envText(), env);
    assert.deepEqual(f.emulator.writes(), []);
  } finally {
    await f.dispose();
  }
});
