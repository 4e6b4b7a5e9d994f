# tests/e2e/lib.sh: what the end-to-end tests share, on top of tests/lib.sh.
# Source it instead of tests/lib.sh. It starts nothing: it sets NET (where
# tornet_start puts the private network) and stops that network on exit, before
# tests/lib.sh's cleanup. get and retry reach the network's client once the test
# has run `source "$NET/env"` (SOCKS_PORT).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$TOP/tests/tornet/tornet.sh"

NET=$T/net
export TORNET_OWNER_PID=$$
trap 'tornet_stop "$NET"; cleanup' EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
json() { # json DIR KEY.PATH: from broadside status --json
  $BROADSIDE --data "$1" status --json 2>/dev/null | python3 -c "
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split('.'): v = v[k]
print(v)" "$2" 2>/dev/null
}
published() { [ "$(json "$1" tor.state)" = published ]; }   # published DIR
# A pid that no longer runs (or is a zombie nobody reaped).
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" = Z ]; }
tor_get() { # tor_get SOCKSPORT ADDRESS PATH ISOLATION [curl args]: through a tor client
  local port=$1 addr=$2 p=$3 iso=$4; shift 4
  curl -sS -m 60 --proxy-user "$iso:x" --socks5-hostname "127.0.0.1:$port" "$@" "http://$addr$p" 2>/dev/null
}
get() { # get PATH ISOLATION [curl args]: $ADDR through the network's client
  local p=$1 iso=$2; shift 2
  tor_get "$SOCKS_PORT" "$ADDR" "$p" "$iso" "$@"
}
client_newnym() { tornet_newnym "$NET"; }   # as a new reader's tor: no old descriptor
retry() { # retry SECONDS command...: a fresh circuit for each try
  local end=$((SECONDS + $1)) n=0; shift
  while [ $SECONDS -lt $end ]; do n=$((n + 1)); "$@" "try$n-$RANDOM" && return 0; sleep 2; done
  return 1
}
