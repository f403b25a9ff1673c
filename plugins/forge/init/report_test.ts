import assert from "node:assert/strict";
import { BufferOutput } from "../../../core/context.ts";
import { InitReport } from "./report.ts";

Deno.test("one line per step and a counted summary", () => {
  const out = new BufferOutput();
  const err = new BufferOutput();
  const report = new InitReport(out, err, { json: false, quiet: false, dryRun: false });
  report.step({ name: "repo acme/app", status: "created" });
  report.step({ name: "labels acme/app", status: "unchanged" });
  report.step({ name: "protection acme/app:main", status: "failed", detail: "no branch" });
  report.finish({});
  assert.equal(
    out.text,
    "created   repo acme/app\nunchanged labels acme/app\nfailed    protection acme/app:main (no branch)\n" +
      "3 steps: 1 created, 1 unchanged, 1 failed\n",
  );
  assert.equal(report.failed, true);
});

Deno.test("dry run says what would happen; JSON mode prints only the summary", () => {
  const out = new BufferOutput();
  const dry = new InitReport(out, new BufferOutput(), { json: false, quiet: false, dryRun: true });
  dry.step({ name: "repo acme/app", status: "created" });
  assert.match(out.text, /^would be created repo acme\/app\n$/);
  const json = new BufferOutput();
  const report = new InitReport(json, new BufferOutput(), {
    json: true,
    quiet: false,
    dryRun: false,
  });
  report.step({ name: "x", status: "updated" });
  report.finish({ project: "app" });
  assert.deepEqual(JSON.parse(json.text), {
    project: "app",
    dry_run: false,
    ok: true,
    steps: [{ name: "x", status: "updated" }],
  });
});
