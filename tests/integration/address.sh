#!/usr/bin/env bash
# address: `broadside init` creates the onion key (0700/0600, tor's format) and
# `broadside address` prints the address that matches it; without a key it says
# how to make one.
source "$(dirname "$0")/../lib.sh"

D=$T/data
out=$("$BROADSIDE" --data "$D" address 2>&1); rc=$?
check_eq "address without init fails" "$rc" 1
check "and says to run init" grep -q "no onion key; run broadside init" <<<"$out"
check "init" "$BROADSIDE" --data "$D" init
check_eq "onion dir 0700" "$(stat -c %a "$D/onion/public")" 700
check_eq "secret key 0600" "$(stat -c %a "$D/onion/public/hs_ed25519_secret_key")" 600
check_eq "secret key is tor's 96-byte format" "$(stat -c %s "$D/onion/public/hs_ed25519_secret_key")" 96
check_eq "secret key header" "$(head -c 29 "$D/onion/public/hs_ed25519_secret_key")" "== ed25519v1-secret: type0 =="
addr=$("$BROADSIDE" --data "$D" address)
check "address is a v3 onion" grep -Eqx "[a-z2-7]{56}\\.onion" <<<"$addr"
check_eq "address matches hostname" "$addr" "$(cat "$D/onion/public/hostname")"
"$BROADSIDE" --data "$D" init >/dev/null 2>&1
check_eq "init again keeps the key" "$("$BROADSIDE" --data "$D" address)" "$addr"
check "address --help" bash -c "\"$BROADSIDE\" address --help | grep -q usage"
ol=$("$BROADSIDE" --data "$D" onion-location)
check "onion-location: the header line" grep -qx "Onion-Location: http://$addr/" <<<"$ol"
check "onion-location: the meta tag" grep -qxF "<meta http-equiv=\"onion-location\" content=\"http://$addr/\">" <<<"$ol"
check "onion-location: nginx keeps the path" grep -qF "add_header Onion-Location http://$addr\$request_uri;" <<<"$ol"
done_testing
