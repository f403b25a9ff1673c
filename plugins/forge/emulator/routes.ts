/**
 * Every API route the emulator serves, as swagger path templates relative to
 * /api/v1 (read from the Hono app itself, so the list cannot drift).
 */
import { Hono } from "hono";
import { registerApiRoutes } from "./emulator.ts";
import type { Forge } from "./forge.ts";
import type { ApiEnv } from "./route_kit.ts";

export interface EmulatorRoute {
  method: string;
  path: string;
}

export function emulatorRoutes(): EmulatorRoute[] {
  const app = new Hono<ApiEnv>();
  // Registration only captures the forge in closures; no handler runs here.
  registerApiRoutes(app, {} as Forge);
  return app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({
      method: r.method,
      path: r.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, "{$1}"),
    }));
}

export const EMULATOR_ROUTES: ReadonlyArray<EmulatorRoute> = emulatorRoutes();
