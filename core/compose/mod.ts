export * from "./chat.ts";
export * from "./claude.ts";
export * from "./generate.ts";
export * from "./model.ts";
export * from "./serialize.ts";
export * from "./services.ts";
export * from "./value.ts";
export * from "./write.ts";
