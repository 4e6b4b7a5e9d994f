#!/usr/bin/env bash
# Folder archives (/d/): tar and zip of a folder with odd names (spaces,
# UTF-8, quotes, a leading dash, names over 100 bytes), empty files and a
# sparse file over 4 GiB. The archive from one request and the same bytes
# assembled from random Range requests are identical; tar -x, unzip -t and
# python3's zipfile extract files that pass sha256sum -c; curl -C - and
# wget -c resume a cut download; the ETag changes exactly when the folder
# does; conditionals; the size limit; the CRC-32 upgrade of an older catalogue.
. "$(dirname "$0")/../lib.sh"
D=$T/data C=$T/coll G=$T/got
mkdir -p "$C/odd/deep er" "$C/big" "$C/other" "$G"
python3 - "$C/odd" <<'PY'
import os, sys
d = sys.argv[1].encode()
long = b"l" * 120 + b".txt"
names = [b"with space.txt", b"caf\xc3\xa9 \xe2\x98\x83.txt", b'quote"s and \'apos\'', b"-leading-dash",
         long, b"deep er/" + b"x" * 90 + b"/" + b"y" * 60 + b".bin", b"empty", b"deep er/empty too"]
for i, n in enumerate(names):
    p = os.path.join(d, n)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    data = b"" if b"empty" in n else os.urandom(1000 + 7919 * i)
    open(p, "wb").write(data)
PY
truncate -s 4100M "$C/big/huge.bin"          # just over 4 GiB, sparse
printf 'after the big one\n' >"$C/big/z-after.txt"
echo other >"$C/other/o.txt"
$BROADSIDE --data "$D" init >/dev/null 2>&1
check "add" $BROADSIDE --data "$D" add "$C" --slug demo --title Demo -q
check "every file has a CRC-32 that zlib agrees with" python3 - "$D/catalogue.db" "$C" <<'PY'
import os, sqlite3, sys, zlib
db = sqlite3.connect(sys.argv[1])
for path, crc in db.execute("SELECT path, crc32 FROM files WHERE size < 1000000"):
    want = zlib.crc32(open(os.path.join(sys.argv[2].encode(), path.encode("utf-8", "surrogateescape")), "rb").read())
    assert crc == want, (path, crc, want)
PY

PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT --no-tor
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

# The folder page offers both archives and says what to use when.
curl -sf $U/c/demo/odd/ >"$G/odd.html"
check "folder page links the tar" grep -qF 'href="/d/demo/odd.tar"' "$G/odd.html"
check "folder page links the zip" grep -qF 'href="/d/demo/odd.zip"' "$G/odd.html"
check "folder page: one file, one folder, the whole collection" \
  bash -c "grep -q 'One file:' '$G/odd.html' && grep -q 'One folder:' '$G/odd.html' && grep -q 'The whole collection:' '$G/odd.html'"
check "the collection root offers /d/demo.tar" grep -qF 'href="/d/demo.tar"' <(curl -sf $U/c/demo/)
check "file page says what to use when" grep -q 'The whole collection:' <(curl -sf "$U/c/demo/other/o.txt")

# Expected checksums of the odd folder, relative to its parent (archives hold odd/...).
(cd "$C" && find odd -type f -print0 | sort -z | xargs -0 sha256sum) >"$G/odd.sums"

# fetch_ranges URL OUT: the archive assembled from ranges in random order
# (random cut points, one request each), written sparse.
fetch_ranges() {
  python3 - "$1" "$2" <<'PY'
import random, sys, urllib.request
url, out = sys.argv[1], sys.argv[2]
h = urllib.request.urlopen(urllib.request.Request(url, method="HEAD"))
size = int(h.headers["Content-Length"]); etag = h.headers["ETag"]
cuts = sorted(set([0, size] + [random.randrange(size) for _ in range(12)] +
                  [c for c in (4 * 2**30 - 1, 4 * 2**30, size - 22, size - 98, 512, 513) if 0 < c < size]))
parts = list(zip(cuts, cuts[1:])); random.shuffle(parts)
with open(out, "wb") as f:
    f.truncate(size)
    for a, b in parts:
        r = urllib.request.Request(url, headers={"Range": "bytes=%d-%d" % (a, b - 1), "If-Range": etag})
        with urllib.request.urlopen(r) as resp:
            assert resp.status == 206, resp.status
            assert resp.headers["Content-Range"] == "bytes %d-%d/%d" % (a, b - 1, size)
            f.seek(a); pos = a
            while True:
                chunk = resp.read(1 << 20)
                if not chunk: break
                if chunk.count(0) != len(chunk): f.seek(pos); f.write(chunk)
                pos += len(chunk)
            assert pos == b, (a, b, pos)
PY
}

for fmt in tar zip; do
  curl -sf -o "$G/odd.$fmt" "$U/d/demo/odd.$fmt"
  check "odd.$fmt: one request" test -s "$G/odd.$fmt"
  fetch_ranges "$U/d/demo/odd.$fmt" "$G/odd-ranges.$fmt"
  check "odd.$fmt: random ranges give the same bytes" cmp -s "$G/odd.$fmt" "$G/odd-ranges.$fmt"
done
mkdir -p "$G/x-tar" "$G/x-zip" "$G/x-py"
check "tar -x extracts the tar" tar -x -f "$G/odd.tar" -C "$G/x-tar"
check "tar: sha256sum -c passes" bash -c "cd '$G/x-tar' && sha256sum --quiet -c '$G/odd.sums'"
check "tar: the 124-byte name is whole" test -f "$G/x-tar/odd/$(printf 'l%.0s' $(seq 120)).txt"
check "tar: mtimes kept" test "$(stat -c %Y "$G/x-tar/odd/with space.txt")" = "$(stat -c %Y "$C/odd/with space.txt")"
check "unzip -t passes the zip" unzip -tq "$G/odd.zip"
check "unzip extracts the zip" unzip -q "$G/odd.zip" -d "$G/x-zip"
check "unzip: sha256sum -c passes" bash -c "cd '$G/x-zip' && sha256sum --quiet -c '$G/odd.sums'"
check "python3 zipfile: testzip and extractall" python3 -c "
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])
assert any(i.filename == 'odd/caf\u00e9 \u2603.txt' for i in z.infolist())" "$G/odd.zip" "$G/x-py"
check "python3 zipfile: sha256sum -c passes" bash -c "cd '$G/x-py' && sha256sum --quiet -c '$G/odd.sums'"
check "python3 tarfile reads the pax names" python3 -c "
import sys, tarfile
n = tarfile.open(sys.argv[1]).getnames(); assert 'odd/-leading-dash' in n and any(len(x) > 150 for x in n), n" "$G/odd.tar"

# Resume: a download cut short is completed by curl -C - and wget -c.
for fmt in tar zip; do
  head -c 12345 "$G/odd.$fmt" >"$G/cut.$fmt"
  curl -sf -C - -o "$G/cut.$fmt" "$U/d/demo/odd.$fmt"
  check "curl -C - resumes the $fmt" cmp -s "$G/odd.$fmt" "$G/cut.$fmt"
done
head -c 5000 "$G/odd.tar" >"$G/odd-w.tar"
(cd "$G" && wget -q -c -O odd-w.tar "$U/d/demo/odd.tar")
check "wget -c resumes the tar" cmp -s "$G/odd.tar" "$G/odd-w.tar"
(cd "$G" && curl -sf -O "$U/d/demo/other.tar")
check "curl -O saves /d/demo/other.tar as other.tar" tar -tf "$G/other.tar" "other/o.txt"

# Validators and conditionals, as for a file.
hdr() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
ETAG=$(hdr "$U/d/demo/odd.tar" | sed -n 's/^ETag: //p')
check "a strong ETag" bash -c "[[ '$ETAG' == '\"'[0-9a-f]*'\"' ]]"
check_eq "If-None-Match → 304" "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$U/d/demo/odd.tar")" 304
check_eq "If-Match another → 412" "$(curl -s -o /dev/null -w '%{http_code}' -H 'If-Match: "nope"' "$U/d/demo/odd.tar")" 412
check_eq "If-Range stale → 200 whole" "$(curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H 'If-Range: "old"' "$U/d/demo/odd.tar")" 200
check_eq "If-Range current → 206" "$(curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H "If-Range: $ETAG" "$U/d/demo/odd.tar")" 206
SIZE=$(stat -c %s "$G/odd.tar")
check "unsatisfiable → 416 bytes */size" bash -c "curl -s -D - -o /dev/null -r $SIZE- '$U/d/demo/odd.tar' | tr -d '\r' | grep -qx 'Content-Range: bytes \*/$SIZE'"
check_eq "HEAD: length, no body" "$(curl -s -I "$U/d/demo/odd.zip" | tr -d '\r' | sed -n 's/^Content-Length: //p')" "$(stat -c %s "$G/odd.zip")"
check_eq "no such folder → 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/nope.tar")" 404
check_eq "other extension → 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/odd.rar")" 404
check_eq "a file is not a folder → 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/other/o.txt.tar")" 404

# The big folder: a 4.1 GiB sparse file then a small one (Zip64 sizes and
# offsets). One request, written sparse; then random ranges (some across
# 4 GiB and the end records) must match its bytes.
big_check() {
  python3 - "$1" "$2" <<'PY'
import random, sys, urllib.request
url, out = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(url) as r, open(out, "wb") as f:
    size = int(r.headers["Content-Length"]); etag = r.headers["ETag"]; pos = 0
    while True:
        c = r.read(1 << 22)
        if not c: break
        if c.count(0) != len(c): f.seek(pos); f.write(c)
        pos += len(c)
    f.truncate(size)
assert pos == size
starts = [random.randrange(size) for _ in range(20)] + [4 * 2**30 - 100, size - 200, 0]
with open(out, "rb") as f:
    for a in starts:
        b = min(size - 1, a + random.randrange(1, 300000))
        req = urllib.request.Request(url, headers={"Range": "bytes=%d-%d" % (a, b), "If-Range": etag})
        with urllib.request.urlopen(req) as r:
            assert r.status == 206
            got = r.read()
        f.seek(a)
        assert got == f.read(b - a + 1), (a, b)
PY
}
for fmt in tar zip; do
  check "big.$fmt: random ranges match the bytes of one request" big_check "$U/d/demo/big.$fmt" "$G/big.$fmt"
done
check "big.tar: tar -tv lists the 4.1 GiB size" grep -q ' 4299161600 ' <(tar -tvf "$G/big.tar")
check_eq "big.tar: the file after it extracts" "$(tar -xO -f "$G/big.tar" big/z-after.txt)" "after the big one"
check "big.zip: unzip -l reads the Zip64 directory" bash -c "unzip -l '$G/big.zip' | grep -Eq '(^| )4299161600 .*big/huge.bin'"
check "big.zip: python3 zipfile: Zip64 sizes, offsets, the catalogue's CRC-32" python3 - "$G/big.zip" "$D/catalogue.db" <<'PY'
import sqlite3, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
i = {x.filename: x for x in z.infolist()}
crc = sqlite3.connect(sys.argv[2]).execute("SELECT crc32 FROM files WHERE path = 'big/huge.bin'").fetchone()[0]
assert i["big/huge.bin"].file_size == 4100 * 2**20 and i["big/huge.bin"].CRC == crc, i
assert i["big/z-after.txt"].header_offset > 2**32, i
assert z.read("big/z-after.txt") == b"after the big one\n"   # its CRC-32 checked on read
PY
rm -rf "$G/big.tar" "$G/big.zip" "$C/big"
$BROADSIDE --data "$D" refresh demo -q

# The ETag changes exactly when the folder changes.
etag() { hdr "$U/d/demo/odd.$1" | sed -n 's/^ETag: //p'; }
E0=$(etag tar) Z0=$(etag zip)
$BROADSIDE --data "$D" refresh demo -q
check_eq "refresh without change: same ETag" "$(etag tar)" "$E0"
echo more >>"$C/other/o.txt"; $BROADSIDE --data "$D" refresh demo -q
check_eq "another folder changed: same ETag" "$(etag tar)" "$E0"
# serve reads in snapshots of up to 0.1 s (serve/handler_ctx.c): a change
# shows within that, so the new tag is waited for, within 3 s.
changed() { [ "$(etag tar)" != "$1" ]; }
printf 'x' >>"$C/odd/with space.txt"; $BROADSIDE --data "$D" refresh demo -q
wait_for 3 changed "$E0"; E1=$(etag tar)
check "a file in it changed: new tar ETag" test "$E1" != "$E0"
check "and a new zip ETag" test "$(etag zip)" != "$Z0"
touch -d @1000000000 "$C/odd/empty"; $BROADSIDE --data "$D" refresh demo -q
wait_for 3 changed "$E1"; E2=$(etag tar)
check "an mtime changed: new ETag" test "$E2" != "$E1"
: >"$C/odd/deep er/new"; $BROADSIDE --data "$D" refresh demo -q
wait_for 3 changed "$E2"; E3=$(etag tar)
check "a file added: new ETag" test "$E3" != "$E2"
rm "$C/odd/deep er/new"; $BROADSIDE --data "$D" refresh demo -q
check "a file removed: new ETag" wait_for 3 changed "$E3"
check_eq "If-Range with the old tag after a change → 200" "$(curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H "If-Range: $E0" "$U/d/demo/odd.tar")" 200

# A file changed on disk but not refreshed: the body stops short, never lies.
printf 'y' >>"$C/odd/with space.txt"
curl -s -o "$G/short.tar" "$U/d/demo/odd.tar"
check "a changed file ends the archive early" test "$(stat -c %s "$G/short.tar")" -lt "$(hdr "$U/d/demo/odd.tar" | sed -n 's/^Content-Length: //p')"
$BROADSIDE --data "$D" refresh demo -q

# Above the limits: the page says so and points to the metalink; /d/ refuses.
kill "$BG_PID"; wait "$BG_PID" 2>/dev/null
echo "archive_max_files = 3" >>"$D/broadside.conf"
bg_start "$T/serve2.log" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT --no-tor
check "server answers again" wait_for 20 curl -sf -o /dev/null $U/
check "too large: the page points to the metalink" grep -qF 'href="/m/demo/collection.meta4"' <(curl -sf $U/c/demo/odd/ | grep 'too large')
check_eq "too large: /d/ answers 403" "$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/odd.tar")" 403
check_eq "a small folder still has its archive" "$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/other.tar")" 200

# An older catalogue: the upgrade reads every file once for its CRC-32.
kill "$BG_PID"; wait "$BG_PID" 2>/dev/null
sqlite3 "$D/catalogue.db" "ALTER TABLE docs DROP COLUMN cut; ALTER TABLE docs DROP COLUMN whole;
  ALTER TABLE files DROP COLUMN crc32; DROP TABLE withheld;
  DROP TABLE review_findings; DROP TABLE review_files; DROP VIEW fts_src; DROP TABLE parts;
  CREATE VIEW fts_src AS SELECT d.id AS id, d.title AS title, f.path AS path,
    d.body AS body, 'c' || f.collection_id AS coll, f.collection_id AS collection_id
    FROM docs d JOIN files f ON f.id = d.id;
  PRAGMA user_version = 3"
bg_start "$T/serve3.log" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT --no-tor
check "server answers on the v3 catalogue" wait_for 20 curl -sf -o /dev/null $U/
check_eq "a v3 catalogue has no zip (tar still works)" "$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/other.zip")/$(curl -s -o /dev/null -w '%{http_code}' "$U/d/demo/other.tar")" "503/200"
check "refresh upgrades it" $BROADSIDE --data "$D" refresh demo -q
check_eq "schema version 8" "$(sqlite3 "$D/catalogue.db" 'PRAGMA user_version')" 8
check_eq "every CRC-32 filled" "$(sqlite3 "$D/catalogue.db" 'SELECT count(*) FROM files WHERE crc32 IS NULL')" 0
wait_for 3 curl -sf -o "$G/other.zip" "$U/d/demo/other.zip"   # the snapshot, as above
check "after the upgrade the zip passes unzip -t" unzip -tq "$G/other.zip"
done_testing
