#!/usr/bin/env bash
# serve follows the collections it mirrors (serve/mirror_sched.c), on loopback
# through tests/socks5.py (a fake .onion name mapped to origin A, 2 MB/s):
# mirror_interval 2s with 25% jitter: each next run is due 1.5-2.5 s after the
# last ended, and the gaps differ; a file A adds is served by B after B's next
# run; while a run fetches a slow new version, B keeps serving the old one
# whole (old manifests, old bytes of a changed file, the new file not yet);
# a run that fails (a tampered file, A gone) leaves the installed version and
# shows the error, and the lag behind A's newest version, in `status --json`.
# Bad mirror_* values stop `serve -n` with file:line.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll
ONION=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion
mkdir -p "$C"
echo "hello" >"$C/a.txt"
echo "version one of a changing file" >"$C/changing.txt"
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$B" init >/dev/null 2>&1
$BROADSIDE --data "$A" add "$C" --slug demo --title "Demo" -q >/dev/null
PA=$(free_port)
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$PA --no-tor
APID=$BG_PID
check "A answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PA/
bg_start "$T/proxy.out" python3 "$TOP/tests/socks5.py" "$T/proxy.port" "$T/proxy.log" \
  --map "$ONION=127.0.0.1:$PA" --rate 2000000
wait_for 10 test -s "$T/proxy.port"; SP=$(cat "$T/proxy.port")
check "the first mirror, by hand" $BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" \
  --publisher-key "$A/keys/publisher.pub" --socks 127.0.0.1:$SP -q

# Bad values are named with file:line.
cp "$B/broadside.conf" "$T/good.conf"
echo "mirror_interval = often" >>"$B/broadside.conf"
out=$($BROADSIDE --data "$B" serve -n 2>&1)
check "serve -n: a bad mirror_interval is named with file:line" grep -q "broadside.conf:[0-9]*: mirror_interval" <<<"$out"
cp "$T/good.conf" "$B/broadside.conf"
echo "mirror_max_manifest_size = 10" >>"$B/broadside.conf"
check "… and a manifest cap below 4096" grep -q "broadside.conf:[0-9]*: mirror_max_manifest_size" \
  <<<"$($BROADSIDE --data "$B" serve -n 2>&1)"
cp "$T/good.conf" "$B/broadside.conf"
printf 'mirror_interval = 2s\nmirror_jitter = 25\nmirror_socks = 127.0.0.1:%s\n' "$SP" >>"$B/broadside.conf"

PB=$(free_port)
bg_start "$T/b.log" $BROADSIDE --data "$B" serve --listen 127.0.0.1:$PB --no-tor
UB=http://127.0.0.1:$PB
check "B answers" wait_for 20 curl -sf -o /dev/null $UB/
st() { $BROADSIDE --data "$B" status --json; }
m() { st | python3 -c "import json,sys; m=json.load(sys.stdin)['mirrors'][0]; print(m$1)"; }
check "status lists the mirror" grep -q '"mirrors":\[{"slug":"demo"' <<<"$(st)"

# Interval and jitter: sample each (end of a run, its next run) pair.
python3 - "$BROADSIDE" "$B" >"$T/gaps" <<'PY'
import json, subprocess, sys, time
seen, end = {}, time.time() + 14
while time.time() < end and len(seen) < 4:
    s = json.loads(subprocess.run([sys.argv[1], "--data", sys.argv[2], "status", "--json"],
                                  capture_output=True, text=True).stdout)["mirrors"][0]
    if s["state"] == "waiting" and s["run_ended_ms"] and s["next_run_ms"]:
        seen[s["run_ended_ms"]] = s["next_run_ms"] - s["run_ended_ms"]
    time.sleep(0.1)
print(" ".join(str(v) for v in seen.values()))
PY
echo "# gaps between a run's end and the next run, ms: $(cat "$T/gaps")"
check "four scheduled runs seen" test "$(wc -w <"$T/gaps")" -ge 4
check "each next run is due 1.5-2.5 s after the last ended" \
  python3 -c "import sys; g=[int(x) for x in open('$T/gaps').read().split()]; sys.exit(not all(1500 <= x <= 2500 for x in g))"
check "… and the gaps differ (jitter)" test "$(tr ' ' '\n' <"$T/gaps" | sort -u | wc -l)" -ge 2
check_eq "the runs succeed: no error" "$(m "['last_error']")" None
check "… and B records when" test "$(m "['last_success']")" -gt 0

# A adds a file: B serves it after its next run.
V0=$(m "['installed']")
echo "new" >"$C/new.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null
t0=$(date +%s.%N)
check "B serves A's new file after its next run" wait_for 15 curl -sf -o /dev/null $UB/f/demo/new.txt
echo "# A's refresh → B serves new.txt: $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
check "… with A's new version installed" test "$(m "['installed']")" != "$V0"
check_eq "… not behind" "$(m "['behind']")" False
# One scheduled re-run with nothing changed, and one with a new file, from serve's own clock.
wait_for 10 bash -c "[ \"\$($BROADSIDE --data '$B' status --json | grep -o '\"state\":\"[a-z]*\"' | head -1)\" = '\"state\":\"waiting\"' ]"
echo "# one scheduled run, nothing changed: $(grep -A3 ', 0 fetched' "$T/b.log" | grep -o 'done in [0-9.]* s' | tail -1)"

# While a slow new version is fetched, readers get the old one whole.
head -c 12000000 /dev/urandom >"$C/big.bin"
echo "version two of the changing file, longer" >"$C/changing.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null
V1=$(m "['installed']")
cp "$B/manifests/demo/SHA256SUMS" "$T/old-sums"
check "a run starts fetching big.bin" wait_for 10 bash -c "ls '$B/mirrors/.demo.partial' | grep -q '^[0-9a-f]\{64\}$'"
check_eq "… B still serves the old bytes of changing.txt" "$(curl -s $UB/f/demo/changing.txt)" "version one of a changing file"
check_eq "… not big.bin yet" "$(curl -s -o /dev/null -w '%{http_code}' $UB/f/demo/big.bin)" 404
check "… and the old signed SHA256SUMS" cmp -s <(curl -s $UB/m/demo/SHA256SUMS) "$T/old-sums"
check_eq "… status says running" "$(m "['state']")" running
check "the new version arrives" wait_for 60 curl -sf -o /dev/null $UB/f/demo/big.bin
check "… with the new bytes of changing.txt" wait_for 10 bash -c "[ \"\$(curl -s $UB/f/demo/changing.txt)\" = 'version two of the changing file, longer' ]"
check "… and its signed SHA256SUMS verifies B's files" wait_for 10 bash -c "curl -s $UB/m/demo/SHA256SUMS >'$T/s' && cd '$B/mirrors/demo' && sha256sum --quiet -c '$T/s'"

# A failed run (a tampered file) keeps the installed version and says so.
wait_for 10 bash -c "[ \"\$($BROADSIDE --data '$B' status --json | grep -o '\"state\":\"[a-z]*\"' | head -1)\" = '\"state\":\"waiting\"' ]"
echo "# one scheduled run with a new 12 MB file (2 MB/s proxy): $(grep -A3 ' 2 fetched' "$T/b.log" | grep -o 'done in [0-9.]* s' | head -1)"
V2=$(m "['installed']")
echo "to be tampered" >"$C/t.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null
check "A serves t.txt" wait_for 5 curl -sf -o /dev/null http://127.0.0.1:$PA/f/demo/t.txt
mt=$(stat -c %Y "$C/t.txt"); echo "TO BE TAMPERED" >"$C/t.txt"; touch -d "@$mt" "$C/t.txt"
check "a run reports the incomplete version" wait_for 15 bash -c "$BROADSIDE --data '$B' status --json | grep -q '\"last_error\":\"incomplete'"
check_eq "… keeps the installed version" "$(m "['installed']")" "$V2"
check_eq "… is behind A's newest" "$(m "['behind']")" True
check_eq "… t.txt not served" "$(curl -s -o /dev/null -w '%{http_code}' $UB/f/demo/t.txt)" 404
check_eq "… big.bin still served" "$(curl -s $UB/f/demo/big.bin | sha256sum)" "$(sha256sum <"$C/big.bin")"
out=$($BROADSIDE --data "$B" status)
check "status (text) shows the mirror's error" grep -q "last error       incomplete" <<<"$out"
check "… and the lag" grep -q "behind by" <<<"$out"
# A is gone: runs fail, B keeps serving.
kill $APID; wait $APID 2>/dev/null
check "with A gone, a run reports it" wait_for 15 bash -c "$BROADSIDE --data '$B' status --json | grep -q '\"last_error\":\"cannot fetch the manifests'"
check_eq "… B still serves" "$(curl -s $UB/f/demo/new.txt)" "new"
check_eq "… the same version" "$(m "['installed']")" "$V2"
check "serve logs each failed run" grep -q "run [0-9]* failed (exit status 1); the installed version is still served" "$T/b.log"
done_testing
