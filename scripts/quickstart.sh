#!/usr/bin/env bash
# The quickstart (SPEC §16): the operator's journey against the embedded forge
# emulator, in a temporary factory root, using the freshly built binary:
# emulator on loopback → init → hire a local-model agent → compose generate →
# claim an issue → status → a dev and a review cycle with the model emulator
# and the real claude CLI (the pull request is merged) → a question to the
# terminal chat → where everything is.
# Set KEEP=1 to keep the factory root and leave the emulator running.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${DISINTO_BINARY:-$PWD/dist/disinto}"
root=$(mktemp -d "${TMPDIR:-/tmp}/disinto-quickstart-XXXXXX")
emulator_pid=""
model_pid=""
started=$(date +%s)

cleanup() {
  local code=$?
  if [ "${KEEP:-0}" = 1 ]; then
    echo
    echo "kept: factory root $root${emulator_pid:+, emulator PID $emulator_pid}${model_pid:+, model emulator PID $model_pid}"
    echo "(stop them with: kill $emulator_pid $model_pid)"
    return
  fi
  for pid in $emulator_pid $model_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$root"
  [ "$code" = 0 ] || echo "quickstart failed (exit $code)" >&2
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
# curl as the admin: the credentials go in a config on stdin (printf is a shell
# builtin), so the password is on no command line.
admin_curl() { printf 'user = "%s:%s"\n' "$admin_user" "$admin_pass" | curl -K - "$@"; }
disinto() { "$bin" --root "$root" "$@"; }
# The URL a server started in the background prints (pid, its output file), within 10 s.
url_of() {
  local found=""
  for _ in $(seq 1 100); do
    found=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$2" | head -n 1 || true)
    [ -n "$found" ] && break
    kill -0 "$1" 2>/dev/null || { cat "$2" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$found" ] || { echo "PID $1 printed no URL within 10 s" >&2; cat "$2" >&2; return 1; }
  echo "$found"
}

step "the binary"
"$bin" --version

step "the embedded Forgejo emulator on loopback"
admin_user=disinto-admin
admin_pass=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(12).toString("hex"))')
mkdir -p "$root/state"
# The password reaches the emulator through its environment (FORGE_ADMIN_PASS), never argv.
FORGE_ADMIN_PASS="$admin_pass" "$bin" forge emulate --host 127.0.0.1 --port 0 \
  --state "$root/state/emulator" --admin-user "$admin_user" \
  --request-log "$root/state/emulator-requests.jsonl" >"$root/state/emulator.out" 2>&1 &
emulator_pid=$!
url=$(url_of "$emulator_pid" "$root/state/emulator.out")
echo "emulator at $url (PID $emulator_pid)"
admin_curl -fsS "$url/api/v1/version" && echo

# Secrets go to the factory's .env, never onto a command line shown to others.
printf 'FORGE_ADMIN_USER=%s\nFORGE_ADMIN_PASS=%s\n' "$admin_user" "$admin_pass" >"$root/.env"
chmod 600 "$root/.env"

step "disinto init demo/app"
disinto init demo/app --forge-url "$url" --yes

step "disinto init demo/app again (idempotent: every step unchanged)"
disinto --quiet init demo/app --forge-url "$url" --yes && echo "second run: nothing to change"

step "hire a local-model agent"
# No model server runs here, so the health probe warns; the identity and the
# compose service are made all the same.
disinto hire-an-agent dev-qwen dev --local-model http://127.0.0.1:9/v1 --model qwen2.5-coder

step "the generated compose file"
disinto compose generate --force
awk '/^services:/ { in_services = 1; next } /^[^ ]/ { in_services = 0 }
  in_services && /^  [a-z][a-z0-9-]*:$/ { sub(/:$/, ""); print "  service" $0 }' "$root/docker-compose.yml"

step "an issue in the backlog, claimed by dev-bot"
backlog_id=$(admin_curl -fsS "$url/api/v1/repos/demo/app/labels?limit=50" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s).find(x=>x.name==="backlog");process.stdout.write(String(l.id))})')
admin_curl -fsS -H 'content-type: application/json' \
  -d "{\"title\":\"Say hello in the README\",\"body\":\"A first task for the factory.\",\"labels\":[$backlog_id]}" \
  "$url/api/v1/repos/demo/app/issues" >/dev/null
disinto issue claim 1

step "disinto status"
disinto status

step "the agents at work: a scripted model server and the real claude CLI"
# The model emulator answers from a script (scripts/quickstart-model.toml): the dev
# agent rewrites the README, the reviewer approves. claude really runs its tools.
"$bin" model emulate --port 0 --script scripts/quickstart-model.toml >"$root/state/model.out" 2>&1 &
model_pid=$!
model_url=$(url_of "$model_pid" "$root/state/model.out")
echo "model emulator at $model_url (PID $model_pid)"
# IS_SANDBOX lets claude skip its permission prompts when run as root (containers run as a user).
agents() {
  CLAUDE_BIN="$PWD/node_modules/.bin/claude" CLAUDE_MODEL=claude-test \
    CLAUDE_CONFIG_DIR="$root/state/claude" ANTHROPIC_BASE_URL="$model_url" \
    ANTHROPIC_API_KEY=sk-model-emulator CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
    DISABLE_AUTOUPDATER=1 IS_SANDBOX=1 disinto agents poll "$@" --once
}
agents dev    # the claimed issue: worktree, claude, push, pull request
agents review # review-bot reads the pull request and approves it
agents dev    # dev-bot merges the approved pull request; the issue closes
admin_curl -fsS "$url/api/v1/repos/demo/app/pulls?state=closed" | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
  const pr = JSON.parse(s)[0];
  if (!pr || !pr.merged) { console.error("no merged pull request"); process.exit(1); }
  console.log(`merged: PR #${pr.number} "${pr.title}" by ${pr.user.login}, ${pr.html_url}`);
  console.log(`        ${pr.body.split("\n").find((l) => /Closes #/.test(l))}`);
});'

step "disinto chat: ask the factory, in the terminal"
# The chat runs the CLI with an identity of its own (state/chat/claude), never the agents'.
question="What has the factory done?"
echo "(typed: $question)"
printf '%s\n' "$question" |
  CLAUDE_BIN="$PWD/node_modules/.bin/claude" CHAT_MODEL=claude-test \
    ANTHROPIC_BASE_URL="$model_url" ANTHROPIC_API_KEY=sk-model-emulator \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 IS_SANDBOX=1 disinto chat
echo

step "where everything is"
cat <<EOF
factory root   $root  (.env holds every token and password, mode 0600)
project        $root/projects/app.toml
compose file   $root/docker-compose.yml
forge          $url   (admin: $admin_user, password in $root/.env as FORGE_ADMIN_PASS)
request log    $root/state/emulator-requests.jsonl
model server   $model_url  (script scripts/quickstart-model.toml)
agent runs     $root/state/agent-runs/  (each claude run's stream-json, secrets redacted)
chat history   $root/state/chat/history/  (disinto chat serve gives the same conversation a web page: docs/chat.md)
try            curl -u "$admin_user:\$FORGE_ADMIN_PASS" $url/api/v1/repos/demo/app/issues
done in $(($(date +%s) - started)) s
EOF
if [ "${KEEP:-0}" != 1 ]; then
  echo "(all of this is removed and the emulator stopped on exit; run with KEEP=1 to keep them)"
fi
