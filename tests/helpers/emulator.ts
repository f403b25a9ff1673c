/**
 * Start the Forgejo emulator in process on a free loopback port, for
 * integration and end-to-end tests. dispose() stops it and removes its state.
 */
import { serve } from "../../core/runtime/serve.ts";
import {
  createEmulator,
  type EmulatorControl,
  type EmulatorOptions,
  type RequestLogEntry,
} from "../../plugins/forge/emulator/emulator.ts";
import type { Forge } from "../../plugins/forge/emulator/forge.ts";

export type { EmulatorOptions, RequestLogEntry };

export interface StartedEmulator {
  url: string;
  admin: { user: string; pass: string };
  requestLog(): RequestLogEntry[];
  /** Requests that can change state: not GET/HEAD, and not git's read-only fetch POST. */
  writes(): RequestLogEntry[];
  clearRequestLog(): void;
  control: EmulatorControl;
  forge: Forge;
  dispose(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<StartedEmulator> {
  const emulator = await createEmulator({ adminPass: "admin-pass-123", ...options });
  const server = await serve((request) => emulator.handle(request), {
    hostname: "127.0.0.1",
    port: 0,
  });
  emulator.setUrl(server.url);
  return {
    url: server.url,
    admin: emulator.admin,
    requestLog: emulator.requestLog,
    writes: () =>
      emulator.requestLog().filter((e) =>
        e.method !== "GET" && e.method !== "HEAD" && !e.path.endsWith("/git-upload-pack")
      ),
    clearRequestLog: emulator.clearRequestLog,
    control: emulator.control,
    forge: emulator.forge,
    async dispose() {
      await server.shutdown();
      await emulator.dispose();
    },
  };
}
