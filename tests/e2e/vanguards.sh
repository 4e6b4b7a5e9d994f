#!/usr/bin/env bash
# vanguards: serve with `vanguards = yes` on the private Tor network. The
# onion is published and a reader downloads a file (sha256 checked);
# `status --json` shows vanguards running; tor's HSLayer2Nodes/HSLayer3Nodes
# are set (read through the test's own control connection, with stem);
# kill -9 of vanguards → serve restarts it, the layers stay the same (its state
# file). The network has 3 relays, so vanguards_testnet pins 2 + 2 (and its
# authorities vote every relay Fast and Stable, tests/tornet/tornet.sh).
# Debian's python3 for stem: the one in PATH may be another.
source "$(dirname "$0")/lib.sh"
command -v vanguards >/dev/null || { echo "vanguards missing (scripts/deps.sh test)"; exit 1; }

D=$T/data C=$T/coll
mkdir -p "$C"
head -c 3000000 /dev/urandom >"$C/file.bin"
$BROADSIDE --data "$D" init >/dev/null
$BROADSIDE --data "$D" add "$C" --slug v --title "Vanguards test" >/dev/null 2>&1
printf 'vanguards = yes\nvanguards_testnet = yes\n' >>"$D/broadside.conf"
ADDR=$($BROADSIDE --data "$D" address)

# tor's value of an option, through a control connection of our own.
tor_conf() { # tor_conf OPTION
  /usr/bin/python3 - "$D/run/control" "$1" <<'PY' 2>/dev/null
import sys
from stem.control import Controller
with Controller.from_socket_file(sys.argv[1]) as c:
    c.authenticate()
    print(c.get_conf(sys.argv[2]) or "")
PY
}
layers_set() { # two relay fingerprints in each layer
  local l2 l3
  l2=$(tor_conf HSLayer2Nodes) l3=$(tor_conf HSLayer3Nodes)
  grep -Eqx '\$?[0-9A-F]{40}(,\$?[0-9A-F]{40})+' <<<"$l2" &&
    grep -Eqx '\$?[0-9A-F]{40}(,\$?[0-9A-F]{40})+' <<<"$l3"
}
running() { [ "$(json "$D" vanguards.state)" = running ]; }

check "private network starts" tornet_start "$NET"
source "$NET/env"
check "network has a consensus" tornet_wait "$NET"

t0=$(now)
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --tor-config-append "$NET/service-torrc-append"
check "status reaches published" wait_for 240 published "$D"
echo "# measured: serve to published with vanguards: $(since "$t0") s"
check "status --json: vanguards running" wait_for 30 running
VP=$(json "$D" vanguards.pid)
check "status --json: vanguards pid" test "${VP:-0}" -gt 0
check "tor's HSLayer2Nodes and HSLayer3Nodes are set" wait_for 60 layers_set
L2=$(tor_conf HSLayer2Nodes) L3=$(tor_conf HSLayer3Nodes)
check "vanguards' state file under the data dir" test -s "$D/vanguards/state"
check "vanguards connected (its log line)" grep -q "vanguards: .*connected to Tor" "$T/serve.log"

sum=$(sha256sum "$C/file.bin" | cut -d' ' -f1)
dl() { get /f/v/file.bin "$1" -o "$T/got.bin" && [ "$(sha256sum <"$T/got.bin" | cut -d' ' -f1)" = "$sum" ]; }
t1=$(now)
check "a reader downloads a file through the onion" retry 180 dl
echo "# measured: published to a 3 MB download done: $(since "$t1") s"

kill -9 "$VP"
new_pid() { p=$(json "$D" vanguards.pid); [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$VP" ]; }
check "serve restarts vanguards after kill -9" wait_for 30 new_pid
check_eq "restart counted" "$(json "$D" vanguards.restarts)" 1
check "status --json names the last error" bash -c "$BROADSIDE --data $D status --json | grep -q 'killed by signal 9'"
check "running again" wait_for 30 running
sleep 3   # it re-applies the layers from its state once connected
check_eq "the same layer-2 relays after the restart (state file)" "$(tor_conf HSLayer2Nodes)" "$L2"
check_eq "the same layer-3 relays after the restart" "$(tor_conf HSLayer3Nodes)" "$L3"
check "a reader still downloads" retry 120 dl
check "no traceback from vanguards" bash -c "! grep -q Traceback $T/serve.log"
done_testing
