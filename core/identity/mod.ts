/** Forge identities shared by `disinto init` and `hire-an-agent`. */
export * from "./ensure_identity.ts";
export * from "./env_keys.ts";
export * from "./env_writer.ts";
export * from "./password.ts";
export * from "./factory_bots.ts";
