#!/usr/bin/env bash
# vanguards: what serve prepares for the vanguards addon, without the Tor
# network (tor runs with DisableNetwork 1, so vanguards waits for tor's
# consensus and never starts). vanguards/vanguards.conf as vanguards itself reads
# it (through its own config reader); the state
# directory; tor without Sandbox 1; status; `balance vanguards-state` only on
# a backend and only with a state file. tests/e2e/vanguards.sh runs it.
. "$(dirname "$0")/../lib.sh"
command -v vanguards >/dev/null || { echo "vanguards missing (scripts/deps.sh)"; exit 1; }

D=$T/data
$BROADSIDE --data "$D" init >/dev/null 2>&1
printf 'DisableNetwork 1\n' >"$T/tor-append"
json() { # json KEY.PATH
  $BROADSIDE --data "$D" status --json 2>/dev/null | /usr/bin/python3 -c "
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split('.'): v = v[k]
print(v)" "$1" 2>/dev/null
}

check "vanguards is off by default in a checkout's config" grep -qx '#vanguards = no' "$D/broadside.conf"
bg_start "$T/off.log" $BROADSIDE --data "$D" serve --tor-config-append "$T/tor-append"
wait_for 20 test -S "$D/run/admin.sock"
check_eq "status --json: off" "$(json vanguards.state)" off
check "status: off" bash -c "$BROADSIDE --data $D status | grep -q '^vanguards  *off'"
check "tor keeps Sandbox 1 without vanguards" grep -qx 'Sandbox 1' "$D/tor/torrc"
check "no vanguards.conf" test ! -e "$D/vanguards/vanguards.conf"
kill "$BG_PID"; wait "$BG_PID" 2>/dev/null

printf 'vanguards = yes\n' >>"$D/broadside.conf"
bg_start "$T/on.log" $BROADSIDE --data "$D" serve --tor-config-append "$T/tor-append"
wait_for 20 test -S "$D/run/admin.sock"
check_eq "status --json: waiting for tor" "$(json vanguards.state)" "waiting for tor"
check_eq "status --json: its own layers" "$(json vanguards.layers)" own
check "status: waiting" bash -c "$BROADSIDE --data $D status | grep -q '^vanguards  *waiting for tor'"
check "vanguards/vanguards.conf is 0600" test "$(stat -c %a "$D/vanguards/vanguards.conf")" = 600
check "vanguards/ is 0700" test "$(stat -c %a "$D/vanguards")" = 700
check "tor runs without Sandbox 1 (SETCONF would kill it)" bash -c "test -s $D/tor/torrc && ! grep -qx 'Sandbox 1' $D/tor/torrc"
check "… and serve says why" grep -q "without Sandbox 1" "$T/on.log"
# What vanguards makes of our file, through its own config reader (its
# --generate_config writes its settings before it reads --config).
eff_dump() {
  /usr/bin/python3 - "$D/vanguards/vanguards.conf" >"$T/effective.conf" 2>/dev/null <<'PY'
import sys
from vanguards import config, vanguards, bandguards, rendguard
config.apply_config(sys.argv[1])
for m in (config, vanguards, bandguards, rendguard):
    for k in dir(m):
        if k.isupper() and not k.startswith("_"):
            print(k.lower(), "=", getattr(m, k))
PY
}
eff_dump
eff() { sed -n "s/^$1 = //p" "$T/effective.conf"; }
check_eq "vanguards reads its own filtered control socket" "$(eff control_socket)" "$D/tor/ctl-vanguards"
check_eq "… our state file" "$(eff state_file)" "$D/vanguards/state"
check_eq "… not one-shot" "$(eff one_shot_vanguards)" False
check_eq "… logs to stdout" "$(eff logfile)" ""
check_eq "… 3 layer-2 relays" "$(eff num_layer2_guards)" 3
check_eq "… 8 layer-3 relays" "$(eff num_layer3_guards)" 8
check_eq "… bandguards on" "$(eff enable_bandguards)" True
check_eq "… rendguard on" "$(eff enable_rendguard)" True
kill "$BG_PID"; wait "$BG_PID" 2>/dev/null

printf 'vanguards_testnet = yes\n' >>"$D/broadside.conf"
check "serve -n accepts the keys" $BROADSIDE --data "$D" serve -n
bg_start "$T/testnet.log" $BROADSIDE --data "$D" serve --tor-config-append "$T/tor-append"
wait_for 20 test -S "$D/run/admin.sock"
eff_dump
check_eq "vanguards_testnet: 3 layer-2 relays" "$(eff num_layer2_guards)" 3
check_eq "vanguards_testnet: 3 layer-3 relays" "$(eff num_layer3_guards)" 3
kill "$BG_PID"; wait "$BG_PID" 2>/dev/null

# The front's state on a backend.
printf '\x80\x04fake' >"$T/front.state"
check "vanguards-state refused without a backend role" bash -c "! $BROADSIDE --data $D balance vanguards-state $T/front.state 2>$T/err"
check "… and says why" grep -q "only a backend" "$T/err"
FRONT=$($BROADSIDE --data "$T/other" init >/dev/null 2>&1; $BROADSIDE --data "$T/other" address)
$BROADSIDE --data "$D" balance join "$FRONT" >/dev/null 2>&1
echo "not a pickle" >"$T/bad.state"
check "vanguards-state refuses a file that is not a state" bash -c "! $BROADSIDE --data $D balance vanguards-state $T/bad.state 2>$T/err"
check "… and says why" grep -q "not a vanguards state file" "$T/err"
check "vanguards-state takes the front's state on a backend" bash -c "$BROADSIDE --data $D balance vanguards-state $T/front.state >/dev/null"
check "… into balance/vanguards.state, 0600" test "$(stat -c %a "$D/balance/vanguards.state")" = 600
check "… byte for byte" cmp -s "$T/front.state" "$D/balance/vanguards.state"
done_testing
