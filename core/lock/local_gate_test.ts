import assert from "node:assert/strict";
import { enterGate } from "./local_gate.ts";

Deno.test("readers share the gate; a writer waits for them and goes first after", async () => {
  const order: string[] = [];
  const r1 = await enterGate("/g1", false, undefined);
  const r2 = await enterGate("/g1", false, undefined);
  const writer = enterGate("/g1", true, undefined).then((leave) => {
    order.push("writer");
    return leave;
  });
  // A reader arriving after the writer queues behind it (FIFO, no starvation).
  const r3 = enterGate("/g1", false, undefined).then((leave) => {
    order.push("r3");
    return leave;
  });
  await Promise.resolve();
  assert.deepEqual(order, []);
  r1!();
  r2!();
  const leaveWriter = await writer;
  assert.deepEqual(order, ["writer"]);
  leaveWriter!();
  (await r3)!();
  assert.deepEqual(order, ["writer", "r3"]);
});

Deno.test("a waiter past its deadline gets null and leaves the queue", async () => {
  const held = await enterGate("/g2", true, undefined);
  assert.equal(await enterGate("/g2", true, Date.now() + 20), null);
  held!();
  const again = await enterGate("/g2", true, Date.now());
  assert.ok(again, "the timed-out waiter no longer blocks anyone");
  again();
});

Deno.test("an aborted waiter rejects with the signal's reason", async () => {
  const held = await enterGate("/g3", true, undefined);
  const controller = new AbortController();
  const waiting = enterGate("/g3", true, undefined, controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(waiting, /stop/);
  held!();
});
