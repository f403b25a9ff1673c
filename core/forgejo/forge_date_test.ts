import assert from "node:assert/strict";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { noAuth } from "./auth.ts";
import { ForgejoHttp } from "./http.ts";
import { getVersion } from "./misc.ts";

Deno.test("forgeDate is the Date header of the latest answer: the emulator's own clock", async () => {
  let now = Date.parse("2001-02-03T04:05:06Z");
  const em = await startEmulator({ now: () => now });
  try {
    const http = new ForgejoHttp(em.url, noAuth);
    assert.equal(http.forgeDate, null);
    await getVersion(http);
    assert.equal(http.forgeDate, Date.parse("2001-02-03T04:05:06Z"));
    now += 90_000;
    await getVersion(http);
    assert.equal(http.forgeDate, Date.parse("2001-02-03T04:06:36Z"));
  } finally {
    await em.dispose();
  }
});
