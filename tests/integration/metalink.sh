#!/usr/bin/env bash
# The metalink per collection (RFC 5854, /m/<slug>/collection.meta4) and the
# plain address list (/m/<slug>/urls.txt): both signed like the manifests
# (minisign -V), every file with size, SHA-256 and a URL on this onion and on
# every address of the signed mirrors list. aria2c downloads the collection
# from two Broadside instances at once (loopback: the onion hosts are mapped to
# the two preview ports after the signature is checked), checks every hash;
# a byte changed on one instance is caught (aria2c refuses the copy, exit 32)
# and the file is fetched again, from the other, when aria2c is run again.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll G=$T/got
mkdir -p "$C/sub dir" "$G"
for i in 1 2 3; do head -c $((300000 * i + 17)) /dev/urandom >"$C/sub dir/part $i.bin"; done
# No '&' in a name here: aria2c 1.36 (libxml2) saves "a&amp;b" as "a&#38;b".
printf 'caf\xc3\xa9\n' >"$C/caf$(printf '\xc3\xa9') \"<co>\".txt"
: >"$C/empty"
head -c 6000000 /dev/urandom >"$C/big.bin"
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$B" init >/dev/null 2>&1
OA=$(cat "$A/onion/public/hostname") OB=$(cat "$B/onion/public/hostname")
check "B's address joins A's signed mirrors list" $BROADSIDE --data "$A" mirrors add "$OB" --note "second"
check "add on A" $BROADSIDE --data "$A" add "$C" --slug demo --title Demo -q
cp -a "$C" "$T/coll-b"
check "add on B (its own copy)" $BROADSIDE --data "$B" add "$T/coll-b" --slug demo --title Demo -q
for x in A B; do echo "log_requests = yes" >>"${!x}/broadside.conf"; done
PA=$(free_port) PB=$(free_port)
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$PA --no-tor
bg_start "$T/b.log" $BROADSIDE --data "$B" serve --listen 127.0.0.1:$PB --no-tor
check "A answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PA/
check "B answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PB/

UA=http://127.0.0.1:$PA
for f in collection.meta4 collection.meta4.minisig urls.txt urls.txt.minisig SHA256SUMS publisher.pub; do
  curl -sf -o "$G/$f" "$UA/m/demo/$f"
done
check "minisign -V verifies the metalink" minisign -V -q -p "$G/publisher.pub" -m "$G/collection.meta4"
check "minisign -V verifies urls.txt" minisign -V -q -p "$G/publisher.pub" -m "$G/urls.txt"
check "the metalink's signature names it" grep -q 'file:collection.meta4' "$G/collection.meta4.minisig"
check_eq "served as application/metalink4+xml" \
  "$(curl -s -I "$UA/m/demo/collection.meta4" | tr -d '\r' | sed -n 's/^Content-Type: //p')" "application/metalink4+xml"
check "metalink: RFC 5854 shape, every file, sizes and SHA-256 as in SHA256SUMS, both addresses" \
  python3 - "$G/collection.meta4" "$G/SHA256SUMS" "$C" "$OA" "$OB" <<'PY'
import os, sys, urllib.parse, xml.etree.ElementTree as ET
ns = {"m": "urn:ietf:params:xml:ns:metalink"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{urn:ietf:params:xml:ns:metalink}metalink"
sums = {l[66:].rstrip("\n"): l[:64] for l in open(sys.argv[2], encoding="utf-8")}
files = root.findall("m:file", ns)
assert len(files) == len(sums) == 6, (len(files), len(sums))
for f in files:
    name = f.get("name")
    assert f.find("m:hash", ns).get("type") == "sha-256"
    assert f.find("m:hash", ns).text == sums[name], name
    assert int(f.find("m:size", ns).text) == os.path.getsize(os.path.join(sys.argv[3], name))
    urls = [u.text for u in f.findall("m:url", ns)]
    want = ["http://%s/f/demo/%s" % (h, urllib.parse.quote(name.encode())) for h in sys.argv[4:6]]
    assert urls == want, (urls, want)
PY
check_eq "urls.txt: one URL a file, on this onion" "$(grep -c "^http://$OA/f/demo/" "$G/urls.txt")" 6

# aria2c fetches from both instances (onion hosts mapped to loopback).
sed -e "s|http://$OA/|http://127.0.0.1:$PA/|" -e "s|http://$OB/|http://127.0.0.1:$PB/|" \
  "$G/collection.meta4" >"$G/local.meta4"
(cd "$C" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$G/all.sums"
aria() { # aria DIR [METALINK [OPTIONS]]
  local dir=$1 ml=${2:-$G/local.meta4}; shift; [ $# -gt 0 ] && shift
  aria2c -q --dir="$dir" --log="$dir.log" --log-level=notice -M "$ml" --max-concurrent-downloads=1 \
  --max-connection-per-server=1 --split=2 \
  --min-split-size=1M --connect-timeout=5 --timeout=10 --max-tries=5 --retry-wait=1 \
  --uri-selector=inorder --allow-overwrite=true --auto-file-renaming=false --console-log-level=error "$@"; }
# aria2c shuffles URLs of equal priority: this copy prefers A and B by turns,
# file by file, so one run surely reads from both.
python3 - "$G/local.meta4" "$G/turns.meta4" "$PA" "$PB" <<'PY'
import re, sys
s = open(sys.argv[1]).read(); n = [0]
def turn(m):
    n[0] += 1; first = sys.argv[3 + n[0] % 2]
    return re.sub(r"<url>(http://127\.0\.0\.1:(\d+)/)", lambda u: '<url priority="%d">%s' % (1 if u.group(2) == first else 2, u.group(1)), m.group(0))
open(sys.argv[2], "w").write(re.sub(r"<file .*?</file>", turn, s, flags=re.S))
PY
aria "$G/one" "$G/turns.meta4" --split=1
check "aria2c: every file, sha256sum -c passes" bash -c "cd '$G/one' && sha256sum --quiet -c '$G/all.sums'"
check "aria2c read from A" grep -aq 'GET /f/demo/' "$T/a.log"
check "aria2c read from B" grep -aq 'GET /f/demo/' "$T/b.log"

# One changed byte on B, size and time kept (B still serves it as catalogued).
python3 - "$T/coll-b/big.bin" <<'PY'
import os, sys
p = sys.argv[1]; st = os.stat(p)
with open(p, "r+b") as f:
    f.seek(5500000); b = f.read(1); f.seek(5500000); f.write(bytes([b[0] ^ 0xff]))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
PY
check "B now serves a wrong byte" bash -c "! cmp -s <(curl -sf http://127.0.0.1:$PB/f/demo/big.bin) '$C/big.bin'"
# aria2c shuffles URLs of equal priority; to make the tampered copy the one
# it reads, this copy of the metalink prefers B (priority 1 over 2).
sed -e "s|<url>http://127.0.0.1:$PB/|<url priority=\"1\">http://127.0.0.1:$PB/|" \
    -e "s|<url>http://127.0.0.1:$PA/|<url priority=\"2\">http://127.0.0.1:$PA/|" "$G/local.meta4" >"$G/prefer-b.meta4"
NA=$(wc -l <"$T/a.log") NB=$(wc -l <"$T/b.log")
aria "$G/two" "$G/prefer-b.meta4" --split=1 >"$G/aria2.out" 2>&1
rc=$?
check "aria2c read big.bin from B (the tampered copy)" bash -c "tail -n +$((NB + 1)) '$T/b.log' | grep -aq 'GET /f/demo/big.bin'"
check_eq "aria2c caught it: exit 32 (checksum error)" "$rc" 32
check "aria2c's log names the file" grep -q 'Checksum error detected. file=.*big.bin' "$G/two.log"
check "the bad copy did not pass for a good one" bash -c "! (cd '$G/two' && sha256sum --quiet -c '$G/all.sums' >/dev/null 2>&1)"
# The reader runs it again with the signed metalink (equal priorities): aria2c
# picks among the addresses at random until a copy passes (2^-10 that all ten
# runs read B), and the good copy comes from A.
NA=$(wc -l <"$T/a.log")
for _ in $(seq 10); do
  (cd "$G/two" && sha256sum --quiet -c "$G/all.sums" >/dev/null 2>&1) && break
  aria "$G/two" "$G/local.meta4" --split=1 >>"$G/aria2.out" 2>&1
done
check "aria2c: fetched again, the collection passes sha256sum -c" bash -c "cd '$G/two' && sha256sum --quiet -c '$G/all.sums'"
check "the good copy came from A" bash -c "tail -n +$((NA + 1)) '$T/a.log' | grep -aq 'GET /f/demo/big.bin'"

# wget with the plain list (hosts mapped the same way).
sed "s|http://$OA/|http://127.0.0.1:$PA/|" "$G/urls.txt" >"$G/local-urls.txt"
mkdir -p "$G/w" && (cd "$G/w" && wget -q -c -x -nH --cut-dirs=2 -i "$G/local-urls.txt")
check "wget -c -x -i urls.txt: sha256sum -c passes" bash -c "cd '$G/w' && sha256sum --quiet -c '$G/all.sums'"

# The mirrors list changes: the metalinks are signed anew with it.
$BROADSIDE --data "$A" mirrors rm "$OB" >/dev/null
curl -sf -o "$G/m2" "$UA/m/demo/collection.meta4"; curl -sf -o "$G/m2.minisig" "$UA/m/demo/collection.meta4.minisig"
check "after mirrors rm: B's address is gone from the metalink" bash -c "! grep -q '$OB' '$G/m2'"
check "and it is signed" minisign -V -q -p "$G/publisher.pub" -m "$G/m2"
done_testing
