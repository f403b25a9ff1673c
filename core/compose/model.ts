/**
 * The docker compose document as data. Generation builds this model; the
 * compose plugin serialises it. Plugins contribute services through the
 * `composeServices` hook.
 *
 * Scalar fields take a `ComposeValue` (see value.ts): a plain string is a
 * generation-time value (written with `$` escaped as `$$`); `runtime("VAR")`
 * and the `text` tag produce `${VAR}` references that docker compose resolves.
 */
import type { ComposeValue } from "./value.ts";

export type { ComposeValue } from "./value.ts";

/** One service of the compose file (the subset of the compose spec we emit). */
export interface ComposeService {
  image?: ComposeValue;
  build?: string | { context: string; dockerfile?: string };
  container_name?: string;
  entrypoint?: ComposeValue | ComposeValue[];
  command?: ComposeValue | ComposeValue[];
  environment?: Record<string, ComposeValue>;
  env_file?: string[];
  ports?: ComposeValue[];
  volumes?: ComposeValue[];
  depends_on?: string[];
  restart?: string;
  networks?: string[];
  extra_hosts?: string[];
  healthcheck?: Record<string, unknown>;
  profiles?: string[];
  user?: string;
  working_dir?: string;
}

export interface ComposeDocument {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, Record<string, unknown> | null>;
  networks?: Record<string, Record<string, unknown> | null>;
}

/** What one plugin adds to the document. */
export interface ComposeContribution {
  services?: Record<string, ComposeService>;
  volumes?: Record<string, Record<string, unknown> | null>;
}
