/**
 * zod schemas for the Forgejo answers disinto reads (shared/FORGEJO-API.md §2).
 * Each schema checks the fields the code relies on and keeps every other
 * field (`.loose()`), so a richer answer passes and a broken one fails with
 * the field named. Types are inferred from the schemas.
 */
import { z } from "zod";

const nullableString = z.string().nullish();

export const UserSchema = z.object({
  login: z.string(),
  id: z.number().optional(),
  email: z.string().optional(),
  is_admin: z.boolean().optional(),
}).loose();
export type User = z.infer<typeof UserSchema>;

/** Just the user's name, as it appears inside issues, comments and events. */
const UserRefSchema = z.object({ login: z.string() }).loose();

export const OrgSchema = z.object({
  name: z.string().optional(),
  username: z.string().optional(),
  id: z.number().optional(),
}).loose();
export type Org = z.infer<typeof OrgSchema>;

export const VersionSchema = z.object({ version: z.string() }).loose();

export const ApiSettingsSchema = z.object({
  max_response_items: z.number(),
  default_paging_num: z.number(),
}).loose();
export type ApiSettings = z.infer<typeof ApiSettingsSchema>;

export const AccessTokenSchema = z.object({
  name: z.string(),
  id: z.number().optional(),
  /** The secret: only in the creation answer; listings have "". */
  sha1: z.string().optional(),
  scopes: z.array(z.string()).nullish(),
}).loose();
export type AccessToken = z.infer<typeof AccessTokenSchema>;

export const CreatedTokenSchema = AccessTokenSchema.extend({ sha1: z.string().min(1) });

export const RepoSchema = z.object({
  full_name: z.string(),
  id: z.number().optional(),
  name: z.string().optional(),
  empty: z.boolean().optional(),
  default_branch: z.string().optional(),
  clone_url: z.string().optional(),
  private: z.boolean().optional(),
}).loose();
export type Repo = z.infer<typeof RepoSchema>;

export const PermissionSchema = z.object({ permission: z.string() }).loose();

export const LabelSchema = z.object({
  id: z.number(),
  name: z.string(),
  color: z.string(),
  description: z.string().optional(),
  exclusive: z.boolean().optional(),
}).loose();
export type Label = z.infer<typeof LabelSchema>;

export const IssueSchema = z.object({
  number: z.number(),
  id: z.number().optional(),
  title: z.string(),
  body: nullableString,
  state: z.enum(["open", "closed"]),
  labels: z.array(LabelSchema).nullish().transform((labels) => labels ?? []),
  /** Null (not []) when nobody is assigned. */
  assignees: z.array(UserRefSchema).nullish(),
  assignee: UserRefSchema.nullish(),
  user: UserRefSchema.optional(),
  pull_request: z.unknown().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
}).loose();
export type Issue = z.infer<typeof IssueSchema>;

export const CommentSchema = z.object({
  id: z.number(),
  body: z.string(),
  user: UserRefSchema,
  created_at: z.string(),
}).loose();
export type Comment = z.infer<typeof CommentSchema>;

/**
 * One timeline event. `type` is a string ("label", "comment", "close"…);
 * an integer type (the stored enum number) is a schema violation. Label
 * events use body "1" for added and "" for removed.
 */
export const TimelineEventSchema = z.object({
  // Forgejo sends strings ("label"); an integer type (what the bash version
  // filtered on) is kept as a number so it can never pass for "label", and
  // one odd event does not fail a whole sweep.
  type: z.union([z.string(), z.number()]),
  id: z.number().optional(),
  body: z.string().nullish().transform((body) => body ?? null),
  created_at: z.string(),
  user: UserRefSchema.nullish(),
  label: LabelSchema.nullish().transform((label) => label ?? null),
  assignee: UserRefSchema.nullish(),
  removed_assignee: z.boolean().optional(),
}).loose();
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const CommitSchema = z.object({
  id: z.string().optional(),
  message: z.string().optional(),
  timestamp: z.string().optional(),
}).loose();

/** One branch; a lookup by name relies on the commit, a listing on the names. */
export const BranchSchema = z.object({
  name: z.string().optional(),
  commit: CommitSchema.nullish(),
  protected: z.boolean().optional(),
}).loose();
export type Branch = z.infer<typeof BranchSchema>;

export const BranchProtectionSchema = z.object({
  rule_name: z.string(),
  branch_name: z.string().optional(),
  enable_push: z.boolean().optional(),
  enable_push_whitelist: z.boolean().optional(),
  push_whitelist_usernames: z.array(z.string()).nullish(),
  enable_merge_whitelist: z.boolean().optional(),
  merge_whitelist_usernames: z.array(z.string()).nullish(),
  required_approvals: z.number().optional(),
  apply_to_admins: z.boolean().optional(),
}).loose();
export type BranchProtection = z.infer<typeof BranchProtectionSchema>;

export const TagSchema = z.object({
  name: z.string(),
  id: z.string().optional(),
  message: z.string().optional(),
  commit: z.object({ sha: z.string() }).loose().nullish(),
}).loose();
export type Tag = z.infer<typeof TagSchema>;

const PullRefSchema = z.object({
  ref: z.string(),
  sha: z.string().optional(),
  label: z.string().optional(),
}).loose();

export const PullSchema = z.object({
  number: z.number(),
  id: z.number().optional(),
  title: z.string().optional(),
  body: nullableString,
  state: z.enum(["open", "closed"]).optional(),
  head: PullRefSchema,
  base: PullRefSchema.optional(),
  merged: z.boolean().optional(),
  mergeable: z.boolean().optional(),
  draft: z.boolean().optional(),
  user: UserRefSchema.optional(),
  labels: z.array(LabelSchema).nullish(),
}).loose();
export type Pull = z.infer<typeof PullSchema>;

export const ReviewSchema = z.object({
  id: z.number(),
  /** APPROVED, PENDING, COMMENT, REQUEST_CHANGES or REQUEST_REVIEW. */
  state: z.string(),
  body: nullableString,
  user: UserRefSchema.nullish(),
  commit_id: z.string().optional(),
  stale: z.boolean().optional(),
  dismissed: z.boolean().optional(),
  submitted_at: z.string().optional(),
}).loose();
export type Review = z.infer<typeof ReviewSchema>;

export const PushMirrorSchema = z.object({
  remote_name: z.string(),
  remote_address: z.string(),
  interval: z.string().optional(),
  sync_on_commit: z.boolean().optional(),
  last_update: nullableString,
  last_error: nullableString,
}).loose();
export type PushMirror = z.infer<typeof PushMirrorSchema>;

export const OAuth2AppSchema = z.object({
  id: z.number(),
  name: z.string(),
  client_id: z.string(),
  /** Only in the creation answer. */
  client_secret: z.string().optional(),
  redirect_uris: z.array(z.string()).nullish(),
  confidential_client: z.boolean().optional(),
}).loose();
export type OAuth2App = z.infer<typeof OAuth2AppSchema>;

/** A label event's direction: body "1" = added, "" = removed (one type for both). */
export function labelAdded(event: TimelineEvent): boolean {
  return event.type === "label" && event.body === "1";
}

/** The answer to a contents API write: the commit it made. */
export const FileChangeSchema = z.object({
  commit: z.object({ sha: z.string().optional() }).loose().nullish(),
}).loose().nullable();
