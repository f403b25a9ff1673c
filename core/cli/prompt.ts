/** Ask for a secret on the terminal without echoing it. */
import process from "node:process";
import { createInterface } from "node:readline";

export function promptSecretOnTerminal(question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    process.stderr.write(question);
    const stdin = process.stdin;
    const rl = createInterface({ input: stdin, terminal: false });
    const raw = stdin.isTTY;
    if (raw) stdin.setRawMode(true);
    let value = "";
    const finish = (result: string | undefined) => {
      if (raw) stdin.setRawMode(false);
      stdin.removeListener("data", onData);
      rl.close();
      stdin.pause();
      process.stderr.write("\n");
      resolve(result);
    };
    const onData = (chunk: Uint8Array) => {
      for (const ch of new TextDecoder().decode(chunk)) {
        if (ch === "\r" || ch === "\n") return finish(value);
        if (ch === "\u0003" || ch === "\u0004") return finish(undefined);
        if (ch === "\u007f") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
