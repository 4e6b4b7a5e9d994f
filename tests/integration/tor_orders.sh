#!/usr/bin/env bash
# tor_orders: tor takes orders only from its supervisor. A sandboxed serve
# runs the BROADSIDE_TOR_PROBE hook (onion/torprobe.h), which plays a
# compromised server: it writes the torrc and a front's onionbalance YAML
# (then asks the spawner to start onionbalance), reads tor's cookie, connects to
# tor's control socket, asks the spawner for a control connection and sends
# SETCONF HiddenServicePort / UseBridges, ADD_ONION, SETEVENTS beyond serve's,
# TAKEOWNERSHIP/DROPOWNERSHIP, AUTHCHALLENGE, LOADCONF, a pipelined SETCONF,
# and asks the spawner to start tor with --UseBridges 1 --Bridge ... Each is
# refused (and the filter logs it), and tor's running configuration, read by
# this test over its own unfiltered control connection, is unchanged.
# tor runs with DisableNetwork 1: it never dials anything.
. "$(dirname "$0")/../lib.sh"

D=$T/data C=$T/coll
mkdir -p "$C"
echo "published" >"$C/a.txt"
$BROADSIDE --data "$D" init >/dev/null
$BROADSIDE --data "$D" add "$C" --slug demo --title Demo >/dev/null 2>&1
printf 'DisableNetwork 1\n' >"$T/tor-append"
# A front of Onionbalance with one backend; onionbalance is the real one behind
# a wrapper that keeps a copy of the YAML it was started with.
$BROADSIDE --data "$T/back" init >/dev/null 2>&1
BACK=$($BROADSIDE --data "$T/back" address)
$BROADSIDE --data "$D" balance add "$BACK" back-1 >/dev/null
cat >"$T/ob-spy" <<EOF
#!/bin/sh
prev=
for a; do [ "\$prev" = -c ] && cp "\$a" "$T/ob-seen.yaml"; prev=\$a; done
exec $(command -v onionbalance) "\$@"
EOF
chmod +x "$T/ob-spy"
echo "onionbalance_path = $T/ob-spy" >>"$D/broadside.conf"
ll_abi=$(python3 -c 'import ctypes; print(max(ctypes.CDLL(None).syscall(444, None, 0, 1), 0))')

# tor in a group of its own (the image's firewall lets only that group out):
# needs CAP_SETGID, so only when this test runs as root.
if [ "$(id -u)" = 0 ] && getent group nogroup >/dev/null; then
  echo "tor_group = nogroup" >>"$D/broadside.conf"
fi

PORT=$(free_port)
bg_start "$T/serve.log" env BROADSIDE_TOR_PROBE=1 $BROADSIDE --data "$D" serve \
  --listen 127.0.0.1:$PORT --tor-config-append "$T/tor-append"
SERVE_PID=$BG_PID
check "the probe ran inside the sandboxed server" wait_for 60 grep -q 'tor probe: done' "$T/serve.log"
log=$(grep 'tor probe: \|control filter' "$T/serve.log")
echo "$log" | sed 's/^/# /'

# --- files --------------------------------------------------------------------
check "no torrc was writable from serve" bash -c "! grep -q 'tor probe: write .*: ALLOWED' <<<\"\$1\"" _ "$log"
check "tor's cookie was not readable from serve" bash -c "! grep -q 'tor probe: read .*: ALLOWED' <<<\"\$1\"" _ "$log"
if [ "$ll_abi" -gt 0 ]; then
  check "the torrc is outside serve's Landlock rules" grep -q 'tor probe: write tor/torrc: Permission denied' <<<"$log"
fi
check "the torrc holds no bridge" bash -c "! grep -qi 'bridge' '$D/tor/torrc'"
check "tor's own control socket is out of reach (no socket())" \
  bash -c "! grep -q 'tor probe: connect .*: ALLOWED' <<<\"\$1\"" _ "$log"

# --- a front's onionbalance YAML --------------------------------------------------
if [ "$ll_abi" -gt 0 ]; then
  check "onionbalance's YAML is outside serve's Landlock rules" \
    grep -q 'tor probe: yaml tor/onionbalance.yaml: Permission denied' <<<"$log"
fi
check "serve's start of onionbalance was carried out" grep -q 'tor probe: start onionbalance: STARTED' <<<"$log"
check "onionbalance got a YAML" wait_for 10 test -s "$T/ob-seen.yaml"
sed 's/^/# ob yaml: /' "$T/ob-seen.yaml" 2>/dev/null
check "… with the operator's backend" grep -q "address: ${BACK%.onion}" "$T/ob-seen.yaml"
check "… and not the one serve wrote" bash -c "! grep -q probeattacker '$T/ob-seen.yaml'"

# --- commands through the filter -------------------------------------------------
check "serve got a control connection (through the filter)" grep -q 'tor probe: control connection: yes' <<<"$log"
ncmd=$(grep -c 'tor probe: command [0-9]* ([A-Z_+]*):' <<<"$log")
nrefused=$(grep -c 'tor probe: command [0-9]* ([A-Z_+]*): 510 ' <<<"$log")
check_eq "13 hostile commands sent" "$ncmd" 13
check_eq "each one answered 510 by the filter" "$nrefused" 13
check "pipelined: GETINFO answered by tor, then SETCONF refused" \
  grep -q 'tor probe: command [0-9]* (pipelined GETINFO + SETCONF): 250.* | 510 ' <<<"$log"
nlogged=$(grep -c 'control filter (serve): refused' "$T/serve.log")
check "each refusal is logged ($nlogged)" [ "$nlogged" -ge 14 ]
check "ADD_ONION refusal names the command" grep -q 'control filter (serve): refused "ADD_ONION' "$T/serve.log"
check "TAKEOWNERSHIP refusal logged" grep -q 'control filter (serve): refused "TAKEOWNERSHIP"' "$T/serve.log"

# --- the spawner --------------------------------------------------------------
check "the spawner did not start tor with serve's arguments" \
  bash -c "! grep -q 'spawn with extra arguments: STARTED' <<<\"\$1\"" _ "$log"
check "no tor runs with a bridge" bash -c "! pgrep -f -- '--UseBridges' | xargs -r -n1 sh -c 'grep -q \"$T\" /proc/\$0/cmdline' 2>/dev/null | grep -q ."
check "no second tor in the probe's data directory" test ! -e "$D/run/probe-tor/lock"

# --- tor's running configuration, over our own control connection ----------------
ctl() { # ctl COMMAND...: tor's answers, one reply per command
  python3 - "$D" "$@" <<'PY'
import os, socket, sys
d = sys.argv[1]
for base in ("tor", "run"):
    path = os.path.join(d, base, "control")
    if os.path.exists(path):
        break
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(path)
cookie = open(path + ".authcookie", "rb").read().hex()
f = s.makefile("rb")
def cmd(c):
    s.sendall(c.encode() + b"\r\n")
    out = []
    while True:
        l = f.readline().decode(errors="replace").rstrip("\r\n")
        out.append(l)
        if len(l) >= 4 and l[3] == " " and not l.startswith("6"):
            return out
assert cmd("AUTHENTICATE " + cookie)[-1].startswith("250")
for c in sys.argv[2:]:
    print("\n".join(cmd(c)))
PY
}
tor_answers() { ctl 'GETINFO version' | grep -q '^250 OK'; }
check "tor still runs, and answers us" wait_for 30 tor_answers
cfg=$(ctl "GETCONF UseBridges" "GETCONF Bridge" "GETCONF HiddenServicePort" \
  "GETCONF __OwningControllerProcess" "GETINFO onions/detached" "GETCONF DisableNetwork")
echo "$cfg" | sed 's/^/# tor: /'
check "UseBridges is still 0" grep -qx '250 UseBridges=0' <<<"$cfg"
check "no Bridge" grep -qx '250 Bridge' <<<"$cfg"
check_eq "HiddenServicePort: only serve's unix socket" \
  "$(grep -c '^250.HiddenServicePort=' <<<"$cfg")" 1
check "… to run/http.sock" grep -q "^250.HiddenServicePort=80 unix:$D/run/http.sock" <<<"$cfg"
check "no onion added" bash -c "! grep -q '^250.onions/detached=.\+' <<<\"\$1\"" _ "$cfg"
tor_pid=$($BROADSIDE --data "$D" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tor"]["pid"])')
owner=$(sed -n 's/^250 __OwningControllerProcess=//p' <<<"$cfg")
check "tor's owner is the spawner" grep -q broadside-spawn "/proc/$owner/comm"
check "tor's command line has no bridge" bash -c "! tr '\0' ' ' </proc/$tor_pid/cmdline | grep -qi bridge"

if grep -q '^tor_group = nogroup' "$D/broadside.conf"; then
  check_eq "tor runs in tor_group" "$(awk '/^Gid:/ {print $2}' /proc/$tor_pid/status)" "$(getent group nogroup | cut -d: -f3)"
  capeff() { printf '%d' "0x$(awk '/^CapEff:/ {print $2}' /proc/$1/status)"; }
  check "serve gave up CAP_SETGID and CAP_SETUID" [ $(( $(capeff $SERVE_PID) & 0xc0 )) -eq 0 ]
  check "the spawner kept CAP_SETGID" [ $(( $(capeff $owner) & 0x40 )) -ne 0 ]
  check "serve's group is not tor's" [ "$(awk '/^Gid:/ {print $2}' /proc/$SERVE_PID/status)" != "$(getent group nogroup | cut -d: -f3)" ]
else
  echo "# not root: tor_group not tried"
fi

# --- serve still works ----------------------------------------------------------------
check "serve survived" kill -0 "$SERVE_PID"
check_eq "files are served" "$(curl -s http://127.0.0.1:$PORT/f/demo/a.txt)" published
check "serve's own commands still pass" bash -c "! grep -q 'tor refused a control command' '$T/serve.log'"
pkill -f -- "$D/run/probe-tor" 2>/dev/null   # only if an old spawner obeyed
done_testing
