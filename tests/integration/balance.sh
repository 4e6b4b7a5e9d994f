#!/usr/bin/env bash
# balance: the Onionbalance roles without the Tor network (tor runs with
# DisableNetwork 1). `broadside balance` checks what it is given; a front's
# spawner writes tor/onionbalance.yaml (at its start and before each start of
# onionbalance, from DIR/balance: tor_orders.sh shows serve cannot choose it),
# serve runs tor with onion/instance as an Onionbalance instance, follows
# `balance add/rm` while it runs, and waits for tor's consensus before it
# starts onionbalance; a backend's
# tor gets HiddenServiceOnionbalanceInstance and ob_config; backup and restore
# carry the role. tests/e2e/balance.sh does the real thing on a private network.
. "$(dirname "$0")/../lib.sh"
command -v onionbalance >/dev/null || { echo "onionbalance missing (scripts/deps.sh)"; exit 1; }

F=$T/front B=$T/back C=$T/coll
mkdir -p "$C"; echo "hello" >"$C/a.txt"
$BROADSIDE --data "$F" init >/dev/null 2>&1
$BROADSIDE --data "$B" init >/dev/null 2>&1
FA=$($BROADSIDE --data "$F" address) BA=$($BROADSIDE --data "$B" address)
addr() { python3 -c '
import hashlib, base64, sys
pk = bytes([int(sys.argv[1])]) * 32
c = hashlib.sha3_256(b".onion checksum" + pk + b"\x03").digest()[:2]
print(base64.b32encode(pk + c + b"\x03").decode().lower() + ".onion")' "$1"; }
X1=$(addr 1) X2=$(addr 2)
printf 'DisableNetwork 1\n' >"$T/tor-append"
json() { # json KEY.PATH DIR
  $BROADSIDE --data "$2" status --json 2>/dev/null | python3 -c "
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split('.'): v = v[int(k)] if isinstance(v, list) else v[k]
print(v)" "$1" 2>/dev/null
}

# --- the commands ---
out=$($BROADSIDE --data "$F" balance ls)
check "ls: no role at first" grep -q "role: none" <<<"$out"
check "add refuses a bad address" bash -c "! $BROADSIDE --data $F balance add not-an-onion 2>$T/err"
check "… and says why" grep -q "not a v3 onion address" "$T/err"
check "add refuses a bad checksum" bash -c "! $BROADSIDE --data $F balance add ${X1:0:55}a.onion 2>/dev/null"
check "add refuses the front's own address" bash -c "! $BROADSIDE --data $F balance add $FA 2>$T/err"
check "… and says why" grep -q "own address" "$T/err"
check "add a backend" $BROADSIDE --data "$F" balance add "$BA" back-1
check "add another" $BROADSIDE --data "$F" balance add "${X1%.onion}"
check "add refuses a duplicate" bash -c "! $BROADSIDE --data $F balance add $BA 2>/dev/null"
out=$($BROADSIDE --data "$F" balance ls)
check "ls: front with both" bash -c "grep -q 'role: front for $FA' <<<'$out' && grep -q '$BA back-1' <<<'$out' && grep -q '$X1' <<<'$out'"
check "a front cannot join" bash -c "! $BROADSIDE --data $F balance join $X2 2>/dev/null"
check "join refuses our own address" bash -c "! $BROADSIDE --data $B balance join $BA 2>/dev/null"
check "backend joins the front" $BROADSIDE --data "$B" balance join "$FA"
check "ls: backend" bash -c "$BROADSIDE --data $B balance ls | grep -q 'role: backend of $FA'"
check_eq "balance files are 0600" "$(stat -c %a "$F/balance/backends" "$B/balance/front" | sort -u)" 600
printf '%s\nbogus line here\n' "$BA" >"$T/bad"
cp "$F/balance/backends" "$T/good"; cp "$T/bad" "$F/balance/backends"
check "serve -n finds a bad backends line" bash -c "! $BROADSIDE --data $F serve -n >/dev/null 2>&1"
check "a bad backends line stops serve" bash -c "! $BROADSIDE --data $F serve --tor-config-append $T/tor-append 2>$T/err"
check "… with file:line" grep -q "balance/backends:2:" "$T/err"
cp "$T/good" "$F/balance/backends"

# --- a front's serve ---
printf 'balance_testnet = yes\n' >>"$F/broadside.conf"
bg_start "$T/front.log" $BROADSIDE --data "$F" serve --tor-config-append "$T/tor-append"
FRONT_PID=$BG_PID
ob_waiting() { [ "$(json balance.onionbalance.state "$F")" = "waiting for tor" ]; }
check "front: onionbalance waits for tor's consensus" wait_for 60 ob_waiting
check_eq "status: role front" "$(json balance.role "$F")" front
check_eq "status: front address" "$(json balance.front "$F")" "$FA"
IA=$(json balance.instance "$F")
check "status: this appliance's instance" grep -Eqx '[a-z2-7]{56}\.onion' <<<"$IA"
check "instance differs from the front" test "$IA" != "$FA"
check_eq "status: backends" "$(json balance.backends.0.address "$F") $(json balance.backends.0.name "$F")" "$BA back-1"
check "torrc runs the instance, not the front key" bash -c "grep -q 'HiddenServiceDir $F/onion/instance' $F/tor/torrc && ! grep -q 'onion/public' $F/tor/torrc"
check "… as an Onionbalance instance" grep -q '^HiddenServiceOnionbalanceInstance 1$' "$F/tor/torrc"
check_eq "ob_config names the front" "$(cat "$F/onion/instance/ob_config")" "MasterOnionAddress $FA"
Y=$F/tor/onionbalance.yaml
check "no YAML in run/ (serve can write there)" test ! -e "$F/run/onionbalance.yaml"
check "yaml: the front key" grep -q "key: '$F/onion/public/hs_ed25519_secret_key'" "$Y"
check "yaml: this appliance first" grep -q "address: ${IA%.onion}" "$Y"
check "yaml: the backends" bash -c "grep -q 'address: ${BA%.onion}' $Y && grep -q 'name: back-1' $Y && grep -q 'address: ${X1%.onion}' $Y"
check_eq "yaml is 0600" "$(stat -c %a "$Y")" 600
$BROADSIDE --data "$F" balance rm "${X1}" >/dev/null
# serve follows (the spawner writes the YAML again when onionbalance restarts).
nbackends() { $BROADSIDE --data "$F" status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["balance"]["backends"]))'; }
one_backend() { [ "$(nbackends)" = 1 ]; }
check "rm while serving: serve follows" wait_for 20 one_backend
check_eq "status: one backend" "$(json balance.backends.0.address "$F")" "$BA"
$BROADSIDE --data "$F" balance add "$X2" >/dev/null
has_x2() { [ "$(json balance.backends.1.address "$F")" = "$X2" ]; }
check "add while serving: serve follows" wait_for 20 has_x2
mv "$F/balance/backends" "$T/backends.saved"
role_warned() { grep -q "restart serve to apply it" "$T/front.log"; }
check "a role change while serving is logged, not applied" wait_for 20 role_warned
check_eq "… still a front" "$(json balance.role "$F")" front
mv "$T/backends.saved" "$F/balance/backends"
cp "$F/balance/backends" "$T/backends.good"
printf 'not-an-onion\n' >>"$F/balance/backends"
bad_logged() { grep -q "backends:3: 'not-an-onion'.*keeps its last configuration" "$T/front.log"; }
check "a bad edit while serving is logged" wait_for 20 bad_logged
sleep 5
check_eq "… once, not every few seconds" "$(grep -c "keeps its last configuration" "$T/front.log")" 1
check_eq "… and the running list is kept" "$(nbackends)" 2
cp "$T/backends.good" "$F/balance/backends"
txt=$($BROADSIDE --data "$F" status)
check "status text shows the front" grep -q "front for 2 backends" <<<"$txt"
kill "$FRONT_PID"; wait "$FRONT_PID" 2>/dev/null

# serve here = no: tor runs no service at all.
printf 'balance_serve_here = no\n' >>"$F/broadside.conf"
bg_start "$T/front2.log" $BROADSIDE --data "$F" serve --tor-config-append "$T/tor-append"
FRONT_PID=$BG_PID
check "serve_here = no: serve runs" wait_for 60 ob_waiting
check "… tor runs no onion service" bash -c "! grep -q HiddenService $F/tor/torrc"
check_eq "… no instance in status" "$(json balance.instance "$F")" None
kill "$FRONT_PID"; wait "$FRONT_PID" 2>/dev/null

# --- a backend's serve ---
bg_start "$T/back.log" $BROADSIDE --data "$B" serve --tor-config-append "$T/tor-append"
BACK_PID=$BG_PID
tor_up() { [ -n "$(json tor.pid "$B")" ] && [ "$(json tor.pid "$B")" != 0 ]; }
check "backend: tor runs" wait_for 60 tor_up
check "backend torrc: our key, as an instance" bash -c "grep -q 'HiddenServiceDir $B/onion/public' $B/tor/torrc && grep -q '^HiddenServiceOnionbalanceInstance 1$' $B/tor/torrc"
check_eq "backend ob_config" "$(cat "$B/onion/public/ob_config")" "MasterOnionAddress $FA"
check_eq "status: role backend" "$(json balance.role "$B")" backend
check_eq "status: its front" "$(json balance.front "$B")" "$FA"
check_eq "no onionbalance on a backend" "$(json balance.onionbalance "$B")" None
check "join another front while serving" $BROADSIDE --data "$B" balance join "$X1"
front_warned() { grep -q "front in .* is now $X1 (was $FA); restart serve to apply it" "$T/back.log"; }
check "a new front while serving is logged, not applied" wait_for 20 front_warned
sleep 5
check_eq "… once, not every few seconds" "$(grep -c "restart serve to apply it" "$T/back.log")" 1
check_eq "… status still shows the running front" "$(json balance.front "$B")" "$FA"
check_eq "… and ob_config is kept" "$(cat "$B/onion/public/ob_config")" "MasterOnionAddress $FA"
kill "$BACK_PID"; wait "$BACK_PID" 2>/dev/null
bg_start "$T/back1.log" $BROADSIDE --data "$B" serve --tor-config-append "$T/tor-append"
BACK_PID=$BG_PID
check "backend restarted: tor runs" wait_for 60 tor_up
check_eq "… with the new front" "$(json balance.front "$B")" "$X1"
check_eq "… in ob_config" "$(cat "$B/onion/public/ob_config")" "MasterOnionAddress $X1"
kill "$BACK_PID"; wait "$BACK_PID" 2>/dev/null
check "leave" $BROADSIDE --data "$B" balance leave
bg_start "$T/back2.log" $BROADSIDE --data "$B" serve --tor-config-append "$T/tor-append"
BACK_PID=$BG_PID
check "after leave: tor runs" wait_for 60 tor_up
check "after leave: no instance line, no ob_config" bash -c "! grep -q Onionbalance $B/tor/torrc && test ! -e $B/onion/public/ob_config"
kill "$BACK_PID"; wait "$BACK_PID" 2>/dev/null

# --- backup and restore carry the front's role ---
printf 'pass phrase for the test\n' >"$T/pass"
check "backup the front" $BROADSIDE --data "$F" backup "$T/f.bak" --passphrase-file "$T/pass"
check "restore it elsewhere" $BROADSIDE --data "$T/again" restore "$T/f.bak" --passphrase-file "$T/pass"
check "the restored front has its backends" bash -c "$BROADSIDE --data $T/again balance ls | grep -q '$BA back-1'"
check_eq "… and the same address" "$($BROADSIDE --data "$T/again" address)" "$FA"
done_testing
