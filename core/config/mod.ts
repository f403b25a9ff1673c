export * from "./env_file.ts";
export * from "./project.ts";
export * from "./toml_table.ts";
export * from "./validate.ts";
export * from "./state_lock.ts";
export * from "./secret_shadow.ts";
