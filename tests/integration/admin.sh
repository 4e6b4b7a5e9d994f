#!/usr/bin/env bash
# admin: the admin onion without the Tor network (tor runs with DisableNetwork
# 1). `broadside admin add-client` writes tor's authorized_clients file and
# prints the client's line (its private key matches the public one, checked
# with python3-cryptography); serve runs the admin block only with clients and
# answers the status page on its own socket, without PROXY lines, and nothing
# of the readers' site there. tests/e2e/admin.sh does the real thing.
. "$(dirname "$0")/../lib.sh"
D=$T/data C=$T/coll
mkdir -p "$C"; echo "hello" >"$C/a.txt"
$BROADSIDE --data "$D" init >/dev/null 2>&1
$BROADSIDE --data "$D" add "$C" --slug demo --title "Demo <b>" >/dev/null 2>&1
printf 'DisableNetwork 1\n' >"$T/tor-append"
json() { $BROADSIDE --data "$D" status --json 2>/dev/null | python3 -c "
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split('.'): v = v[k]
print(v)" "$1" 2>/dev/null; }

check "no clients at first" bash -c "$BROADSIDE --data $D admin clients | grep -q 'admin onion is off'"
line=$($BROADSIDE --data "$D" admin add-client alice 2>"$T/err")
check "add-client prints a client line" grep -Eqx '[a-z2-7]{56}:descriptor:x25519:[A-Z2-7]{52}' <<<"$line"
check_eq "… for the admin onion's address" "${line%%:*}.onion" "$($BROADSIDE --data "$D" admin clients | sed -n 's|^admin onion: http://\(.*\)/$|\1|p')"
check "… which is not the readers' address" test "${line%%:*}.onion" != "$($BROADSIDE --data "$D" address)"
auth=$D/onion/admin/authorized_clients/alice.auth
check "tor's client file" grep -Eqx 'descriptor:x25519:[A-Z2-7]{52}' "$auth"
check_eq "client file 0600, folders 0700" "$(stat -c %a "$auth") $(stat -c %a "$D/onion/admin") $(stat -c %a "$D/onion/admin/authorized_clients")" "600 700 700"
check "the private key matches the public one" python3 -c '
import base64, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization as s
priv = base64.b32decode(sys.argv[1].rsplit(":", 1)[1] + "====")
pub = base64.b32decode(open(sys.argv[2]).read().strip().rsplit(":", 1)[1] + "====")
k = X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
assert k == pub' "$line" "$auth"
check "the private key is not kept" bash -c "! grep -rq '${line##*:}' $D"
check "a second client" $BROADSIDE --data "$D" admin add-client bob
check "a duplicate name is refused" bash -c "! $BROADSIDE --data $D admin add-client alice 2>/dev/null"
check "a bad name is refused" bash -c "! $BROADSIDE --data $D admin add-client '../x' 2>/dev/null"
check_eq "clients listed" "$($BROADSIDE --data "$D" admin clients | tail -n +2 | sort | tr '\n' ' ')" "alice bob "
check "rm-client" $BROADSIDE --data "$D" admin rm-client bob
check "rm-client of nobody fails" bash -c "! $BROADSIDE --data $D admin rm-client bob 2>/dev/null"

printf 'admin_ssh_port = 2222\n' >>"$D/broadside.conf"
PORT=$(free_port)
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --listen "127.0.0.1:$PORT" --tor-config-append "$T/tor-append"
SERVE=$BG_PID
AS=$D/run/admin-http.sock
check "admin socket up" wait_for 30 test -S "$AS"
check "torrc: the admin block" bash -c "grep -q '^HiddenServiceDir $D/onion/admin$' $D/tor/torrc && grep -q '^HiddenServicePort 80 unix:$AS$' $D/tor/torrc"
check "torrc: ssh forwarded to loopback" grep -q '^HiddenServicePort 22 127.0.0.1:2222$' "$D/tor/torrc"
check "torrc: circuit ids only on the readers' service" test "$(grep -c ExportCircuitID "$D/tor/torrc")" = 1
check_eq "status: admin onion" "$(json admin_onion)" "${line%%:*}.onion"
check_eq "status: one client" "$(json admin_clients)" 1
page=$(curl -s -D "$T/h" --unix-socket "$AS" http://x/)
check "the status page, without a PROXY line" grep -q '<h1>Broadside status</h1>' <<<"$page"
check "… with the readers' address in it" grep -q "$($BROADSIDE --data "$D" address)" <<<"$page"
check "… no-store, CSP" bash -c "grep -qi '^Cache-Control: no-store' $T/h && grep -qi '^Content-Security-Policy:' $T/h"
check "… no script" bash -c '! grep -qi "<script" <<<"$1"' _ "$page"
check_eq "stylesheet there" "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$AS" http://x/static/style.css)" 200
check_eq "no collection there" "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$AS" http://x/c/demo/)" 404
check_eq "no file there" "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$AS" http://x/f/demo/a.txt)" 404
check_eq "POST refused" "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$AS" -d x http://x/)" 405
check_eq "readers' preview unchanged" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/c/demo/")" 200
check_eq "readers' preview has no admin page" "$(curl -s "http://127.0.0.1:$PORT/" | grep -c 'Broadside status')" 0
kill "$SERVE"; wait "$SERVE" 2>/dev/null

# No clients: no admin block, no admin socket.
$BROADSIDE --data "$D" admin rm-client alice 2>/dev/null
rm -f "$AS"
bg_start "$T/serve2.log" $BROADSIDE --data "$D" serve --tor-config-append "$T/tor-append"
SERVE=$BG_PID
tor_up() { [ "$(json tor.pid)" -gt 0 ] 2>/dev/null; }
check "serve with no clients runs tor" wait_for 30 tor_up
check "… without the admin block" bash -c "! grep -q onion/admin $D/tor/torrc"
check "… or its socket" test ! -e "$AS"
kill "$SERVE"; wait "$SERVE" 2>/dev/null
done_testing
