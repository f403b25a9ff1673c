/**
 * The docker compose document as data. Generation builds this model; the
 * compose plugin serialises it. Plugins contribute services through the
 * `composeServices` hook.
 */

/** One service of the compose file (the subset of the compose spec we emit). */
export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  container_name?: string;
  entrypoint?: string | string[];
  command?: string | string[];
  environment?: Record<string, string>;
  env_file?: string[];
  ports?: string[];
  volumes?: string[];
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
