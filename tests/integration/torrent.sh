#!/usr/bin/env bash
# broadside torrent: a hybrid BitTorrent v1+v2 file per collection (BEP 52, BEP
# 47 pad files, BEP 19 web seeds), published at /m/<slug>/collection.torrent,
# signed and listed in index.json. Real clients check it: python3-libtorrent
# loads it (both info-hashes), rechecks a copy of the files as complete with
# the hybrid, v1 alone and v2 alone, and finds a changed byte (each torrent
# loaded from its file under libtorrent's default limits); aria2c downloads
# the collection through the web seed on the loopback preview and every file
# matches; the same catalogue gives the same bytes; withheld files are absent;
# a collection whose .torrent would pass torrent_max_bytes gets none (refused
# before reading when its paths alone pass it), and the metalink stays.
. "$(dirname "$0")/../lib.sh"
A=$T/a C=$T/coll G=$T/got
PY=/usr/bin/python3   # Debian's, where python3-libtorrent lives
mkdir -p "$C/sub dir/deeper/déjà vu" "$C/a" "$G"
head -c 16384 /dev/urandom >"$C/one piece.bin"             # exactly one piece of 16 KiB
head -c 100000 /dev/urandom >"$C/sub dir/multi.bin"        # seven pieces, the last partial
head -c 40000 /dev/urandom >"$C/a/b"                       # tree order: a/b before a.txt
head -c 40000 /dev/urandom >"$C/a.txt"
printf 'caf\xc3\xa9\n' >"$C/caf$(printf '\xc3\xa9') \"quoted\" name.txt"
: >"$C/empty"
head -c 5000 /dev/urandom >"$C/sub dir/deeper/déjà vu/small file"
head -c 100000 /dev/urandom >"$C/sub dir/twin.bin"
cp "$C/sub dir/twin.bin" "$C/twin copy.bin"                # the same piece layer twice
echo "a source's name" >"$C/secret.txt"
P=$(free_port) U=http://127.0.0.1:$P
$BROADSIDE --data "$A" init >/dev/null 2>&1
echo "torrent_web_seeds = $U/f/" >>"$A/broadside.conf"
check "add" $BROADSIDE --data "$A" add "$C" --slug demo --title Demo -q
check "withhold secret.txt" $BROADSIDE --data "$A" withhold demo secret.txt --reason test
out=$($BROADSIDE --data "$A" torrent demo --piece-size 16384 2>&1)
check "broadside torrent: hashed and published" grep -q 'published at /m/demo/collection.torrent' <<<"$out"
# (serve's sandbox reaches only the collections there when it starts)
mkdir -p "$T/solo" && head -c 50000 /dev/urandom >"$T/solo/only one.bin"
$BROADSIDE --data "$A" add "$T/solo" --slug solo --title Solo -q >/dev/null 2>&1
$BROADSIDE --data "$A" torrent solo --piece-size 16384 >/dev/null 2>&1
bg_start "$T/serve.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$P --no-tor
check "serve answers" wait_for 20 curl -sf -o /dev/null "$U/"
for f in collection.torrent collection.torrent.minisig index.json index.json.minisig SHA256SUMS publisher.pub; do
  curl -sf -o "$G/$f" "$U/m/demo/$f"
done
check "minisign -V verifies the torrent" minisign -V -q -p "$G/publisher.pub" -m "$G/collection.torrent"
check "minisign -V verifies index.json" minisign -V -q -p "$G/publisher.pub" -m "$G/index.json"
check_eq "index.json lists the torrent's SHA-256" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["torrent"]["sha256"])' "$G/index.json")" \
  "$(sha256sum <"$G/collection.torrent" | cut -c1-64)"
check_eq "served as application/x-bittorrent" \
  "$(curl -s -I "$U/m/demo/collection.torrent" | tr -d '\r' | sed -n 's/^Content-Type: //p')" "application/x-bittorrent"
check "saved as demo.torrent" bash -c "curl -s -I '$U/m/demo/collection.torrent' | grep -qi 'filename=\"demo.torrent\"'"
check "the collection page offers the torrent" bash -c "curl -sf '$U/c/demo/' | grep -q 'href=\"/m/demo/collection.torrent\"'"
VER=$(sed -n 's/.*\tversion:\([0-9-]*\).*/\1/p' "$G/index.json.minisig")

# A copy of the files to recheck (withheld secret.txt is not in the torrent).
mkdir -p "$G/copy" && cp -a "$C" "$G/copy/demo" && rm "$G/copy/demo/secret.txt"
cat >"$T/lt.py" <<'PY'
import hashlib, os, sys, time
import libtorrent as lt
torrent, save, mode = sys.argv[1], sys.argv[2], sys.argv[3]
lt.torrent_info(torrent)           # from the file, under libtorrent's default load limits
d = lt.bdecode(open(torrent, "rb").read())
d.pop(b"url-list", None)          # no downloading in a recheck
info = d[b"info"]
if mode == "v1":
    for k in (b"file tree", b"meta version"): info.pop(k)
    d.pop(b"piece layers")
elif mode == "v2":
    for k in (b"files", b"pieces", b"length"): info.pop(k, None)
ti = lt.torrent_info(d)
ih = ti.info_hashes()
assert ih.has_v1() == (mode != "v2") and ih.has_v2() == (mode != "v1"), (mode, ih.has_v1(), ih.has_v2())
ses = lt.session({"enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
                  "listen_interfaces": "127.0.0.1:0", "alert_mask": lt.alert.category_t.all_categories})
p = lt.add_torrent_params(); p.ti = ti; p.save_path = save
p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
h = ses.add_torrent(p)
end = time.time() + 60
checked = False
while time.time() < end and not checked:
    ses.wait_for_alert(500)
    for a in ses.pop_alerts():
        if isinstance(a, lt.torrent_checked_alert): checked = True
        if isinstance(a, lt.torrent_error_alert): print("error:", a.message())
s = h.status()
print("checked" if checked else "not checked", "progress=%.4f" % s.progress, "seed" if s.is_seeding else "incomplete")
PY
for m in hybrid v1 v2; do
  check_eq "libtorrent ($m): a copy of the files rechecks complete" \
    "$($PY "$T/lt.py" "$G/collection.torrent" "$G/copy" $m 2>&1 | tail -1)" "checked progress=1.0000 seed"
done
printf 'X' | dd of="$G/copy/demo/sub dir/multi.bin" bs=1 seek=50000 conv=notrunc status=none
for m in hybrid v1 v2; do
  check "libtorrent ($m): a changed byte is found" bash -c "$PY '$T/lt.py' '$G/collection.torrent' '$G/copy' $m 2>&1 | tail -1 | grep -q '^checked progress=0\.[0-9]* incomplete'"
done

check "the torrent's shape: BEP 52 tree of the catalogue's paths, pads, comment, seeds, no tracker or date" \
  $PY - "$G/collection.torrent" "$G/SHA256SUMS" "$VER" "$U" <<'PY'
import sys, libtorrent as lt
d = lt.bdecode(open(sys.argv[1], "rb").read())
info = d[b"info"]
sums = sorted(l[66:].rstrip("\n") for l in open(sys.argv[2], encoding="utf-8"))
assert "secret.txt" not in sums
def walk(t, pre):
    for k, v in t.items():
        if b"" in v: yield (pre + [k.decode()]), v[b""]
        else: yield from walk(v, pre + [k.decode()])
tree = list(walk(info[b"file tree"], []))
assert sorted("/".join(p) for p, _ in tree) == sums, (tree, sums)
assert all(".." not in p and "" not in p for p, _ in tree)
v1 = [f for f in info[b"files"] if f.get(b"attr") != b"p"]
assert ["/".join(x.decode() for x in f[b"path"]) for f in v1] == ["/".join(p) for p, _ in tree]
pads = [f for f in info[b"files"] if f.get(b"attr") == b"p"]
assert pads and all(f[b"path"][0] == b".pad" for f in pads)
empty = [m for p, m in tree if m[b"length"] == 0]
assert empty and all(b"pieces root" not in m for m in empty)
one = [m for p, m in tree if p == ["one piece.bin"]][0]
assert one[b"pieces root"] not in d[b"piece layers"]             # one piece: no layer
assert len(d[b"piece layers"]) == 4   # five files over one piece, the twins once
assert info[b"meta version"] == 2 and info[b"name"] == b"demo" and info[b"piece length"] == 16384
assert d[b"comment"].decode().endswith("version " + sys.argv[3]), d[b"comment"]
assert d[b"created by"] == b"Broadside"
for k in (b"creation date", b"announce", b"announce-list"): assert k not in d, k
assert b"private" not in info
seeds = [u.decode() for u in d[b"url-list"]]
assert seeds[-1] == sys.argv[4] + "/f/" and seeds[0].endswith(".onion/f/"), seeds
PY

# aria2c, through the web seed (the onion one cannot resolve here).
(cd "$C" && find . -type f ! -name secret.txt -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$G/all.sums"
timeout 120 aria2c -q --dir="$G/dl" --seed-time=0 --enable-dht=false --bt-enable-lpd=false \
  --enable-peer-exchange=false --bt-stop-timeout=60 --console-log-level=error "$G/collection.torrent"
check_eq "aria2c: downloaded through the web seed" "$?" 0
check "aria2c: every file matches (sha256sum -c)" bash -c "cd '$G/dl/demo' && sha256sum --quiet -c '$G/all.sums'"
check "aria2c fetched from /f/" grep -aq . "$G/dl/demo/one piece.bin"
check "no withheld file came" test ! -e "$G/dl/demo/secret.txt"
# A collection of one file at its top: a single-file torrent named after the
# file (as v2 reads such a tree), its web seeds reaching into /f/<slug>/.
mkdir -p "$G/solocopy" && cp "$T/solo/only one.bin" "$G/solocopy/"
for m in hybrid v1 v2; do
  check_eq "one file ($m): rechecks complete" \
    "$($PY "$T/lt.py" "$A/manifests/solo/collection.torrent" "$G/solocopy" $m 2>&1 | tail -1)" "checked progress=1.0000 seed"
done
timeout 60 aria2c -q --dir="$G/solodl" --seed-time=0 --enable-dht=false --bt-enable-lpd=false \
  --enable-peer-exchange=false --bt-stop-timeout=30 --console-log-level=error "$A/manifests/solo/collection.torrent"
check "one file: aria2c through the web seed" cmp -s "$G/solodl/only one.bin" "$T/solo/only one.bin"
check_eq "a pad file asked of /f/ is zeros" "$(curl -sf "$U/f/demo/.pad/100" | tr -d '\0' | wc -c):$(curl -sf "$U/f/demo/.pad/100" | wc -c)" "0:100"

# The same catalogue, the same bytes: hashed again, and after a refresh.
cp "$A/manifests/demo/collection.torrent" "$G/first.torrent"
$BROADSIDE --data "$A" torrent demo --piece-size 16384 --rehash >/dev/null 2>&1
check "torrent --rehash: byte-identical" cmp -s "$G/first.torrent" "$A/manifests/demo/collection.torrent"
$BROADSIDE --data "$A" refresh demo -q >/dev/null 2>&1
check "refresh without changes: byte-identical" cmp -s "$G/first.torrent" "$A/manifests/demo/collection.torrent"
check "the new index.json still lists it" grep -q '"torrent":' "$A/manifests/demo/index.json"

# A changed file: the old torrent would lie, so it is left out until made again.
sleep 1; echo more >>"$C/a.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null 2>&1
check_eq "after a change: /m/demo/collection.torrent is gone" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$U/m/demo/collection.torrent")" 404
check "nor does the collection page" bash -c "! curl -sf '$U/c/demo/' | grep -q 'collection.torrent'"
check "and index.json no longer lists one" bash -c "! grep -q '\"torrent\":' '$A/manifests/demo/index.json'"
echo "torrent_after_ingest = yes" >>"$A/broadside.conf"
sleep 1; echo more >>"$C/a.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null 2>&1
check "torrent_after_ingest: refresh makes it again" test -s "$A/manifests/demo/collection.torrent"
check "it differs from the old one" bash -c "! cmp -s '$G/first.torrent' '$A/manifests/demo/collection.torrent'"
# Trackers only when the publisher names some; the info-hash stays.
BTIH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["torrent"]["btih"])' "$A/manifests/demo/index.json")
echo "torrent_trackers = udp://tracker.example:6969/announce http://t2.example/announce" >>"$A/broadside.conf"
out=$($BROADSIDE --data "$A" torrent demo 2>&1)
check "torrent again without changes: no second read" grep -q 'still match' <<<"$out"
check "the trackers named, one tier each; the same info-hash" $PY - "$A/manifests/demo/collection.torrent" "$BTIH" <<'PY'
import hashlib, sys, libtorrent as lt
d = lt.bdecode(open(sys.argv[1], "rb").read())
assert d[b"announce"] == b"udp://tracker.example:6969/announce", d[b"announce"]
assert d[b"announce-list"] == [[b"udp://tracker.example:6969/announce"], [b"http://t2.example/announce"]]
assert hashlib.sha1(lt.bencode(d[b"info"])).hexdigest() == sys.argv[2]
PY

# Too large for clients: torrent_max_bytes (small here) refuses, and no torrent
# is published, not even the older one of the same files.
read -r _ _ _ _ _ il ll <"$A/torrents/demo"
bound() { sed -i '/^torrent_max_bytes/d' "$A/broadside.conf"; echo "torrent_max_bytes = $1" >>"$A/broadside.conf"; }
bound $((il + ll - 1))
out=$($BROADSIDE --data "$A" torrent demo 2>&1); rc=$?
check_eq "over the bound by one byte: refused" "$rc" 1
check "the message says why and points to the metalink and folder archives" \
  bash -c 'grep -q "would be [0-9]* bytes, over torrent_max_bytes" <<<"$1" && grep -q "/m/demo/collection.meta4" <<<"$1" && grep -q "/d/demo/" <<<"$1"' _ "$out"
check_eq "no torrent published" "$(curl -s -o /dev/null -w '%{http_code}' "$U/m/demo/collection.torrent")" 404
check "index.json lists none" bash -c "! grep -q '\"torrent\":' '$A/manifests/demo/index.json'"
check "nor does the collection page" bash -c "! curl -sf '$U/c/demo/' | grep -q 'collection.torrent'"
check "the metalink is still there" curl -sf -o /dev/null "$U/m/demo/collection.meta4"
check "the kept hashes are gone" test ! -e "$A/torrents/demo"
bound 600
out=$($BROADSIDE --data "$A" torrent demo 2>&1)
check "far over: refused from the paths, before any file is read" grep -q "would be at least [0-9]* bytes" <<<"$out"
check "no hashes kept" test ! -e "$A/torrents/demo"
sleep 1; echo more >>"$C/a.txt"
out=$($BROADSIDE --data "$A" refresh demo -q 2>&1)
check "torrent_after_ingest over the bound: the refresh says so" grep -q "no torrent this time" <<<"$out"
check "and publishes none" test ! -e "$A/manifests/demo/collection.torrent"
bound $((il + ll + 2000))
check "under the bound again: published" $BROADSIDE --data "$A" torrent demo
rm -rf "$G/copy" && mkdir -p "$G/copy" && cp -a "$C" "$G/copy/demo" && rm "$G/copy/demo/secret.txt"
check_eq "libtorrent loads it from the file and rechecks the files complete" \
  "$($PY "$T/lt.py" "$A/manifests/demo/collection.torrent" "$G/copy" hybrid 2>&1 | tail -1)" "checked progress=1.0000 seed"
done_testing
