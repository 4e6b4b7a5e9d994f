#!/usr/bin/env bash
# The metalink per collection (RFC 5854, /m/<slug>/collection.meta4) and the
# plain address list (/m/<slug>/urls.txt): both signed like the manifests
# (minisign -V), every file with size, SHA-256 and a URL on this onion and on
# every address of the signed mirrors list. aria2c downloads the collection
# from two Broadside instances at once (loopback: the onion hosts are mapped to
# the two preview ports after the signature is checked), checks every hash,
# and a byte changed on one instance is caught and fetched again from the other.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll G=$T/got
mkdir -p "$C/sub dir" "$G"
for i in 1 2 3; do head -c $((300000 * i + 17)) /dev/urandom >"$C/sub dir/part $i.bin"; done
# No '&' in a name here: aria2c 1.36 (libxml2) saves "a&amp;b" as "a&#38;b".
printf 'caf\xc3\xa9\n' >"$C/caf$(printf '\xc3\xa9') \"<co>\".txt"
: >"$C/empty"
head -c 2000000 /dev/urandom >"$C/big.bin"
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
aria() { aria2c -q --dir="$1" --log="$1.log" --log-level=notice -M "$G/local.meta4" --max-connection-per-server=1 --split=2 \
  --min-split-size=1M --connect-timeout=5 --timeout=10 --max-tries=5 --retry-wait=1 \
  --uri-selector=inorder --allow-overwrite=true --auto-file-renaming=false --console-log-level=error; }
aria "$G/one"
check "aria2c: every file, sha256sum -c passes" bash -c "cd '$G/one' && sha256sum --quiet -c '$G/all.sums'"
check "aria2c read from A" grep -aq 'GET /f/demo/' "$T/a.log"
check "aria2c read from B" grep -aq 'GET /f/demo/' "$T/b.log"

# One changed byte on B, size and time kept (B still serves it as catalogued).
python3 - "$T/coll-b/big.bin" <<'PY'
import os, sys
p = sys.argv[1]; st = os.stat(p)
with open(p, "r+b") as f:
    f.seek(1500000); b = f.read(1); f.seek(1500000); f.write(bytes([b[0] ^ 0xff]))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
PY
check "B now serves a wrong byte" bash -c "! cmp -s <(curl -sf http://127.0.0.1:$PB/f/demo/big.bin) '$C/big.bin'"
NA=$(wc -l <"$T/a.log") NB=$(wc -l <"$T/b.log")
aria "$G/two" >"$G/aria2.out" 2>&1
check "aria2c fetched part of big.bin from B (the tampered copy)" bash -c "tail -n +$((NB + 1)) '$T/b.log' | grep -aq 'GET /f/demo/big.bin'"
check "aria2c caught it: the SHA-256 check failed" grep -qi 'checksum error' "$G/two.log"
# What a reader does after a failed check: run it again; the good copy wins.
for _ in 1 2 3 4; do
  (cd "$G/two" && sha256sum --quiet -c "$G/all.sums" >/dev/null 2>&1) && break
  rm -f "$G/two/big.bin"
  aria "$G/two" >>"$G/aria2.out" 2>&1
done
check "aria2c: the collection passes sha256sum -c after all" bash -c "cd '$G/two' && sha256sum --quiet -c '$G/all.sums'"
check "and fetched it again (from A)" bash -c "tail -n +$((NA + 1)) '$T/a.log' | grep -aq 'GET /f/demo/big.bin'"

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
