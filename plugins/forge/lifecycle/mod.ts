/** The issue lifecycle other parts of disinto use (SPEC §6.2). */
export * from "./claim_decision.ts";
export * from "./dependencies.ts";
export * from "./lifecycle.ts";
export * from "./next_issue.ts";
export * from "./stale.ts";
