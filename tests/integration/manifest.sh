#!/usr/bin/env bash
# Signed manifests end to end: a served collection's SHA256SUMS passes
# `sha256sum -c` on the files downloaded from /f/, both manifests pass
# `minisign -V` with the key from /m/publisher.pub, and a one-byte change in a
# data file or a manifest makes each check fail. Also: names that need
# escaping, validators and ranges on /m/, refresh re-signs, 404s.
. "$(dirname "$0")/../lib.sh"
D=$T/data C=$T/coll G=$T/got
mkdir -p "$C/sub dir" "$G"
echo "hello world" >"$C/a.txt"
head -c 300000 /dev/urandom >"$C/sub dir/random.bin"
: >"$C/empty"
python3 - "$C" <<'PY'
import os, sys
d = sys.argv[1].encode()
for name, data in [(b"new\nline.txt", b"n\n"), (b"cr\rname", b"r"), (b"caf\xc3\xa9 \xe2\x98\x83.txt", b"utf8"),
                   (b"bad\xffbyte", b"latin1"), (b'quote"s', b"q")]:
    open(os.path.join(d, name), "wb").write(data)
PY
$BROADSIDE --data "$D" init >/dev/null 2>&1
check "init made the publisher key 0600" test "$(stat -c %a "$D/keys/publisher.key")" = 600
check "add writes manifests" $BROADSIDE --data "$D" add "$C" --slug demo --title "Demo" -q
M=$D/manifests/demo
for f in SHA256SUMS SHA256SUMS.minisig index.json index.json.minisig publisher.pub; do
  check "$f written" test -s "$M/$f"
done
check "sha256sum -c passes on the collection itself (escaped names too)" \
  bash -c "cd '$C' && sha256sum --quiet -c '$M/SHA256SUMS'"
check_eq "newline name escaped as coreutils does" "$(grep -c '^\\[0-9a-f]*  new\\nline.txt$' "$M/SHA256SUMS")" 1
check "index.json is valid JSON with exact bytes" python3 - "$M/index.json" "$C" <<'PY'
import base64, json, os, sys
ix = json.load(open(sys.argv[1], encoding="utf-8"))
assert ix["format"] == "broadside-index/1" and ix["collection"] == "demo", ix
names = set()
for f in ix["files"]:
    raw = base64.b64decode(f["path_base64"]) if "path_base64" in f else f["path"].encode()
    names.add(raw)
    st = os.stat(os.path.join(sys.argv[2].encode(), raw))
    assert st.st_size == f["size"] and int(st.st_mtime) == f["mtime"], f
assert b"bad\xffbyte" in names and b"new\nline.txt" in names and ix["count"] == len(ix["files"]) == 8
PY

PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT --no-tor
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

# A reader: the key, the manifests, every file it lists.
curl -sf -o "$G/publisher.pub" $U/m/publisher.pub
check "/m/publisher.pub is the publisher's key" cmp -s "$G/publisher.pub" "$D/keys/publisher.pub"
check "/m/demo/publisher.pub too" cmp -s <(curl -sf $U/m/demo/publisher.pub) "$D/keys/publisher.pub"
KEY=$(sed -n 2p "$G/publisher.pub")
check "home page shows the public key" grep -qF "$KEY" <(curl -sf $U/)
for f in SHA256SUMS SHA256SUMS.minisig index.json index.json.minisig; do curl -sf -o "$G/$f" $U/m/demo/$f; done
check "minisign -V verifies SHA256SUMS" minisign -V -q -p "$G/publisher.pub" -m "$G/SHA256SUMS"
check "minisign -V verifies index.json" minisign -V -q -p "$G/publisher.pub" -m "$G/index.json"
mkdir -p "$G/files"
python3 - "$G/index.json" "$U" "$G/files" <<'PY'
import base64, json, os, subprocess, sys, urllib.parse
ix = json.load(open(sys.argv[1], encoding="utf-8"))
for f in ix["files"]:
    raw = base64.b64decode(f["path_base64"]) if "path_base64" in f else f["path"].encode()
    out = os.path.join(sys.argv[3].encode(), raw)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run([b"curl", b"-sf", b"-o", out, sys.argv[2].encode() + b"/f/demo/" +
                    urllib.parse.quote_from_bytes(raw).encode()], check=True)
PY
check "every downloaded file passes sha256sum -c" \
  bash -c "cd '$G/files' && sha256sum --quiet --ignore-missing -c '$G/SHA256SUMS'"
check_eq "… all 8 were fetched" "$(cd "$G/files" && sha256sum -c "$G/SHA256SUMS" 2>/dev/null | grep -c ': OK$')" 8

# One byte changed in a data file, then in each manifest: each check fails.
cp "$G/files/sub dir/random.bin" "$T/keep.bin"
flip() { python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[int(sys.argv[2])]^=1; open(p,'wb').write(b)" "$@"; }
flip "$G/files/sub dir/random.bin" 1000   # a fixed byte written over random data matches 1 run in 256
check "a changed data byte fails sha256sum -c" \
  bash -c "cd '$G/files' && ! sha256sum --quiet --ignore-missing -c '$G/SHA256SUMS' 2>/dev/null"
cp "$T/keep.bin" "$G/files/sub dir/random.bin"
cp "$G/SHA256SUMS" "$T/sums.keep"; flip "$G/SHA256SUMS" 10
check "a changed SHA256SUMS byte fails minisign -V" bash -c "! minisign -V -q -p '$G/publisher.pub' -m '$G/SHA256SUMS' 2>/dev/null"
check "… and sha256sum -c" bash -c "cd '$G/files' && ! sha256sum --quiet --ignore-missing -c '$G/SHA256SUMS' 2>/dev/null"
cp "$T/sums.keep" "$G/SHA256SUMS"
cp "$G/index.json" "$T/index.keep"; flip "$G/index.json" 50
check "a changed index.json byte fails minisign -V" bash -c "! minisign -V -q -p '$G/publisher.pub' -m '$G/index.json' 2>/dev/null"
cp "$T/index.keep" "$G/index.json"
sed -i '3s/^trusted comment: timestamp:./trusted comment: timestamp:9/' "$G/SHA256SUMS.minisig"
check "a changed trusted comment fails minisign -V" bash -c "! minisign -V -q -p '$G/publisher.pub' -m '$G/SHA256SUMS' 2>/dev/null"

# HTTP behaviour of /m/.
hdr() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
h=$(hdr $U/m/demo/SHA256SUMS)
check "text/plain; charset=utf-8" grep -q '^Content-Type: text/plain; charset=utf-8' <<<"$h"
check "index.json is application/json" grep -q '^Content-Type: application/json' <<<"$(hdr $U/m/demo/index.json)"
etag=$(sed -n 's/^ETag: //p' <<<"$h")
check "ETag present" test -n "$etag"
check_eq "If-None-Match → 304" "$(code -H "If-None-Match: $etag" $U/m/demo/SHA256SUMS)" 304
check_eq "Range works" "$(curl -s -r 0-63 $U/m/demo/SHA256SUMS)" "$(head -c 64 "$M/SHA256SUMS")"
check_eq "unknown manifest name → 404" "$(code $U/m/demo/secret.key)" 404
check_eq "unknown collection → 404" "$(code $U/m/nope/SHA256SUMS)" 404
check_eq "no traversal → 400/404" "$(code --path-as-is $U/m/demo/../../keys/publisher.key | grep -c '^40[04]$')" 1
check_eq "the secret key is nowhere" "$(code $U/m/publisher.key)" 404

# refresh re-signs what changed; readers see the new set.
echo "later" >"$C/later.txt"
$BROADSIDE --data "$D" refresh demo -q >/dev/null
curl -sf -o "$G/SHA256SUMS" $U/m/demo/SHA256SUMS; curl -sf -o "$G/SHA256SUMS.minisig" $U/m/demo/SHA256SUMS.minisig
check "refresh: the new file is listed" grep -q '  later.txt$' "$G/SHA256SUMS"
check "refresh: the new manifest verifies" minisign -V -q -p "$G/publisher.pub" -m "$G/SHA256SUMS"
check_eq "refresh: new ETag" "$(code -H "If-None-Match: $etag" $U/m/demo/SHA256SUMS)" 200
check "no temp folders left" bash -c "! ls -a '$D/manifests' | grep -q '^\.demo'"
done_testing
