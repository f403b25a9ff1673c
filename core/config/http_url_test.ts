import assert from "node:assert/strict";
import { BadInputError } from "../errors.ts";
import { parseHttpUrl } from "./http_url.ts";

Deno.test("parseHttpUrl: http(s) URLs pass; anything else is bad input naming the source", () => {
  assert.equal(parseHttpUrl("https://forge.example:3000/x", "FORGE_URL").port, "3000");
  assert.throws(() => parseHttpUrl("forge", "FORGE_URL"), (error: unknown) => {
    assert.ok(error instanceof BadInputError);
    assert.equal(error.message, 'FORGE_URL: "forge" is not a URL; expected http(s)://host[:port]');
    return true;
  });
  assert.throws(
    () => parseHttpUrl("ftp://forge", "--forge-url"),
    /^BadInputError: --forge-url: "ftp:\/\/forge" is not http\(s\); expected http\(s\):\/\/host\[:port\]$/,
  );
});
