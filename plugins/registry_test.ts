import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { plugins, pluginSettings } from "./mod.ts";

const folderOf = (name: string) => name.replaceAll("-", "_");

Deno.test("the registry lists exactly the plugin folders", async () => {
  const entries = await readdir(fileURLToPath(new URL(".", import.meta.url)), {
    withFileTypes: true,
  });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const registered = plugins.map((plugin) => folderOf(plugin.name)).sort();
  assert.deepEqual(registered, folders);
});

Deno.test("plugin names and settings tables are unique", () => {
  const names = plugins.map((plugin) => plugin.name);
  assert.equal(new Set(names).size, names.length);
  const tables = pluginSettings.map((setting) => setting.table);
  assert.equal(new Set(tables).size, tables.length);
});

Deno.test("every plugin has a description", () => {
  for (const plugin of plugins) assert.ok(plugin.description.length > 10, plugin.name);
});
