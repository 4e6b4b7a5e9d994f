#!/usr/bin/env bash
# mirror over loopback through a SOCKS5 proxy (tests/socks5.py maps a fake
# .onion name to appliance A's preview port, and logs that the host name, not
# an address, was sent): a bad signature stops it; B's copy verifies with
# sha256sum -c and minisign -V against A's key; an interrupted mirror resumes;
# a re-run fetches only what changed and drops what A removed; a tampered file
# served by A is quarantined and never served by B. The same over the private
# Tor network is in tests/e2e/seizure.sh.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll
ONION=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion
mkdir -p "$C/sub"
echo "hello" >"$C/a.txt"
head -c 3000000 /dev/urandom >"$C/sub/r.bin"
head -c 40000000 /dev/urandom >"$C/big.bin"
printf 'odd' >"$C/$(printf 'odd\001name & %%.txt')"
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$B" init >/dev/null 2>&1
$BROADSIDE --data "$A" add "$C" --slug demo --title "Demo" --description "mirrored" -q >/dev/null
PA=$(free_port)
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$PA --no-tor
check "A answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PA/
start_proxy() { # start_proxy NAME [--rate N]
  rm -f "$T/$1.port"
  bg_start "$T/$1.out" python3 "$TOP/tests/socks5.py" "$T/$1.port" "$T/$1.log" --map "$ONION=127.0.0.1:$PA" "${@:2}"
  echo "$BG_PID" >"$T/$1.pid"   # called in $(...): the parent registers it for cleanup
  wait_for 10 test -s "$T/$1.port"
  cat "$T/$1.port"
}
SP=$(start_proxy fast)
SLOW=$(start_proxy slow --rate 8000000)
_pids+=("$(cat "$T/fast.pid")" "$(cat "$T/slow.pid")")
mirror() { $BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" --publisher-key "$A/keys/publisher.pub" "$@"; }

# A key that did not sign the manifest: nothing happens.
out=$($BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" --publisher-key "$B/keys/publisher.pub" --socks 127.0.0.1:$SP 2>&1)
check "wrong pinned key: stops with BAD SIGNATURE" grep -q "BAD SIGNATURE" <<<"$out"
check "… nothing mirrored" bash -c "[ -z \"\$(ls -A '$B/mirrors/demo' 2>/dev/null)\" ]"
check_eq "… nothing registered" "$($BROADSIDE --data "$B" ls --json | grep -c '"demo"')" 0
check "no route to A except through the proxy" bash -c "! $BROADSIDE --data '$B' mirror 'http://$ONION/c/demo/' --publisher-key '$A/keys/publisher.pub' --socks 127.0.0.1:1 >/dev/null 2>&1"
check "--socks none refused for a non-loopback host" grep -q "only for an origin on 127.0.0.1" \
  <<<"$($BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" --publisher-key "$A/keys/publisher.pub" --socks none 2>&1)"

# Interrupted (through the slow proxy), then resumed.
$BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" --publisher-key "$A/keys/publisher.pub" \
  --socks 127.0.0.1:$SLOW -q >"$T/m1.log" 2>&1 &
MP=$!   # (SIGINT is ignored by background jobs of a script: TERM stands in for ^C)
part() { find "$B/mirrors/.demo.partial" -maxdepth 1 -name '[0-9a-f]*' -size +1000k 2>/dev/null | grep -q .; }
check "a partial file appears" wait_for 60 part
kill -TERM $MP; wait $MP 2>/dev/null
check "the interrupted mirror left a partial file" part
out=$(mirror --socks 127.0.0.1:$SP -q 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check_eq "resumed mirror succeeds" "$rc" 0
check "… and says it resumed" grep -q '(1 resumed)' <<<"$out"
check "the host name went to the proxy (ATYP 3), never resolved here" grep -q "^3 $ONION 80$" "$T/fast.log"
check_eq "no partial files left" "$(ls "$B/mirrors/.demo.partial" | grep -c '^[0-9a-f]\{64\}$')" 0

# B's copy verifies, and B serves it with A's signed manifests.
PB=$(free_port)
bg_start "$T/b.log" $BROADSIDE --data "$B" serve --listen 127.0.0.1:$PB --no-tor
check "B answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PB/
UB=http://127.0.0.1:$PB
G=$T/got; mkdir -p "$G"
for f in SHA256SUMS SHA256SUMS.minisig index.json index.json.minisig; do curl -sf -o "$G/$f" $UB/m/demo/$f; done
check "B serves A's manifests: minisign -V with A's key" minisign -V -q -p "$A/keys/publisher.pub" -m "$G/SHA256SUMS"
check "… index.json too" minisign -V -q -p "$A/keys/publisher.pub" -m "$G/index.json"
check "/m/demo/publisher.pub on B is A's key" bash -c "[ \"\$(curl -sf $UB/m/demo/publisher.pub | sed -n 2p)\" = \"\$(sed -n 2p '$A/keys/publisher.pub')\" ]"
check "B's files pass sha256sum -c" bash -c "cd '$B/mirrors/demo' && sha256sum --quiet -c '$G/SHA256SUMS'"
check_eq "B serves the bytes" "$(curl -s $UB/f/demo/big.bin | sha256sum)" "$(sha256sum <"$C/big.bin")"
check "catalogue records origin and key" bash -c "sqlite3 '$B/catalogue.db' \"SELECT origin, publisher_key FROM collections WHERE slug='demo'\" | grep -q 'http://$ONION/c/demo/|untrusted comment: minisign public key'"
check "refresh refuses a mirror" bash -c "! $BROADSIDE --data '$B' refresh demo 2>/dev/null"

# Re-run: only what changed.
echo "new" >"$C/new.txt"; rm "$C/a.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null
out=$(mirror --socks 127.0.0.1:$SP -q 2>&1)
check "removing 1 of 4 files needs --accept-removals" grep -q "removes 1 of the 4 installed files" <<<"$out"
check "… and nothing changed" test -e "$B/mirrors/demo/a.txt"
out=$(mirror --socks 127.0.0.1:$SP -q --accept-removals 2>&1)
check "re-run fetches only the new file" grep -q ' 1 fetched (0 resumed), 3 unchanged' <<<"$out"
check "… drops what A removed" test ! -e "$B/mirrors/demo/a.txt"
check_eq "… and B no longer lists it" "$(curl -s -o /dev/null -w '%{http_code}' $UB/f/demo/a.txt)" 404

# A tampered file served by a modified A: caught and quarantined.
echo "to be tampered" >"$C/t.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null
# A running serve sees a refresh once its shared read snapshot ends (server.c;
# up to ~1 s measured on a fast machine, where the next line raced it).
check "A serves the refreshed t.txt" wait_for 5 curl -sf -o /dev/null http://127.0.0.1:$PA/f/demo/t.txt
m=$(stat -c %Y "$C/t.txt"); echo "TO BE TAMPERED" >"$C/t.txt"; touch -d "@$m" "$C/t.txt"
check_eq "A now serves other bytes under the signed hash" "$(curl -s http://127.0.0.1:$PA/f/demo/t.txt)" "TO BE TAMPERED"
out=$(mirror --socks 127.0.0.1:$SP -q 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "mirror fails on the tampered file" test $rc -ne 0
check "… says QUARANTINED" grep -q "QUARANTINED: t.txt" <<<"$out"
check "… the bytes are in quarantine" grep -rq "TO BE TAMPERED" "$B/mirrors/demo.quarantine"
check "… with a REPORT line" grep -q "  t.txt	expected $(echo 'to be tampered' | sha256sum | cut -c1-64)" "$B/mirrors/demo.quarantine/REPORT"
check "… not in the mirror" test ! -e "$B/mirrors/demo/t.txt"
check_eq "… and not served by B" "$(curl -s -o /dev/null -w '%{http_code}' $UB/f/demo/t.txt)" 404
check_eq "the rest is still served" "$(curl -s $UB/f/demo/new.txt)" "new"
done_testing
