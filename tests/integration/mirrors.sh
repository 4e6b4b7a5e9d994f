#!/usr/bin/env bash
# The publisher's signed address list: `mirrors add|rm|ls` (bad addresses
# refused), /m/mirrors.txt checked with the real `minisign -V` (a tampered
# copy fails), "This collection is also at" on every page with the note
# escaped; a mirror (over loopback through tests/socks5.py, as mirror.sh)
# installs the origin's list exactly as signed, serves it and shows it, and
# refuses a tampered or older list while keeping the one it has.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll
ONION=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion
# Real v3 addresses (rend-spec: base32(pubkey | checksum | 03)).
addr() { python3 -c '
import base64, hashlib, sys
pk = hashlib.sha256(sys.argv[1].encode()).digest()
ck = hashlib.sha3_256(b".onion checksum" + pk + b"\x03").digest()[:2]
print(base64.b32encode(pk + ck + b"\x03").decode().lower() + ".onion")' "$1"; }
M1=$(addr one) M2=$(addr two)
mkdir -p "$C"; echo "hello" >"$C/a.txt"
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$B" init >/dev/null 2>&1
$BROADSIDE --data "$A" add "$C" --slug demo --title "Demo" -q >/dev/null
AADDR=$($BROADSIDE --data "$A" address)
PA=$(free_port)
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$PA --no-tor
check "A answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PA/
UA=http://127.0.0.1:$PA
rm -f "$T/p.port"
bg_start "$T/p.out" python3 "$TOP/tests/socks5.py" "$T/p.port" "$T/p.log" --map "$ONION=127.0.0.1:$PA"
wait_for 10 test -s "$T/p.port"; SP=$(cat "$T/p.port")
mirror() { $BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" --publisher-key "$A/keys/publisher.pub" --socks 127.0.0.1:$SP -q "$@"; }

# An origin without a list (as before this feature): mirrored, nothing installed.
out=$(mirror 2>&1); rc=$?
check_eq "mirror of an origin without a list succeeds" "$rc" 0
check "… and installs no list" test ! -e "$B/manifests/demo/mirrors.txt"
check_eq "A without a list: /m/mirrors.txt is 404" "$(curl -s -o /dev/null -w '%{http_code}' $UA/m/mirrors.txt)" 404
check "A's pages say nothing" bash -c "! curl -s $UA/ | grep -q 'also at'"

# add / rm / ls.
check "a bad address is refused" bash -c "! $BROADSIDE --data '$A' mirrors add notanaddress.onion 2>/dev/null"
bad=$(echo "$M1" | sed 's/^./a/; t; s/^a/b/')
[ "$bad" = "$M1" ] && bad=$(echo "$M1" | sed 's/^a/b/')
check "an address with a wrong checksum is refused" bash -c "! $BROADSIDE --data '$A' mirrors add '$bad' 2>/dev/null"
check "a note with a newline is refused" bash -c "! $BROADSIDE --data '$A' mirrors add '$M1' --note \$'a\nb' 2>/dev/null"
check "this site's own address is refused (it is always listed)" bash -c "! $BROADSIDE --data '$A' mirrors add '$AADDR' 2>/dev/null"
check "nothing was written by the refusals" test ! -e "$A/mirrors.txt"
NOTE='<script>alert(1)</script> & "friends"'
check "add M1 with a note" $BROADSIDE --data "$A" mirrors add "$M1" --note "$NOTE"
check "add M2 (without .onion, upper case)" $BROADSIDE --data "$A" mirrors add "$(echo "${M2%.onion}" | tr a-z A-Z)"
ls=$($BROADSIDE --data "$A" mirrors ls)
echo "$ls" | sed 's/^/# /'
check "ls shows this site first" bash -c "head -1 <<<'$ls' | grep -q '^$AADDR  (this site'"
check "ls shows M1 and its note" grep -qF "$M1  $NOTE" <<<"$ls"
check "ls shows M2" grep -q "^$M2\$" <<<"$ls"
check "rm M2" $BROADSIDE --data "$A" mirrors rm "$M2"
check "rm of an address not listed fails" bash -c "! $BROADSIDE --data '$A' mirrors rm '$M2' 2>/dev/null"
check "ls no longer shows M2" bash -c "! $BROADSIDE --data '$A' mirrors ls | grep -q '$M2'"

# Published and verifiable.
G=$T/got; mkdir -p "$G"
curl -sf -o "$G/mirrors.txt" $UA/m/mirrors.txt; curl -sf -o "$G/mirrors.txt.minisig" $UA/m/mirrors.txt.minisig
check "/m/mirrors.txt verifies with minisign -V and A's key" minisign -V -q -p "$A/keys/publisher.pub" -m "$G/mirrors.txt"
check "… its trusted comment names the file and a version" grep -q "^trusted comment: .*file:mirrors.txt.*version:[0-9]*-[0-9]*" "$G/mirrors.txt.minisig"
check "… it lists A first, then M1" bash -c "grep -v '^#' '$G/mirrors.txt' | head -1 | grep -qx '$AADDR origin' && grep -qxF '$M1 $NOTE' '$G/mirrors.txt'"
check "… M2 is gone" bash -c "! grep -q '$M2' '$G/mirrors.txt'"
cp "$G/mirrors.txt" "$G/t.txt"; cp "$G/mirrors.txt.minisig" "$G/t.txt.minisig"
echo "$M2 evil" >>"$G/t.txt"
check "a tampered copy fails minisign -V" bash -c "! minisign -V -q -p '$A/keys/publisher.pub' -m '$G/t.txt' 2>/dev/null"
check_eq "/m/demo/mirrors.txt on the origin is the publisher's list" "$(curl -s $UA/m/demo/mirrors.txt | sha256sum)" "$(sha256sum <"$G/mirrors.txt")"

# Shown on every page, escaped, without the address being viewed.
check "home page shows the list" wait_for 5 bash -c "curl -s $UA/ | grep -q 'This collection is also at'"
page=$(curl -s $UA/c/demo/)
check "folder page links M1" grep -qF "<a href=\"http://$M1/\">$M1</a>" <<<"$page"
check "… and A's own address (viewed at 127.0.0.1)" grep -qF "http://$AADDR/" <<<"$page"
check "… the note escaped" grep -qF '(&lt;script&gt;alert(1)&lt;/script&gt; &amp; "friends")' <<<"$page"
check "… never raw" bash -c "! grep -q '<script' <<<'$(echo "$page" | sed "s/'//g")'"
check "file page shows it" bash -c "curl -s $UA/c/demo/a.txt | grep -qF 'http://$M1/'"
check "error page shows it" bash -c "curl -s $UA/nothing | grep -qF 'http://$M1/'"
check "search page shows it" bash -c "curl -s '$UA/search?q=hello' | grep -qF 'http://$M1/'"
check "the address being viewed (Host) is left out" bash -c "! curl -s -H 'Host: $AADDR' $UA/c/demo/ | grep -qF 'http://$AADDR/'"

# The mirror carries it exactly as signed.
out=$(mirror 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check_eq "mirror with a list succeeds" "$rc" 0
check "… installs A's list as signed" cmp "$G/mirrors.txt" "$B/manifests/demo/mirrors.txt"
check "… and its signature" cmp "$G/mirrors.txt.minisig" "$B/manifests/demo/mirrors.txt.minisig"
PB=$(free_port)
bg_start "$T/b.log" $BROADSIDE --data "$B" serve --listen 127.0.0.1:$PB --no-tor
check "B answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PB/
UB=http://127.0.0.1:$PB
H=$T/gotb; mkdir -p "$H"
curl -sf -o "$H/mirrors.txt" $UB/m/demo/mirrors.txt; curl -sf -o "$H/mirrors.txt.minisig" $UB/m/demo/mirrors.txt.minisig
check "B's /m/demo/mirrors.txt verifies with minisign -V and A's key" minisign -V -q -p "$A/keys/publisher.pub" -m "$H/mirrors.txt"
check_eq "B's /m/mirrors.txt (one mirrored collection) is A's list" "$(curl -s $UB/m/mirrors.txt | sha256sum)" "$(sha256sum <"$G/mirrors.txt")"
page=$(curl -s $UB/c/demo/)
check "B's pages show A's list: A's address" grep -qF "<a href=\"http://$AADDR/\">$AADDR</a> (origin)" <<<"$page"
check "… and M1 with the note escaped" grep -qF "http://$M1/\">$M1</a> (&lt;script&gt;" <<<"$page"
check "… linking the signed list" grep -qF 'href="/m/demo/mirrors.txt"' <<<"$page"
check "B's home page shows it too" bash -c "curl -s $UB/ | grep -qF 'http://$AADDR/'"
check "B viewed as M1 leaves M1 out" bash -c "! curl -s -H 'Host: $M1' $UB/c/demo/ | grep -qF 'http://$M1/'"

# A tampered list on the origin: refused, B keeps what it has.
cp "$A/manifests/_mirrors/mirrors.txt" "$T/v1.txt"; cp "$A/manifests/_mirrors/mirrors.txt.minisig" "$T/v1.minisig"
echo "$M2 added by an attacker" >>"$A/manifests/_mirrors/mirrors.txt"
out=$(mirror 2>&1); rc=$?
check "a tampered list makes the mirror fail" test $rc -ne 0
check "… saying BAD SIGNATURE" grep -q "mirrors.txt: BAD SIGNATURE" <<<"$out"
check "… and B keeps A's signed list" cmp "$G/mirrors.txt" "$B/manifests/demo/mirrors.txt"
check "… M2 never shown on B" bash -c "! curl -s $UB/c/demo/ | grep -q '$M2'"
# A newer list, then the older one again (rollback).
cp "$T/v1.txt" "$A/manifests/_mirrors/mirrors.txt"
$BROADSIDE --data "$A" mirrors add "$M2" --note "second" >/dev/null
out=$(mirror 2>&1); rc=$?
check_eq "the newer list is installed" "$rc" 0
check "… B shows M2 (re-read when it changes)" wait_for 5 bash -c "curl -s $UB/c/demo/ | grep -qF 'http://$M2/'"
cp "$T/v1.txt" "$A/manifests/_mirrors/mirrors.txt"; cp "$T/v1.minisig" "$A/manifests/_mirrors/mirrors.txt.minisig"
out=$(mirror 2>&1); rc=$?
check "an older signed list is refused" test $rc -ne 0
check "… as a rollback" grep -q "mirrors.txt: version .* is older than the installed .*rollback" <<<"$out"
check "… B keeps the newer one" grep -q "$M2 second" "$B/manifests/demo/mirrors.txt"
check "B's copy still verifies against A's key" minisign -V -q -p "$A/keys/publisher.pub" -m "$B/manifests/demo/mirrors.txt"

# The lists outlive the server: in the identity backup, the publisher's and
# the mirror's (whose version stays the anchor against rollback).
echo "correct horse battery staple" >"$T/pass"
check "backup of A" $BROADSIDE --data "$A" backup "$T/a.bk" --passphrase-file "$T/pass"
check "restore of A elsewhere" bash -c "$BROADSIDE --data '$T/ra' restore '$T/a.bk' --passphrase-file '$T/pass' >/dev/null"
check "… mirrors ls shows M1 and M2" bash -c "$BROADSIDE --data '$T/ra' mirrors ls | grep -q '$M1' && $BROADSIDE --data '$T/ra' mirrors ls | grep -q '$M2'"
check "… the signed list verifies" minisign -V -q -p "$A/keys/publisher.pub" -m "$T/ra/manifests/_mirrors/mirrors.txt"
check "backup of B" $BROADSIDE --data "$B" backup "$T/b.bk" --passphrase-file "$T/pass"
check "restore of B elsewhere" bash -c "$BROADSIDE --data '$T/rb' restore '$T/b.bk' --passphrase-file '$T/pass' >/dev/null"
check "… B's copy of A's list is back, as signed" cmp "$B/manifests/demo/mirrors.txt.minisig" "$T/rb/manifests/demo/mirrors.txt.minisig"

# Changes at once are not lost (each holds a lock on the data directory).
pp=()
for k in 1 2 3 4 5 6 7 8; do $BROADSIDE --data "$T/ra" mirrors add "$(addr par$k)" >/dev/null & pp+=($!); done
wait "${pp[@]}"
check_eq "8 adds at once: all 8 listed (with A, M1, M2)" "$($BROADSIDE --data "$T/ra" mirrors ls | wc -l)" 11
check "… and the signed list names them all" bash -c "[ \$(grep -vc '^#' '$T/ra/manifests/_mirrors/mirrors.txt') = 11 ] && minisign -V -q -p '$A/keys/publisher.pub' -m '$T/ra/manifests/_mirrors/mirrors.txt'"
# The list and its signature change together: a watcher that opens the
# published folder and reads both names through it, while the list changes 20
# times, only ever sees pairs that verify (before, the two files were renamed
# one after the other, and a reader in between got a mismatch).
touch "$T/watch.go"
python3 - "$T/ra/manifests" "$T/pairs" 8 >"$T/watch.out" <<'PY' &
import os, sys, time
top, out, end = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
os.makedirs(out); seen, reads = {}, 0
def get(name, fd):
    f = os.open(name, os.O_RDONLY, dir_fd=fd)
    try: return os.read(f, 1 << 20)
    finally: os.close(f)
while time.time() < end and os.path.exists(out + "/../watch.go"):
    try: fd = os.open(top + "/_mirrors", os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError: continue
    try: pair = (get("mirrors.txt", fd), get("mirrors.txt.minisig", fd))
    except FileNotFoundError: continue   # a replaced folder, emptied: gone, not mixed
    finally: os.close(fd)
    reads += 1
    if reads == 1: open(out + "/../watch.ready", "w").close()
    if pair not in seen:
        i = len(seen); seen[pair] = i
        open("%s/%d.txt" % (out, i), "wb").write(pair[0]); open("%s/%d.txt.minisig" % (out, i), "wb").write(pair[1])
print(reads, len(seen))
PY
WP=$!
# Start changing the list once the watcher reads (python's start-up on a loaded machine).
for _ in $(seq 100); do [ -e "$T/watch.ready" ] && break; sleep 0.1; done
for k in $(seq 10); do
  $BROADSIDE --data "$T/ra" mirrors add "$(addr flip$k)" >/dev/null
  $BROADSIDE --data "$T/ra" mirrors rm "$(addr flip$k)" >/dev/null
done
rm "$T/watch.go"; wait $WP
read -r reads pairs <"$T/watch.out"
echo "# the watcher read the published pair $reads times and saw $pairs different pairs"
# 20 changes; on a loaded machine the watcher may read only a few of them (4 of 21
# once at load 12), so what is checked is that it saw the list change at all.
check "… it saw the list change" test "$pairs" -ge 2
bad=0
for f in "$T/pairs"/*.txt; do minisign -V -q -p "$A/keys/publisher.pub" -m "$f" || bad=$((bad + 1)); done
check_eq "… and every pair it read verifies with minisign -V" "$bad" 0
check "no stale pair at the old place" test ! -e "$T/ra/manifests/mirrors.txt"
done_testing
