/**
 * The forge users `disinto init` creates for the factory's roles (SPEC §6.1
 * step 3), in the table's order. The forge plugin gives each its keys, scopes
 * and permissions; other plugins need only the names (a hired agent may not
 * take one).
 */
export const FACTORY_BOT_USERS: readonly string[] = [
  "dev-bot",
  "review-bot",
  "planner-bot",
  "gardener-bot",
  "vault-bot",
  "supervisor-bot",
  "predictor-bot",
  "architect-bot",
];
