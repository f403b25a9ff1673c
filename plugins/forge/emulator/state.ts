/**
 * The emulator's data, as plain JSON-friendly records so the whole state can
 * be saved to and loaded from one file. Ids come from one counter per kind and
 * are global across the instance, as in Forgejo (label ids especially);
 * issue and pull numbers share one sequence per repository.
 */
import { createHash, randomBytes } from "node:crypto";

export type Permission = "read" | "write" | "admin";

export interface UserRecord {
  id: number;
  login: string;
  email: string;
  fullName: string;
  passwordSalt: string;
  passwordHash: string;
  isAdmin: boolean;
  mustChangePassword: boolean;
  active: boolean;
  prohibitLogin: boolean;
  created: string;
}

export interface OrgRecord {
  id: number;
  name: string;
  fullName: string;
  description: string;
  visibility: string;
  created: string;
  owners: string[];
}

export interface TokenRecord {
  id: number;
  userId: number;
  name: string;
  hash: string;
  lastEight: string;
  scopes: string[];
  created: string;
  /** OAuth2 access tokens are listed nowhere and expire. */
  oauthExpires?: number;
}

export interface ProtectionRecord {
  id: number;
  ruleName: string;
  fields: Record<string, unknown>;
  created: string;
  updated: string;
}

export interface MirrorRecord {
  remoteName: string;
  remoteAddress: string;
  /** Kept to push with; never returned. */
  remoteUsername: string;
  remotePassword: string;
  interval: string;
  syncOnCommit: boolean;
  created: string;
  lastUpdate: string | null;
  lastError: string;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  description: string;
  private: boolean;
  defaultBranch: string;
  created: string;
  updated: string;
  collaborators: Record<string, Permission>;
  protections: ProtectionRecord[];
  mirrors: MirrorRecord[];
  nextIndex: number;
  settings: Record<string, unknown>;
}

export interface LabelRecord {
  id: number;
  repoId: number;
  name: string;
  color: string;
  description: string;
  exclusive: boolean;
  isArchived: boolean;
}

export interface PullInfo {
  head: string;
  base: string;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** When mergeability becomes known (ms since epoch); merge before that is 405. */
  mergeableAt: number;
}

export interface IssueRecord {
  id: number;
  repoId: number;
  number: number;
  title: string;
  body: string;
  poster: string;
  state: "open" | "closed";
  labels: number[];
  assignees: string[];
  created: string;
  updated: string;
  closed: string | null;
  pull: PullInfo | null;
}

/** A comment or a timeline event (comments are events of type "comment"). */
export interface EventRecord {
  id: number;
  issueId: number;
  type: string;
  body: string;
  actor: string;
  created: string;
  updated: string;
  labelId?: number;
  assignee?: string;
  removedAssignee?: boolean;
  oldTitle?: string;
  newTitle?: string;
}

export interface ReviewRecord {
  id: number;
  issueId: number;
  user: string;
  state: string;
  body: string;
  commitId: string;
  submitted: string;
  /** Counts toward required approvals (review_kit.ts isOfficialReviewer); absent in old state files. */
  official?: boolean;
  /** Stale when submitted; `head` is the pull's head then (review_kit.ts isStale). */
  stale?: boolean;
  head?: string;
  /** Never set: dismissing reviews is not modelled. */
  dismissed?: boolean;
}

/** A commit status (models/git/commit_status.go): `index` counts per repo and sha. */
export interface StatusRecord {
  id: number;
  repoId: number;
  sha: string;
  index: number;
  state: string;
  targetUrl: string;
  description: string;
  context: string;
  creatorId: number;
  created: string;
}

export interface OAuthAppRecord {
  id: number;
  userId: number;
  name: string;
  clientId: string;
  secretHash: string;
  redirectUris: string[];
  confidential: boolean;
  created: string;
}

export interface OAuthGrantRecord {
  code: string;
  appId: number;
  userId: number;
  redirectUri: string;
  expires: number;
}

export interface StateData {
  version: 1;
  ids: Record<string, number>;
  users: UserRecord[];
  orgs: OrgRecord[];
  tokens: TokenRecord[];
  repos: RepoRecord[];
  labels: LabelRecord[];
  issues: IssueRecord[];
  events: EventRecord[];
  reviews: ReviewRecord[];
  /** Absent in state saved before commit statuses were modelled. */
  statuses: StatusRecord[];
  oauthApps: OAuthAppRecord[];
  oauthGrants: OAuthGrantRecord[];
}

export function emptyState(): StateData {
  return {
    version: 1,
    ids: {},
    users: [],
    orgs: [],
    tokens: [],
    repos: [],
    labels: [],
    issues: [],
    events: [],
    reviews: [],
    statuses: [],
    oauthApps: [],
    oauthGrants: [],
  };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** Indexes over StateData for fast lookups; rebuilt on load. */
export class State {
  readonly data: StateData;
  readonly #tokensByHash = new Map<string, TokenRecord>();

  constructor(data: StateData = emptyState()) {
    this.data = data;
    data.statuses ??= [];
    for (const token of data.tokens) this.#tokensByHash.set(token.hash, token);
  }

  nextId(kind: string): number {
    const id = (this.data.ids[kind] ?? 0) + 1;
    this.data.ids[kind] = id;
    return id;
  }

  user(name: string): UserRecord | undefined {
    const lower = name.toLowerCase();
    return this.data.users.find((u) => u.login.toLowerCase() === lower);
  }

  userByEmailOrName(name: string): UserRecord | undefined {
    const lower = name.toLowerCase();
    return this.user(name) ?? this.data.users.find((u) => u.email.toLowerCase() === lower);
  }

  userById(id: number): UserRecord | undefined {
    return this.data.users.find((u) => u.id === id);
  }

  org(name: string): OrgRecord | undefined {
    const lower = name.toLowerCase();
    return this.data.orgs.find((o) => o.name.toLowerCase() === lower);
  }

  /** Users and orgs share one case-insensitive namespace. */
  nameTaken(name: string): boolean {
    return this.user(name) !== undefined || this.org(name) !== undefined;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    const o = owner.toLowerCase();
    const n = name.toLowerCase();
    return this.data.repos.find((r) => r.owner.toLowerCase() === o && r.name.toLowerCase() === n);
  }

  repoById(id: number): RepoRecord | undefined {
    return this.data.repos.find((r) => r.id === id);
  }

  addToken(token: TokenRecord): void {
    this.data.tokens.push(token);
    this.#tokensByHash.set(token.hash, token);
  }

  removeTokens(predicate: (t: TokenRecord) => boolean): number {
    const gone = this.data.tokens.filter(predicate);
    for (const t of gone) this.#tokensByHash.delete(t.hash);
    this.data.tokens = this.data.tokens.filter((t) => !predicate(t));
    return gone.length;
  }

  tokenBySecret(secret: string): TokenRecord | undefined {
    return this.#tokensByHash.get(sha256(secret));
  }

  setPassword(user: UserRecord, password: string): void {
    user.passwordSalt = randomHex(8);
    user.passwordHash = sha256(`${user.passwordSalt}:${password}`);
  }

  checkPassword(user: UserRecord, password: string): boolean {
    return user.passwordHash === sha256(`${user.passwordSalt}:${password}`);
  }

  issue(repo: RepoRecord, number: number): IssueRecord | undefined {
    return this.data.issues.find((i) => i.repoId === repo.id && i.number === number);
  }

  repoLabels(repo: RepoRecord): LabelRecord[] {
    return this.data.labels.filter((l) => l.repoId === repo.id);
  }

  label(id: number): LabelRecord | undefined {
    return this.data.labels.find((l) => l.id === id);
  }

  issueEvents(issue: IssueRecord): EventRecord[] {
    return this.data.events.filter((e) => e.issueId === issue.id);
  }
}
