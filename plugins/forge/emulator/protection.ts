/**
 * Which branch protection rule governs a branch, and whether a user may push
 * to it, as Forgejo v11 decides (models/git/protected_branch.go,
 * models/git/protected_branch_list.go).
 */
import type { Forge } from "./forge.ts";
import { canWrite } from "./route_kit.ts";
import type { ProtectionRecord, RepoRecord, UserRecord } from "./state.ts";

/** IsRuleNameSpecial: a rule name with a glob character is a pattern. */
export function isGlobRule(ruleName: string): boolean {
  return /[*?[\]{}\\]/.test(ruleName);
}

/**
 * gobwas/glob compiled with '/' as the separator: `*` and `?` stop at a
 * slash, `**` does not, plus `[…]` / `[!…]` classes and `{a,b}` alternatives.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) {
      out += escape(pattern[++i]!);
    } else if (ch === "*") {
      const double = pattern[i + 1] === "*";
      if (double) i++;
      out += double ? ".*" : "[^/]*";
    } else if (ch === "?") {
      out += "[^/]";
    } else if (ch === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) {
        out += escape(ch);
        continue;
      }
      const body = pattern.slice(i + 1, end);
      const negated = body.startsWith("!");
      const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&");
      out += negated ? `[^/${chars}]` : `[${chars}]`;
      i = end;
    } else if (ch === "{") {
      depth++;
      out += "(?:";
    } else if (ch === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (ch === "," && depth > 0) {
      out += "|";
    } else {
      out += escape(ch);
    }
  }
  return new RegExp(`^${out}${")".repeat(depth)}$`);
}

function escape(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** ProtectedBranch.Match: a plain name matches case-insensitively, a glob as a glob. */
export function ruleMatches(ruleName: string, branch: string): boolean {
  if (!isGlobRule(ruleName)) return ruleName.toLowerCase() === branch.toLowerCase();
  try {
    return globToRegExp(ruleName).test(branch);
  } catch {
    // An invalid glob is quoted and matched literally (loadGlob).
    return ruleName === branch;
  }
}

/**
 * GetFirstMatchProtectedBranchRule: plain names before globs, then the
 * oldest rule first (FindRepoProtectedBranchRules' sort).
 */
export function protectionFor(repo: RepoRecord, branch: string): ProtectionRecord | undefined {
  return orderedRules(repo).find((rule) => ruleMatches(rule.ruleName, branch));
}

/** FindRepoProtectedBranchRules' order: plain names before globs, then the oldest first. */
export function orderedRules(repo: RepoRecord): ProtectionRecord[] {
  return [...repo.protections].sort((a, b) =>
    Number(isGlobRule(a.ruleName)) - Number(isGlobRule(b.ruleName)) || a.id - b.id
  );
}

/**
 * ProtectedBranch.CanUserPush: never without enable_push; with the push
 * whitelist only its users (teams are not modelled); else anyone with write
 * access. Site admins and owners are not exempt.
 */
export function canUserPush(
  forge: Forge,
  repo: RepoRecord,
  rule: ProtectionRecord,
  user: UserRecord,
): boolean {
  if (rule.fields.enable_push !== true) return false;
  if (rule.fields.enable_push_whitelist === true) {
    return onWhitelist(rule, "push_whitelist_usernames", user);
  }
  return canWrite(forge.access(repo, user));
}

/** Whether the rule's user list `key` names `user` (logins compare case-insensitively). */
export function onWhitelist(
  rule: ProtectionRecord,
  key: "push_whitelist_usernames" | "merge_whitelist_usernames" | "approvals_whitelist_username",
  user: UserRecord,
): boolean {
  const names = (rule.fields[key] as string[] | undefined) ?? [];
  return names.some((name) => name.toLowerCase() === user.login.toLowerCase());
}
