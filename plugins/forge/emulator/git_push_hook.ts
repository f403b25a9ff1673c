/**
 * The emulator's pre-receive hook: Forgejo refuses pushes in its pre-receive
 * hook (routers/private/hook_pre_receive.go, v11) and cmd/serv.go fail()
 * prints an empty line and `Forgejo: <message>` for the git client, which shows
 * them as `remote:` lines and the ref as `[remote rejected] … (pre-receive
 * hook declined)`. The emulator decides per branch before git runs (from the
 * request's command list) and passes the verdicts in the environment; the
 * hook applies them in Forgejo's order, with the force-push test that needs
 * the pushed objects.
 */
import { gunzipSync } from "node:zlib";
import type { Forge } from "./forge.ts";
import { canUserPush, protectionFor } from "./protection.ts";
import type { RepoRecord, UserRecord } from "./state.ts";

export const PRE_RECEIVE_HOOK = `#!/bin/sh
zero=0000000000000000000000000000000000000000
refuse() {
  echo
  echo "Forgejo: $1" >&2
  exit 1
}
# Is $2 one of the lines of $1?
listed() {
  case "
$1
" in *"
$2
"*) return 0 ;; esac
  return 1
}
while read -r old new ref; do
  [ "$DISINTO_CAN_WRITE" = 1 ] || refuse "User permission denied for writing."
  case "$ref" in refs/heads/*) ;; *) continue ;; esac
  branch=\${ref#refs/heads/}
  if [ "$new" = "$zero" ] && [ "$branch" = "$DISINTO_DEFAULT_BRANCH" ]; then
    refuse "branch $branch is the default branch and cannot be deleted"
  fi
  listed "$DISINTO_PROTECTED" "$branch" || continue
  [ "$new" != "$zero" ] || refuse "branch $branch is protected from deletion"
  if [ "$old" != "$zero" ] && [ -n "$(git rev-list --max-count=1 "$old" "^$new")" ]; then
    refuse "branch $branch is protected from force push"
  fi
  if listed "$DISINTO_NO_PUSH" "$branch"; then
    refuse "Not allowed to push to protected branch $branch"
  fi
done
exit 0
`;

export interface ReceiveCommand {
  old: string;
  new: string;
  ref: string;
}

/** The command list at the head of a receive-pack request: pkt-lines up to the flush. */
export function receiveCommands(body: Uint8Array, encoding: string | null): ReceiveCommand[] {
  let data = body;
  if (encoding?.toLowerCase() === "gzip") {
    try {
      data = new Uint8Array(gunzipSync(body));
    } catch {
      return [];
    }
  }
  const text = new TextDecoder();
  const commands: ReceiveCommand[] = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const length = Number.parseInt(text.decode(data.subarray(at, at + 4)), 16);
    if (!(length >= 4)) break; // the flush packet (0000) ends the list
    const line = text.decode(data.subarray(at + 4, at + length)).split("\0")[0]!.trimEnd();
    at += length;
    const [old, next, ref] = line.split(" ");
    if (old && next && ref) commands.push({ old, new: next, ref });
  }
  return commands;
}

/** The hook's environment for this pusher and these commands. */
export function hookEnv(
  forge: Forge,
  repo: RepoRecord,
  user: UserRecord | null,
  canWrite: boolean,
  commands: readonly ReceiveCommand[],
): Record<string, string> {
  const protectedBranches: string[] = [];
  const noPush: string[] = [];
  for (const { ref } of commands) {
    if (!ref.startsWith("refs/heads/")) continue;
    const branch = ref.slice("refs/heads/".length);
    const rule = protectionFor(repo, branch);
    if (!rule) continue;
    protectedBranches.push(branch);
    if (!user || !canUserPush(forge, repo, rule, user)) noPush.push(branch);
  }
  return {
    DISINTO_CAN_WRITE: canWrite ? "1" : "0",
    DISINTO_DEFAULT_BRANCH: repo.defaultBranch,
    DISINTO_PROTECTED: protectedBranches.join("\n"),
    DISINTO_NO_PUSH: noPush.join("\n"),
  };
}
