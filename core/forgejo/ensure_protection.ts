/**
 * ensureBranchProtection: a rule named `rule_name` exists with the wanted
 * fields. Created when missing (the branch need not exist); when a wanted
 * field differs, every wanted field is sent in one PATCH (the forge applies
 * `enable_push_whitelist` only together with `enable_push` in the same body).
 * Unchanged when the rule already matches: no write request.
 */
import type { Ensured } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";
import {
  createBranchProtection,
  editBranchProtection,
  getBranchProtection,
} from "./protections.ts";
import type { BranchProtection } from "./schema.ts";

export type ProtectionRule = { rule_name: string } & Record<string, unknown>;

export async function ensureBranchProtection(
  http: ForgejoHttp,
  slug: string,
  rule: ProtectionRule,
): Promise<Ensured<BranchProtection>> {
  let current = await getBranchProtection(http, slug, rule.rule_name);
  if (!current) {
    const created = await createBranchProtection(http, slug, rule);
    if (created) return { outcome: "created", value: created };
    // 403 "already exist": made meanwhile; compare with what is there.
    current = await getBranchProtection(http, slug, rule.rule_name);
    if (!current) {
      throw new Error(`Branch protection "${rule.rule_name}" of ${slug} exists but cannot be read`);
    }
  }
  if (protectionDiff(current, rule).length === 0) return { outcome: "unchanged", value: current };
  const { rule_name: _, ...fields } = rule;
  const value = await editBranchProtection(http, slug, rule.rule_name, fields);
  return { outcome: "updated", value };
}

/** The wanted keys whose values differ (lists compare as sets; null equals []). */
export function protectionDiff(
  current: Readonly<Record<string, unknown>>,
  wanted: Readonly<Record<string, unknown>>,
): string[] {
  return Object.keys(wanted).filter((key) => !same(current[key], wanted[key]));
}

function same(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) && !Array.isArray(b)) return a === b;
  if (!(a == null || Array.isArray(a)) || !(b == null || Array.isArray(b))) return false;
  const set = (v: unknown[] | null | undefined) => JSON.stringify((v ?? []).map(String).sort());
  return set(a) === set(b);
}
