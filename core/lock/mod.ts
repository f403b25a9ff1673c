export * from "./flock_lock.ts";
export * from "./pid_lock.ts";
export * from "./counter.ts";
export * from "./json_record.ts";
