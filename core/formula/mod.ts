/** Formulas (SPEC §12): the format, the built-ins and the catalogue, validation and rendering. */
export * from "./builtin.ts";
export * from "./catalogue.ts";
export * from "./check.ts";
export * from "./context_path.ts";
export * from "./parse.ts";
export * from "./project_vars.ts";
export * from "./prompt.ts";
export * from "./render.ts";
export * from "./schema.ts";
export * from "./template.ts";
