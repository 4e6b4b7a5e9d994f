#!/usr/bin/env bash
# tornet.sh: a private Tor network on 127.0.0.1 for tests (what tor's chutney does,
# cut down): 3 directory authorities, 3 relays (TORNET_RELAYS=N for more) and 1
# client with a SocksPort.
#
#   tornet.sh start DIR   create and start everything under DIR, on free ports;
#                         writes DIR/env (SOCKS_PORT=..., TORNET_PIDS=...) and
#                         DIR/service-torrc-append (lines a service tor needs to join)
#   tornet.sh wait DIR    block until the client has bootstrapped on the network's
#                         consensus (at most TORNET_WAIT seconds, default 240)
#   tornet.sh stop DIR    kill every tor it started (safe to call twice)
#   tornet.sh newnym DIR  the client forgets its circuits and onion descriptors
#
# Source it to get the functions tornet_start/tornet_wait/tornet_stop instead.
# With TORNET_SHARED=DIR2 set (and no TORNET_RELAYS), start joins the network
# already running in DIR2 instead of starting one, and stop leaves it running.
# If TORNET_OWNER_PID is set (a test sets it to $$), the network dies with that
# process even if its trap never runs (kill -9): a watchdog runs tornet_stop when
# the owner is gone, and every tor also gets __OwningControllerProcess. The
# watchdog is needed because tor 0.4.9.11 relays sometimes hang in their
# threadpool on the way out after "exiting cleanly"; tornet_stop KILLs them.
# Voting every 20 s: the first consensus appears after ~30-60 s.

TORNET_TOR=${TORNET_TOR:-tor}

_tornet_ports() { # _tornet_ports N: N distinct free TCP ports on 127.0.0.1
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
PY
}

# Lines every node of the network needs (authorities, relays, clients, services).
_tornet_common() { # DIR
  cat <<EOF
TestingTorNetwork 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteExit *
TestingDirAuthVoteHSDir *
TestingDirAuthVoteGuard *
V3AuthNIntervalsValid 2
EOF
  cat "$1/dirauthorities"
}

_tornet_launch() { # DIR NAME : start DIR/NAME/torrc in the background, record its pid
  local dir=$1 name=$2 owner=()
  [ -n "${TORNET_OWNER_PID:-}" ] && owner=(__OwningControllerProcess "$TORNET_OWNER_PID")
  "$TORNET_TOR" -f "$dir/$name/torrc" "${owner[@]}" >"$dir/$name/stdout.log" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

# DIR joins the network already running at TORNET_SHARED (tests/run starts one
# for the whole e2e stage: each network costs 30-60 s before its first
# consensus). DIR gets the shared env, the lines a service needs and a link to
# the client; its pids file starts empty, so tornet_stop DIR stops only the
# extra tors the test launched itself (_tornet_launch DIR NAME).
_tornet_join() { # DIR
  local dir=$1 shared=$TORNET_SHARED
  [ -s "$shared/env" ] || { echo "tornet: no network at TORNET_SHARED=$shared" >&2; return 1; }
  cp "$shared/dirauthorities" "$shared/service-torrc-append" "$dir/" || return 1
  ln -sfn "$shared/client" "$dir/client" || return 1
  : >"$dir/pids"
  { grep -v '^TORNET_PIDS=' "$shared/env"; echo 'TORNET_PIDS=""'; } >"$dir/env"
}

tornet_start() { # DIR
  local dir=$1 i p ports or dirp fp v3
  mkdir -p "$dir" && chmod 700 "$dir" || return 1
  dir=$(cd "$dir" && pwd)
  if [ -s "$dir/pids" ]; then echo "tornet: $dir already has a network" >&2; return 1; fi
  if [ -n "${TORNET_SHARED:-}" ] && [ -z "${TORNET_RELAYS:-}" ]; then _tornet_join "$dir"; return; fi
  : >"$dir/dirauthorities"
  : >"$dir/bw-lines"
  : >"$dir/pids"
  local nr=${TORNET_RELAYS:-3} nodes
  [ "$nr" -ge 3 ] 2>/dev/null || { echo "tornet: TORNET_RELAYS must be 3 or more" >&2; return 1; }
  read -r -a ports <<<"$(_tornet_ports $((7 + 2 * nr)))"
  [ ${#ports[@]} -eq $((7 + 2 * nr)) ] || { echo "tornet: no free ports" >&2; return 1; }

  # Authorities: an authority identity (tor-gencert) and a relay identity each.
  for i in 0 1 2; do
    or=${ports[$((i * 2))]} dirp=${ports[$((i * 2 + 1))]}
    mkdir -p "$dir/a$i/keys" && chmod 700 "$dir/a$i"
    (cd "$dir/a$i/keys" && echo "" | tor-gencert --create-identity-key -m 12 \
        -a "127.0.0.1:$dirp" --passphrase-fd 0 >/dev/null 2>&1) || {
      echo "tornet: tor-gencert failed for a$i" >&2; return 1; }
    v3=$(awk '/^fingerprint /{print $2}' "$dir/a$i/keys/authority_certificate")
    fp=$("$TORNET_TOR" --quiet --ignore-missing-torrc --list-fingerprint --orport 1 \
        --datadirectory "$dir/a$i" 2>/dev/null | awk '{print $2 $3 $4 $5 $6 $7 $8 $9 $10 $11}')
    [ -n "$v3" ] && [ -n "$fp" ] || { echo "tornet: no fingerprint for a$i" >&2; return 1; }
    echo "DirAuthority a$i orport=$or no-v2 v3ident=$v3 127.0.0.1:$dirp $fp" >>"$dir/dirauthorities"
    echo "node_id=\$$fp bw=1000" >>"$dir/bw-lines"
  done

  for i in 0 1 2; do
    or=${ports[$((i * 2))]} dirp=${ports[$((i * 2 + 1))]}
    { _tornet_common "$dir"; cat <<EOF
Nickname a$i
DataDirectory $dir/a$i
Log notice file $dir/a$i/notice.log
SafeLogging 0
ShutdownWaitLength 0
Address 127.0.0.1
SocksPort 0
OrPort 127.0.0.1:$or
DirPort 127.0.0.1:$dirp
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
AssumeReachable 1
ExitPolicy reject *:*
ContactInfo x@test.test
TestingV3AuthInitialVotingInterval 20
TestingV3AuthInitialVoteDelay 4
TestingV3AuthInitialDistDelay 4
V3AuthVotingInterval 20
V3AuthVoteDelay 4
V3AuthDistDelay 4
# Every relay Fast and Stable from the first vote (as a real relay earns by
# bandwidth and uptime): vanguards picks its layers only among Fast, Stable,
# non-authority relays, and with fewer than it needs it loops forever.
AuthDirFastGuarantee 1
AuthDirVoteStableGuaranteeMinUptime 0
AuthDirVoteStableGuaranteeMTBF 0
# The same measured bandwidth for every relay (a bandwidth authority's file):
# relays advertise ~0 until traffic has flowed, and vanguards weights its
# picks by bandwidth, so it could only ever pick the one relay that had some.
V3BandwidthsFile $dir/bandwidths
EOF
    } >"$dir/a$i/torrc"
  done
  nodes="a0 a1 a2"
  for i in $(seq 0 $((nr - 1))); do
    nodes="$nodes r$i"
    or=${ports[$((6 + i * 2))]} dirp=${ports[$((7 + i * 2))]}
    mkdir -p "$dir/r$i" && chmod 700 "$dir/r$i"
    # Its identity now, for the bandwidth file (tor keeps these keys).
    fp=$("$TORNET_TOR" --quiet --ignore-missing-torrc --list-fingerprint --orport 1 \
        --datadirectory "$dir/r$i" 2>/dev/null | awk '{print $2 $3 $4 $5 $6 $7 $8 $9 $10 $11}')
    [ -n "$fp" ] || { echo "tornet: no fingerprint for r$i" >&2; return 1; }
    echo "node_id=\$$fp bw=1000" >>"$dir/bw-lines"
    { _tornet_common "$dir"; cat <<EOF
Nickname r$i
DataDirectory $dir/r$i
Log notice file $dir/r$i/notice.log
SafeLogging 0
ShutdownWaitLength 0
Address 127.0.0.1
SocksPort 0
OrPort 127.0.0.1:$or
DirPort 127.0.0.1:$dirp
ExitRelay 0
AssumeReachable 1
EOF
    } >"$dir/r$i/torrc"
  done
  { date +%s; cat "$dir/bw-lines"; } >"$dir/bandwidths"
  SOCKS_PORT=${ports[$((6 + 2 * nr))]}
  mkdir -p "$dir/client" && chmod 700 "$dir/client"
  { _tornet_common "$dir"; cat <<EOF
DataDirectory $dir/client
Log notice file $dir/client/notice.log
SafeLogging 0
ShutdownWaitLength 0
SocksPort 127.0.0.1:$SOCKS_PORT
ControlSocket $dir/client/control
EOF
  } >"$dir/client/torrc"
  _tornet_common "$dir" >"$dir/service-torrc-append"

  for n in $nodes client; do _tornet_launch "$dir" "$n"; done
  {
    echo "SOCKS_PORT=$SOCKS_PORT"
    echo "TORNET_DIR=$dir"
    echo "TORNET_PIDS=\"$(awk '{printf "%s ", $1}' "$dir/pids")\""
  } >"$dir/env"
  if [ -n "${TORNET_OWNER_PID:-}" ]; then
    ( trap '' HUP
      while kill -0 "$TORNET_OWNER_PID" 2>/dev/null && [ -f "$dir/pids" ]; do sleep 1; done
      tornet_stop "$dir" ) </dev/null >/dev/null 2>&1 &
  fi
  # A tor that refuses its torrc exits at once: say so now, not in 4 minutes.
  sleep 1
  while read -r p n; do
    if ! kill -0 "$p" 2>/dev/null; then
      echo "tornet: $n exited at start:" >&2; tail -n 5 "$dir/$n/stdout.log" >&2
      tornet_stop "$dir"; return 1
    fi
  done <"$dir/pids"
}

# DIR: SIGNAL NEWNYM to the client over its control socket. Besides new
# circuits, tor then forgets the onion descriptors and failed intro points it
# holds, so the next request starts as a new reader's tor would.
tornet_newnym() {
  python3 - "$1/client/control" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(b"AUTHENTICATE\r\nSIGNAL NEWNYM\r\nQUIT\r\n")
r = b""
while b"250 closing connection" not in r:
    d = s.recv(4096)
    if not d: break
    r += d
sys.exit(0 if r.count(b"250 OK") >= 2 else 1)
PY
}

tornet_wait() { # DIR : until the client is bootstrapped (it needs a consensus)
  local dir=$1 end=$((SECONDS + ${TORNET_WAIT:-240}))
  while [ $SECONDS -lt $end ]; do
    if grep -q "Bootstrapped 100%" "$dir/client/notice.log" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "tornet: no usable consensus after ${TORNET_WAIT:-240} s; client log:" >&2
  tail -n 10 "$dir/client/notice.log" >&2
  return 1
}

tornet_stop() { # DIR : TERM, then KILL what is left; only pids that are still tor
  local dir=$1 p n live=()
  [ -f "$dir/pids" ] || return 0
  while read -r p n; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = tor ] || continue
    kill "$p" 2>/dev/null && live+=("$p")
  done <"$dir/pids"
  for p in "${live[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  mv "$dir/pids" "$dir/pids.stopped" 2>/dev/null
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-} ${2:-}" in
    start\ ?*) tornet_start "$2" ;;
    wait\ ?*) tornet_wait "$2" ;;
    stop\ ?*) tornet_stop "$2" ;;
    newnym\ ?*) tornet_newnym "$2" ;;
    *) echo "usage: tornet.sh start|wait|stop|newnym DIR" >&2; exit 2 ;;
  esac
fi
