#!/usr/bin/env bash
# Seizure and mirror drills on the private Tor network (tests/tornet), one network for both drills.
# Seizure drill: appliance A publishes a collection; `backup`; A is stopped and
# its data dir deleted; `restore` into a fresh data dir with the collection's
# files at a new path; serve → the SAME .onion answers through the client's
# SOCKS port, and every file downloaded through tor passes `sha256sum -c` and
# `minisign -V`. Mirror drill: appliance B mirrors A's collection through tor,
# interrupted once and resumed; B's copy verifies; a tampered file served by a
# modified A is caught and quarantined. Prints "# measured:" lines.
source "$(dirname "$0")/lib.sh"

A=$T/a B=$T/b C=$T/coll
mkdir -p "$C/docs"
echo "the leak" >"$C/README.txt"
head -c 2000000 /dev/urandom >"$C/docs/scan.pdf"
head -c 24000000 /dev/urandom >"$C/archive.bin"
printf 'x' >"$C/docs/$(printf 'weird name\001&.txt')"
echo "correct horse battery staple" >"$T/pass"

t0=$(now)
check "private network starts" tornet_start "$NET"
source "$NET/env"
$BROADSIDE --data "$A" init >/dev/null 2>&1
check "A catalogues the collection" $BROADSIDE --data "$A" add "$C" --slug leak --title "The leak" -q
bg_start "$T/a1.log" $BROADSIDE --data "$A" serve --tor-config-append "$NET/service-torrc-append"
A_PID=$BG_PID
ADDR=$($BROADSIDE --data "$A" address)
check "network has a consensus" tornet_wait "$NET"

fetch() { # fetch URLPATH OUT ISOLATION
  curl -sf -m 120 --proxy-user "$3:x" --socks5-hostname "127.0.0.1:$SOCKS_PORT" -o "$2" "http://$ADDR$1"
}
answers() { fetch /m/publisher.pub "$T/pub.try" "$1"; }
check "A's onion answers over SOCKS" retry 300 answers
echo "# measured: network start to A answering: $(since "$t0") s"
fetch /m/publisher.pub "$T/a-publisher.pub" first

# --- seizure drill ---
check "backup" $BROADSIDE --data "$A" backup "$T/identity.bk" --passphrase-file "$T/pass"
kill "$A_PID"
check "A stops" wait_for 30 bash -c "! kill -0 $A_PID 2>/dev/null"
rm -rf "$A"
mkdir -p "$T/newdisk"; mv "$C" "$T/newdisk/coll"; C=$T/newdisk/coll
t_restore=$(now)
check "restore into a fresh data dir, files at a new path" \
  $BROADSIDE --data "$T/a2" restore "$T/identity.bk" --passphrase-file "$T/pass" --data-root "$T/coll=$C"
A=$T/a2
check_eq "same address from the restored keys" "$($BROADSIDE --data "$A" address)" "$ADDR"
bg_start "$T/a2.log" $BROADSIDE --data "$A" serve --tor-config-append "$NET/service-torrc-append"
A_PID=$BG_PID
check "the SAME onion answers after the restore" retry 360 answers
echo "# measured: restore to the same onion answering: $(since "$t_restore") s"
G=$T/got; mkdir -p "$G/files"
for f in SHA256SUMS SHA256SUMS.minisig index.json index.json.minisig; do fetch "/m/leak/$f" "$G/$f" manif; done
check "the restored appliance's key is the one pinned before" cmp -s "$T/pub.try" "$T/a-publisher.pub"
check "minisign -V: SHA256SUMS (through tor)" minisign -V -q -p "$T/a-publisher.pub" -m "$G/SHA256SUMS"
check "minisign -V: index.json (through tor)" minisign -V -q -p "$T/a-publisher.pub" -m "$G/index.json"
getall() { python3 - "$G/index.json" "$ADDR" "$SOCKS_PORT" "$G/files" <<'PY'
import base64, json, os, subprocess, sys, urllib.parse
ix = json.load(open(sys.argv[1], encoding="utf-8"))
for f in ix["files"]:
    raw = base64.b64decode(f["path_base64"]) if "path_base64" in f else f["path"].encode()
    out = os.path.join(sys.argv[4].encode(), raw)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    for attempt in range(5):
        r = subprocess.run([b"curl", b"-sf", b"-m", b"300", b"-C", b"-", b"--socks5-hostname",
                            b"127.0.0.1:" + sys.argv[3].encode(), b"-o", out,
                            b"http://" + sys.argv[2].encode() + b"/f/leak/" + urllib.parse.quote_from_bytes(raw).encode()])
        if r.returncode == 0: break
    else: sys.exit(1)
PY
}
t_dl=$(now)
check "every file downloads through tor" getall
echo "# measured: downloading the collection through tor: $(since "$t_dl") s"
check "every downloaded file passes sha256sum -c" bash -c "cd '$G/files' && sha256sum --quiet -c '$G/SHA256SUMS'"

# --- mirror drill ---
$BROADSIDE --data "$B" init >/dev/null 2>&1
$BROADSIDE --data "$B" mirror "http://$ADDR/c/leak/" --publisher-key "$T/a-publisher.pub" \
  --socks "127.0.0.1:$SOCKS_PORT" -q >"$T/m1.log" 2>&1 &
MP=$!
part() { find "$B/mirrors/.leak.partial" -maxdepth 1 -name '[0-9a-f]*' -size +2000k 2>/dev/null | grep -q .; }
check "B's mirror is under way through tor" wait_for 300 part
kill -TERM $MP; wait $MP 2>/dev/null
check "interrupted mid-file" part
t_m=$(now)
mirror_b() { # a first onion connection may time out: try a few times
  for _ in 1 2 3 4 5; do
    $BROADSIDE --data "$B" mirror "http://$ADDR/c/leak/" --publisher-key "$T/a-publisher.pub" \
      --socks "127.0.0.1:$SOCKS_PORT" -q >>"$T/m2.log" 2>&1 && return 0
    sleep 5
  done
  return 1
}
check "B's mirror resumes and completes" mirror_b
cat "$T/m2.log" | sed 's/^/# /'
check "… it resumed the partial file" grep -q '(1 resumed)' "$T/m2.log"
echo "# measured: mirror resume to complete through tor: $(since "$t_m") s"
check "B's copy passes sha256sum -c" bash -c "cd '$B/mirrors/leak' && sha256sum --quiet -c '$B/manifests/leak/SHA256SUMS'"
check "B's manifest copy passes minisign -V with A's key" minisign -V -q -p "$T/a-publisher.pub" -m "$B/manifests/leak/SHA256SUMS"

# A modified A serves a tampered file under the signed hash.
echo "honest bytes here" >"$C/docs/late.txt"
$BROADSIDE --data "$A" refresh leak -q >/dev/null
m=$(stat -c %Y "$C/docs/late.txt"); echo "forged bytes here" >"$C/docs/late.txt"; touch -d "@$m" "$C/docs/late.txt"
out=$($BROADSIDE --data "$B" mirror "http://$ADDR/c/leak/" --publisher-key "$T/a-publisher.pub" --socks "127.0.0.1:$SOCKS_PORT" -q 2>&1)
echo "$out" | sed 's/^/# /'
check "the tampered file is caught" grep -q "QUARANTINED: docs/late.txt" <<<"$out"
check "… and quarantined" grep -rq "forged bytes here" "$B/mirrors/leak.quarantine"
check "… not in B's copy" test ! -e "$B/mirrors/leak/docs/late.txt"
check "B's copy still verifies" bash -c "cd '$B/mirrors/leak' && sha256sum --quiet --ignore-missing -c '$B/manifests/leak/SHA256SUMS'"

kill "$A_PID"
tornet_stop "$NET"
echo "# measured: whole drill: $(since "$t0") s"
done_testing
