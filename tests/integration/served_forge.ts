/** The fake forge served over HTTP on 127.0.0.1, for tests of the compiled binary. */
import { serve } from "../../core/runtime/serve.ts";
import { FakeForge, type FakeForgeOptions } from "./fake_forge.ts";

export interface ServedForge {
  forge: FakeForge;
  url: string;
  dispose(): Promise<void>;
}

export async function serveFakeForge(options: FakeForgeOptions = {}): Promise<ServedForge> {
  const forge = new FakeForge(options);
  const server = await serve(
    (request) => forge.handle(request).catch(() => new Response(null, { status: 502 })),
    {
      hostname: "127.0.0.1",
      port: 0,
    },
  );
  forge.url = server.url;
  return { forge, url: server.url, dispose: () => server.shutdown() };
}
