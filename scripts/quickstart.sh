#!/usr/bin/env bash
# The quickstart (SPEC §16): the operator's journey against the embedded forge
# emulator, in a temporary factory root, using the freshly built binary.
# Set KEEP=1 to keep the factory root and leave the emulator running.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/dist/disinto"
root=$(mktemp -d "${TMPDIR:-/tmp}/disinto-quickstart-XXXXXX")
emulator_pid=""

cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: factory root $root${emulator_pid:+, emulator PID $emulator_pid}"
    return
  fi
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "the binary"
"$bin" --version

step "a lock shared with flock(1)"
"$bin" lock run "$root/state/demo.lock" -- echo "ran while holding $root/state/demo.lock"
