# tests/lib.sh: helpers for shell tests. Source it; use `check`, `check_eq`,
# finish with `done_testing`. A temp dir $T is removed on exit (KEEP=1 keeps it),
# and every process started with `bg_start` is killed on exit, even on failure.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BROADSIDE=${BROADSIDE:-$TOP/broadside}
T=$(mktemp -d /tmp/broadside-test.XXXXXX)
chmod 700 "$T"
_pass=0 _fail=0 _pids=()

cleanup() {
  local p
  for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

check() { # check "description" command...
  local what=$1; shift
  if "$@"; then _pass=$((_pass + 1)); echo "ok - $what"
  else _fail=$((_fail + 1)); echo "not ok - $what"; fi
}
check_eq() { # check_eq "description" got expected
  if [ "$2" == "$3" ]; then _pass=$((_pass + 1)); echo "ok - $1"
  else _fail=$((_fail + 1)); echo "not ok - $1: got '$2', expected '$3'"; fi
}
done_testing() { echo "$_pass passed, $_fail failed"; [ $_fail -eq 0 ]; }

bg_start() {
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  BG_PID=$!
  _pids+=("$BG_PID")
}

free_port() { # a free TCP port on 127.0.0.1
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

wait_for() { # wait_for SECONDS command... : poll until the command succeeds
  local limit=$1; shift
  local end=$((SECONDS + limit))
  while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
