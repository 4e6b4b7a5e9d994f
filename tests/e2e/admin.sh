#!/usr/bin/env bash
# admin: the admin onion on a private Tor network. `broadside admin add-client
# alice` prints a key line; a second client tor with that line in its
# ClientOnionAuthDir (as the operator's machine would have) gets the status page
# and reaches a stand-in sshd on port 22 (admin_ssh_port) through the admin
# onion; the network's ordinary client, without the key, gets neither, while it
# still reaches the readers' site. Prints "# measured:" lines.
source "$(dirname "$0")/lib.sh"

D=$T/data C=$T/coll
# banner SOCKSPORT HOST PORT [ISOLATION]: connect through SOCKS5 and print the
# server's first line; exit 1 if the proxy refuses.
banner() {
  python3 - "$@" <<'PY'
import socket, struct, sys
port, host, dport = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
user = (sys.argv[4] if len(sys.argv) > 4 else "b").encode()
s = socket.create_connection(("127.0.0.1", port), timeout=60)
s.sendall(b"\x05\x01\x02"); assert s.recv(2) == b"\x05\x02"
s.sendall(b"\x01" + bytes([len(user)]) + user + b"\x01x"); assert s.recv(2)[1] == 0
s.sendall(b"\x05\x01\x00\x03" + bytes([len(host)]) + host + struct.pack(">H", dport))
r = s.recv(10)
if len(r) < 2 or r[1] != 0:
    sys.exit(1)
print(s.recv(100).decode(errors="replace").strip())
PY
}

mkdir -p "$C"; printf 'Public record 12.\n' >"$C/rec.txt"
$BROADSIDE --data "$D" init >/dev/null 2>&1
$BROADSIDE --data "$D" add "$C" --slug recs --title "Admin test records" >/dev/null 2>&1
RA=$($BROADSIDE --data "$D" address)
line=$($BROADSIDE --data "$D" admin add-client alice 2>/dev/null)
AA=${line%%:*}.onion
check "a client key line" grep -Eqx '[a-z2-7]{56}:descriptor:x25519:[A-Z2-7]{52}' <<<"$line"
# A stand-in sshd on loopback: it only says hello.
SSHP=$(free_port)
bg_start "$T/sshd.log" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b"SSH-2.0-broadside-test\r\n"); c.close()' "$SSHP"
printf 'admin_ssh_port = %s\n' "$SSHP" >>"$D/broadside.conf"

check "private network starts" tornet_start "$NET"
source "$NET/env"
check "network has a consensus" tornet_wait "$NET"
# The operator's tor: the network's settings plus alice's key.
P2=$(free_port)
mkdir -p "$NET/operator/auth" && chmod 700 "$NET/operator" "$NET/operator/auth"
printf '%s\n' "$line" >"$NET/operator/auth/alice.auth_private"
chmod 600 "$NET/operator/auth/alice.auth_private"
{ cat "$NET/service-torrc-append"
  printf 'DataDirectory %s\nLog notice file %s\nSocksPort 127.0.0.1:%s\nClientOnionAuthDir %s\n' \
    "$NET/operator" "$NET/operator/notice.log" "$P2" "$NET/operator/auth"
} >"$NET/operator/torrc"
_tornet_launch "$NET" operator

t0=$(now)
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --tor-config-append "$NET/service-torrc-append"
check "serve publishes" wait_for 300 published "$D"
check_eq "status names the admin onion" "$(json "$D" admin_onion)" "$AA"
admin_ok() { tor_get "$P2" "$AA" / "$1" | grep -q '<h1>Broadside status</h1>'; }
check "with the key: the status page over the admin onion" retry 300 admin_ok
echo "# measured: serve to admin page with the key: $(since "$t0") s"
page=$(tor_get "$P2" "$AA" / again)
check "… it shows the readers' address and tor published" bash -c 'grep -q "$1" <<<"$2" && grep -q "published" <<<"$2"' _ "$RA" "$page"
ssh_ok() { [ "$(banner "$P2" "$AA" 22 "$1")" = "SSH-2.0-broadside-test" ]; }
check "with the key: port 22 reaches the local sshd" retry 120 ssh_ok
reader_ok() { tor_get "$SOCKS_PORT" "$RA" / "$1" | grep -q 'Admin test records'; }
check "the readers' site answers the keyless client" retry 300 reader_ok
nokey=0
for i in 1 2 3; do tor_get "$SOCKS_PORT" "$AA" / "nokey$i" | grep -q 'Broadside status' && nokey=1; done
check "without the key: no status page (3 tries)" test "$nokey" = 0
check "… because tor cannot decrypt the descriptor without a key" grep -q "requiring client authorization" "$NET/client/notice.log"
check "without the key: no port 22" bash -c "$(declare -f banner); ! banner $SOCKS_PORT $AA 22 k1 >/dev/null 2>&1"
check "the readers' address has no port 22" bash -c "$(declare -f banner); ! banner $P2 $RA 22 r1 >/dev/null 2>&1"
check "the readers' home page is not the status page" bash -c "! curl -s -m 60 --proxy-user r:x --socks5-hostname 127.0.0.1:$SOCKS_PORT http://$RA/ | grep -q 'Broadside status'"
done_testing
