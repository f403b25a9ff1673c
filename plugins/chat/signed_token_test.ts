import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { tokenSigner } from "./signed_token.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const signer = tokenSigner(SECRET);

Deno.test("a signed token verifies and carries its payload", () => {
  const token = signer.sign("session", { u: "alice" }, 2000);
  assert.deepEqual(signer.verify("session", token, 1000), { u: "alice", exp: 2000 });
});

Deno.test("a tampered payload, MAC or shape is refused", () => {
  const token = signer.sign("session", { u: "alice" }, 2000);
  const [body, mac] = token.split(".") as [string, string];
  const forged = Buffer.from(JSON.stringify({ u: "admin", exp: 2000 })).toString("base64url");
  assert.equal(signer.verify("session", `${forged}.${mac}`, 1000), null);
  const flipped = mac.slice(0, -2) + (mac.endsWith("A") ? "BB" : "AA");
  assert.equal(signer.verify("session", `${body}.${flipped}`, 1000), null);
  for (const bad of ["", ".", body, `${body}.`, `${token}.x`, `${body}.${mac.slice(1)}`]) {
    assert.equal(signer.verify("session", bad, 1000), null, bad);
  }
});

Deno.test("a token of another secret or purpose, or expired, is refused", () => {
  const token = signer.sign("login", { state: "s" }, 2000);
  assert.equal(signer.verify("session", token, 1000), null);
  assert.equal(tokenSigner(SECRET.replace("0", "1")).verify("login", token, 1000), null);
  assert.equal(signer.verify("login", token, 2000), null);
  assert.notEqual(signer.verify("login", token, 1999), null);
});

Deno.test("a short secret is refused up front", () => {
  assert.throws(() => tokenSigner("short"), RangeError);
});
