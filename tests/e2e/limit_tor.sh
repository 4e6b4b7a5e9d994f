#!/usr/bin/env bash
# limit_tor: the per-circuit limits through a real (private) Tor network.
# Two SOCKS credentials at the client are two circuits (IsolateSOCKSAuth): the
# one that hammers gets 429 with Retry-After, the other is unaffected; with
# close_circuit_after, tor is asked to close the hammering circuit.
# Expensive: ~3 minutes for the network to start.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tornet/tornet.sh"

NET=$T/net
export TORNET_OWNER_PID=$$
trap 'tornet_stop "$NET"; cleanup' EXIT

D=$T/data C=$T/coll
mkdir -p "$C"
echo "hello over tor" >"$C/a.txt"
$BROADSIDE --data "$D" init >/dev/null
$BROADSIDE --data "$D" add "$C" --slug demo --title Demo --quiet >/dev/null
cat >>"$D/broadside.conf" <<EOF
log_level = info
circuit_requests_per_second = 1
circuit_request_burst = 5
close_circuit_after = 8
close_circuit_window = 60
EOF

check "private network starts" tornet_start "$NET"
source "$NET/env"
check "network bootstraps" tornet_wait "$NET"
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --tor-config-append "$NET/service-torrc-append"
ADDR=$($BROADSIDE --data "$D" address | sed 's#^http://##; s#/$##')

fetch() { # fetch CREDENTIAL PATH → the status code; headers kept in $T/h.CRED.*
  # (called in $(...), a subshell: a counter would not survive, the clock does)
  curl -s -m 60 --proxy-user "$1:x" --socks5-hostname "127.0.0.1:$SOCKS_PORT" \
    -o /dev/null -D "$T/h.$1.$(date +%s%N)" -w '%{http_code}' "http://$ADDR$2"
}
answers() { [ "$(fetch "$1" /)" = 200 ]; }
retry() { local end=$((SECONDS + $1)) n=0; shift
  while [ $SECONDS -lt $end ]; do n=$((n + 1)); "$@" "warm$n" && return 0; sleep 2; done; return 1; }
check "the onion answers" retry 300 answers

# Circuit A: 12 requests back to back (burst 5, 1/s) → 429s with Retry-After.
codes=""
for i in $(seq 12); do codes+="$(fetch reader-a /f/demo/a.txt) "; done
echo "reader A: $codes"
n429=$(tr ' ' '\n' <<<"$codes" | grep -c '^429$')
check "hammering circuit gets 429 ($n429 of 12)" test "$n429" -ge 4
refused=$(grep -l '^HTTP/1.1 429' "$T"/h.reader-a.* | wc -l)
with_retry=$(grep -l '^Retry-After: [0-9]' $(grep -l '^HTTP/1.1 429' "$T"/h.reader-a.*) | wc -l)
check_eq "every 429 carries Retry-After" "$with_retry" "$refused"
# Circuit B, same client, another SOCKS credential: unaffected.
codes_b=""
for i in 1 2 3; do codes_b+="$(fetch reader-b /f/demo/a.txt) "; done
check_eq "another circuit is served" "$codes_b" "200 200 200 "
js=$($BROADSIDE --data "$D" status --json)
check "status counts the 429s" python3 -c '
import json, sys
h = json.loads(sys.argv[1])["limits"]["hits"]
assert h["circuit_requests"] >= 4, h
' "$js"
# Keep hammering on A until close_circuit_after (8 within 60 s) asks tor to
# close the circuit; the log says so without the circuit id.
for i in $(seq 20); do fetch reader-a / >/dev/null; done
check "tor was asked to close the circuit" grep -q 'close a circuit that kept exceeding' "$T/serve.log"
check "circuit ids are not logged at info" bash -c "! grep -qi 'circuit [0-9]' '$T/serve.log'"
check "after the closed circuit, a new one works" retry 60 answers
done_testing
