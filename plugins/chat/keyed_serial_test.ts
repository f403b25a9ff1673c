import assert from "node:assert/strict";
import { KeyedSerial } from "./keyed_serial.ts";

Deno.test("keyed serial: one at a time per key, on after a failure, keys independent", async () => {
  const serial = new KeyedSerial();
  const order: string[] = [];
  const gate = Promise.withResolvers<void>();
  const first = serial.run("a", async () => {
    await gate.promise;
    order.push("a1");
    throw new Error("a1 failed");
  });
  const second = serial.run("a", () => Promise.resolve(order.push("a2")));
  // Another key does not wait behind "a".
  await serial.run("b", () => Promise.resolve(order.push("b1")));
  assert.deepEqual(order, ["b1"]);
  gate.resolve();
  await assert.rejects(first, /a1 failed/);
  await second;
  assert.deepEqual(order, ["b1", "a1", "a2"]);
});
