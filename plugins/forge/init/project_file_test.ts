import assert from "node:assert/strict";
import { applyCoreKeys } from "./project_file.ts";

const KEYS = { name: "app", repo: "acme/app", forge_url: "http://f", primary_branch: "main" };

Deno.test("a new file gets every key", () => {
  assert.equal(
    applyCoreKeys("", KEYS, "p.toml"),
    'name = "app"\nrepo = "acme/app"\nforge_url = "http://f"\nprimary_branch = "main"\n',
  );
});

Deno.test("an up-to-date file is returned unchanged, byte for byte", () => {
  const text = '# mine\nname = "app"  # inline\nrepo = "acme/app"\nforge_url = "http://f"\n' +
    'primary_branch = "main"\n\n[ci]\nstale_minutes = 5\n';
  assert.equal(applyCoreKeys(text, KEYS, "p.toml"), text);
});

Deno.test("only differing top-level lines change; tables and comments stay", () => {
  const text = '# mine\nname = "app"\nrepo = "old/app"\n\n[agents.q]\nrepo = "not-this"\n';
  assert.equal(
    applyCoreKeys(text, KEYS, "p.toml"),
    '# mine\nname = "app"\nrepo = "acme/app"\nforge_url = "http://f"\nprimary_branch = "main"\n\n' +
      '[agents.q]\nrepo = "not-this"\n',
  );
});
