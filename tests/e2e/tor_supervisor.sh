#!/usr/bin/env bash
# tor_supervisor: the tor side end to end, on a private Tor network, before
# `serve` exists. tests/tornet/torsup_drive runs the supervisor (torsup) with a
# tiny HTTP responder on the onion's unix socket. Checks:
#  - the onion answers through the network's client (curl over SOCKS) and the
#    status reaches "published"; CLOSECIRCUIT on the PROXY line's circuit id works;
#  - kill -9 of tor: the supervisor restarts it and the SAME address answers;
#  - kill -9 of the supervisor: tor exits within 20 s (TAKEOWNERSHIP, no orphan);
#  - a second supervisor with no private network (the real Tor network is
#    unreachable here) goes "degraded" with one operator message, and SIGTERM
#    stops its tor cleanly.
# Prints measured times as "# measured:" lines.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tornet/tornet.sh"

NET=$T/net
DRIVE=$T/torsup_drive
export TORNET_OWNER_PID=$$
trap 'tornet_stop "$NET"; cleanup' EXIT

status() { # status DIR KEY
  sed -n "s/^$2=//p" "$1/status" 2>/dev/null
}
state_is() { [ "$(status "$1" state)" = "$2" ]; }
gone() { # a pid that no longer runs (or is a zombie nobody reaped)
  ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" = Z ]
}
fetch() { # fetch ADDR PATH ISOLATION: the body, through the network's client
  curl -sS -m 30 --proxy-user "$3:x" --socks5-hostname "127.0.0.1:$SOCKS_PORT" "http://$1$2" 2>/dev/null
}
answers() { [ "$(fetch "$1" / "$2")" = "hello from torsup_drive" ]; }
retry() { # retry SECONDS command...: like wait_for, with a fresh circuit each try
  local end=$((SECONDS + $1)) n=0; shift
  while [ $SECONDS -lt $end ]; do n=$((n + 1)); "$@" "try$n-$RANDOM" && return 0; sleep 1; done
  return 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Build the driver against the library; ASAN=1 uses the sanitizer build
# (`make asan`), so leaks and UB in torsup fail the run.
LIB=$TOP/build/libbroadside.a SAN=()
if [ "${ASAN:-0}" = 1 ]; then
  make -C "$TOP" --no-print-directory -s asan >/dev/null 2>&1 || make -C "$TOP" asan
  LIB=$TOP/build/asan/libbroadside.a SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1
else
  make -C "$TOP" --no-print-directory -s all >/dev/null 2>&1 || make -C "$TOP" all
fi
# shellcheck disable=SC2046
check "driver builds" cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -O1 -g \
  "${SAN[@]}" -I"$TOP/appliance" -o "$DRIVE" "$TOP/tests/tornet/torsup_drive.c" "$LIB" \
  $(make -s -C "$TOP" --no-print-directory print-libs)
[ -x "$DRIVE" ] || { done_testing; exit 1; }

t0=$(now)
check "private network starts" tornet_start "$NET"
source "$NET/env"

# The offline supervisor: a tor that cannot reach any network. Tests must not
# dial the real Tor network's relays (public addresses), so the network is
# switched off in tor itself, which leaves bootstrap stuck exactly as offline.
mkdir -p "$T/off"
echo "DisableNetwork 1" >"$T/off/append"
bg_start "$T/off/log" "$DRIVE" --data "$T/off/data" --sandbox 1 --append "$T/off/append" --status "$T/off/status"
OFF_PID=$BG_PID
off_t0=$SECONDS

# The service joins the private network; Sandbox 1 as in production.
mkdir -p "$T/svc"
t_svc=$(now)
bg_start "$T/svc/log" env DRIVE_DEBUG=1 "$DRIVE" --data "$T/svc/data" --sandbox 1 \
  --append "$NET/service-torrc-append" --status "$T/svc/status"
SVC_PID=$BG_PID

check "network has a consensus" tornet_wait "$NET"
echo "# measured: private network start to usable consensus: $(since "$t0") s"
check "status reaches published" wait_for 240 state_is "$T/svc" published
echo "# measured: supervisor start to published: $(since "$t_svc") s"
ADDR=$(status "$T/svc" address)
check "address is a v3 onion" grep -Eqx "[a-z2-7]{56}\\.onion" <<<"$ADDR"
check_eq "address is the key's" "$ADDR" "$(cat "$T/svc/data/onion/public/hostname")"
check "onion answers over SOCKS" retry 240 answers "$ADDR"
echo "# measured: supervisor start to first onion fetch: $(since "$t_svc") s"
echo "# measured: private network start to first onion fetch: $(since "$t0") s"
check "uploads counted" [ "$(status "$T/svc" uploads)" -ge 1 ]
check_eq "tor config has Sandbox 1" "$(grep -c '^Sandbox 1$' "$T/svc/data/run/torrc")" 1

# CLOSECIRCUIT with the circuit id from tor's PROXY line.
# A fresh circuit on a young network can fail once: retry, as for any fetch.
closes() { [ "$(fetch "$ADDR" /close "$1")" = "hello from torsup_drive" ]; }
check "close request answered" retry 120 closes
check "tor accepted CLOSECIRCUIT for the PROXY circuit id" \
  wait_for 10 grep -q "CLOSECIRCUIT: 250 OK" "$T/svc/log"

# kill -9 tor: restarted, same address answers again.
TOR1=$(status "$T/svc" pid)
check "tor pid known" [ "${TOR1:-0}" -gt 0 ]
kill -9 "$TOR1"
t_kill=$(now)
new_tor() { p=$(status "$T/svc" pid); [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$TOR1" ]; }
check "supervisor restarts tor" wait_for 30 new_tor
echo "# measured: kill -9 to new tor running: $(since "$t_kill") s"
check_eq "restart counted" "$(status "$T/svc" restarts)" 1
check "degraded message names the kill" grep -q "tor was killed by signal 9" "$T/svc/log"
check "published again" wait_for 120 state_is "$T/svc" published
echo "# measured: kill -9 to re-published: $(since "$t_kill") s"
check "same address answers after restart" retry 180 answers "$ADDR"
echo "# measured: kill -9 to onion answering again: $(since "$t_kill") s"
check_eq "same address in status" "$(status "$T/svc" address)" "$ADDR"

# kill -9 the supervisor: its tor must exit by itself (it owns the control connection).
TOR2=$(status "$T/svc" pid)
kill -9 "$SVC_PID"
t_dead=$(now)
check "tor exits within 20 s of the supervisor's death" wait_for 20 gone "$TOR2"
echo "# measured: supervisor kill -9 to tor exit: $(since "$t_dead") s"

# Offline: degraded after 60 s without bootstrap progress, one clear message.
left=$((off_t0 + 120 - SECONDS)); [ $left -lt 1 ] && left=1
check "offline supervisor degrades" wait_for "$left" state_is "$T/off" degraded
problem=$(status "$T/off" problem)
echo "# offline problem: $problem"
check "offline problem is operator-readable" grep -q "tor cannot reach the Tor network" <<<"$problem"
check_eq "one warning for it" "$(grep -c 'warning: .*cannot reach the Tor network' "$T/off/log")" 1
OFF_TOR=$(status "$T/off" pid)
kill "$OFF_PID"
check "SIGTERM stops the offline supervisor (and tor) within 5 s" wait_for 5 gone "$OFF_PID"
check "and its tor" wait_for 5 gone "$OFF_TOR"
check_eq "state stopped" "$(status "$T/off" state)" stopped

tornet_stop "$NET"
check "every network tor stopped" bash -c "for p in $TORNET_PIDS; do kill -0 \$p 2>/dev/null && \
  [ \"\$(awk '{print \$3}' /proc/\$p/stat)\" != Z ] && exit 1; done; exit 0"
tornet_stop "$NET"   # twice is fine
done_testing
