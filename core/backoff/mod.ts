export * from "./schedule.ts";
export * from "./retry.ts";
