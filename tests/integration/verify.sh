#!/usr/bin/env bash
# The verification instructions readers are given, run exactly as the served
# HTML prints them (taken from <pre>, unescaped; only the reader's own choices
# are filled in: a new name for a renamed file, the local address for the
# .onion one): files saved flat, in folders, renamed and altered. Good files
# pass; an altered file, a file not in the list and a missing file each fail
# with a non-zero exit. The signed per-folder lists verify with minisign -V
# and hold exactly their folder's files.
. "$(dirname "$0")/../lib.sh"
D=$T/data C=$T/coll R=$T/reader
mkdir -p "$C/sub dir" "$C/deep/x" "$R"
echo "top" >"$C/a.txt"
echo "quoted" >"$C/sub dir/it's b.txt"
echo "dash" >"$C/deep/x/-dash.txt"
echo "space" >"$C/deep/x/two  spaces.txt"
printf 'nl' >"$C/deep/x/new
line.txt"
$BROADSIDE --data "$D" init >/dev/null 2>&1
check "add" $BROADSIDE --data "$D" add "$C" --slug demo --title "Demo" -q
M=$D/manifests/demo
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT --no-tor
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

# pre URLPATH CLASS: the text of <pre class="CLASS"> on that page, as a reader copies it.
pre() {
  python3 - "$U$1" "$2" <<'PY'
import html, re, sys, urllib.request
page = urllib.request.urlopen(sys.argv[1]).read().decode()
m = re.search(r'<pre class="%s">(.*?)</pre>' % re.escape(sys.argv[2]), page, re.S)
sys.stdout.write(html.unescape(m.group(1)) if m else "")
PY
}
page() { python3 -c 'import sys, urllib.parse; print("/c/demo/" + urllib.parse.quote(sys.argv[1]))' "$1"; }
get() { curl -sf -o "$2" "$U/f/demo/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"; }
fails() { ! "$@"; }   # the command must fail (non-zero)

# Saved flat, as a browser does.
mkdir "$R/flat"
for p in a.txt "sub dir/it's b.txt" "deep/x/-dash.txt" "deep/x/two  spaces.txt"; do get "$p" "$R/flat/${p##*/}"; done
get $'deep/x/new\nline.txt' "$R/flat/new line.txt"
curl -sf -o "$R/flat/SHA256SUMS" $U/m/demo/SHA256SUMS
check "the old instruction's trap: --ignore-missing says OK with files skipped" \
  bash -c "cd '$R/flat' && sha256sum -c --ignore-missing SHA256SUMS >/dev/null 2>&1"

# The file page's own line, by name.
for p in a.txt "sub dir/it's b.txt" "deep/x/-dash.txt" "deep/x/two  spaces.txt"; do
  line=$(pre "$(page "$p")" check-named)
  check "named line shown for '$p'" test -n "$line"
  check "… passes on the file saved flat" bash -c "cd '$R/flat' && sh -c \"\$1\" | grep -q ': OK$'" _ "$line"
done
line=$(pre "$(page "sub dir/it's b.txt")" check-named)
cp "$R/flat/it's b.txt" "$T/keep"; echo x >>"$R/flat/it's b.txt"
check "… fails on an altered file" bash -c "cd '$R/flat' && ! sh -c \"\$1\" >/dev/null 2>&1" _ "$line"
rm "$R/flat/it's b.txt"
check "… fails on a missing file" bash -c "cd '$R/flat' && ! sh -c \"\$1\" >/dev/null 2>&1" _ "$line"
cp "$T/keep" "$R/flat/it's b.txt"
check "no named line for a name with a newline" test -z "$(pre "$(page $'deep/x/new\nline.txt')" check-named)"

# By hash, under any name: the reader puts their own name in place of the one shown.
any=$(pre "$(page "sub dir/it's b.txt")" check-any)
mv "$R/flat/it's b.txt" "$R/flat/renamed.txt"
shown="'it'\\''s b.txt'"
check "hash line names the file as saved" grep -qF "sha256sum < $shown)" <<<"$any"
check "hash line passes on the renamed file" \
  bash -c "cd '$R/flat' && sh -c \"\$1\" | grep -qx OK" _ "${any//"$shown"/renamed.txt}"
check "hash line fails with the old name gone" bash -c "cd '$R/flat' && ! sh -c \"\$1\" >/dev/null 2>&1" _ "$any"
mv "$R/flat/renamed.txt" "$R/flat/it's b.txt"
check "hash line as printed passes" bash -c "cd '$R/flat' && sh -c \"\$1\" | grep -qx OK" _ "$any"
any=$(pre "$(page $'deep/x/new\nline.txt')" check-any)
check "odd name: the hash line names FILE" grep -q 'sha256sum < FILE)' <<<"$any"
check "odd name: passes with the saved name" bash -c "cd '$R/flat' && sh -c \"\${1/FILE/\\'new line.txt\\'}\" | grep -qx OK" _ "$any"
check "odd name: FILE left as printed fails" bash -c "cd '$R/flat' && ! sh -c \"\$1\" >/dev/null 2>&1" _ "$any"
printf 'NL' >"$R/altered.txt"
check "odd name: an altered copy fails" bash -c "cd '$R' && ! sh -c \"\${1/FILE/altered.txt}\" >/dev/null 2>&1" _ "$any"

# The folder's signed list: downloaded as printed (the local address for the
# .onion one, no Tor proxy here), the signature checked with the publisher key.
sig=$(pre "$(page "deep/x/-dash.txt")" check-signed)
check "signed-list commands shown" grep -q 'minisign -V -P ' <<<"$sig"
local_sig=$(sed -e "s|--socks5-hostname 127.0.0.1:9150 ||; s|http://ADDRESS.onion|$U|g" <<<"$sig")
check "folder list: download, minisign -V and the file's line" \
  bash -c "cd '$R/flat' && sh -c \"\$1\" >'$T/sig.out' 2>&1" _ "$local_sig"
check "… prints the file's listed path" grep -q '  deep/x/-dash.txt$' "$T/sig.out"
check_eq "the folder list holds exactly its folder's files" "$(cat "$R/flat/folder.SHA256SUMS")" \
  "$(grep -E '^\\?[0-9a-f]{64}  deep/x/[^/]*$' "$M/SHA256SUMS")"
check "minisign -V verifies it with publisher.pub" minisign -Vq -p "$D/keys/publisher.pub" -m "$R/flat/folder.SHA256SUMS"
check "its trusted comment names the folder list" grep -q 'file:folder-SHA256SUMS' "$R/flat/folder.SHA256SUMS.minisig"
echo x >>"$R/flat/-dash.txt"
check "… an altered file is not in it" bash -c "cd '$R/flat' && ! sh -c \"\$1\" >/dev/null 2>&1" _ "$local_sig"
get "deep/x/-dash.txt" "$R/flat/-dash.txt"
sed -i '1s/^./0/; 1s/^0/1/' "$R/flat/folder.SHA256SUMS"
check "a changed folder list fails minisign -V" fails minisign -Vq -p "$D/keys/publisher.pub" -m "$R/flat/folder.SHA256SUMS"
check_eq "a folder key that is not one → 404" "$(curl -s -o /dev/null -w '%{http_code}' $U/m/demo/sums/xyz/SHA256SUMS)" 404
key=$(ls "$M/sums" | grep -v minisig | head -1)
check_eq "the flat disk name is not served" "$(curl -s -o /dev/null -w '%{http_code}' $U/m/demo/sums/$key)" 404
rm -f "$R/flat/folder.SHA256SUMS"*

# The home page's procedure over every file the reader has.
all=$(pre / check-all)
list=$(pre / check-list)
check "no --ignore-missing in what readers run" fails grep -q ignore-missing <<<"$all$list"
run_all() { (cd "$1" && sh -c "$all" >"$T/all.out" 2>&1); }
check "flat: every file passes" run_all "$R/flat"
check_eq "… one OK for each of the 5" "$(grep -c '^OK: ' "$T/all.out")" 5
mkdir "$R/nested"
python3 - "$M/SHA256SUMS" <<'PY' | while IFS= read -r -d '' p; do mkdir -p "$R/nested/$(dirname "$p")"; get "$p" "$R/nested/$p"; done
import sys
for l in open(sys.argv[1], "rb").read().split(b"\n"):
    if not l: continue
    esc = l.startswith(b"\\"); p = l[67:] if esc else l[66:]
    if esc: p = p.replace(b"\\n", b"\n").replace(b"\\\\", b"\\")
    sys.stdout.buffer.write(p + b"\0")
PY
cp "$R/flat/SHA256SUMS" "$R/nested/"
check "in folders: every file passes" run_all "$R/nested"
check_eq "… one OK for each of the 5" "$(grep -c '^OK: ' "$T/all.out")" 5
mv "$R/nested/a.txt" "$R/nested/deep/renamed.txt"
check "renamed and moved: still passes" run_all "$R/nested"
echo "not published" >"$R/nested/sub dir/extra.txt"
check "a file not in the list fails" fails run_all "$R/nested"
check "… and says which" grep -q 'FAILED.*: ./sub dir/extra.txt$' "$T/all.out"
rm "$R/nested/sub dir/extra.txt"
echo x >>"$R/nested/deep/x/two  spaces.txt"
check "an altered file fails" fails run_all "$R/nested"
check "… and says which" grep -q 'FAILED.*two  spaces.txt$' "$T/all.out"
get "deep/x/two  spaces.txt" "$R/nested/deep/x/two  spaces.txt"
check "restored: passes again" run_all "$R/nested"
named() { (cd "$R/flat" && sh -c "${all%find*}${list/FILE1 FILE2/$1}" >"$T/list.out" 2>&1); }
check "naming files: good ones pass" named "a.txt '-dash.txt'"
check "naming a missing file fails" fails named "a.txt gone.txt"
check "… and says which" grep -q 'FAILED.*: gone.txt$' "$T/list.out"

# Manifests from before folder lists: the page offers none rather than a dead link.
mv "$M/sums" "$T/sums.keep"
check "no folder list, no signed-list commands" test -z "$(pre "$(page a.txt)" check-signed)"
check "… the file's own checks stay" test -n "$(pre "$(page a.txt)" check-named)"
mv "$T/sums.keep" "$M/sums"

# A withheld file leaves its folder's list (re-signed at once); a withheld
# folder's list goes.
k_x=$(python3 -c 'import hashlib; print(hashlib.sha256(b"deep/x").hexdigest()[:32])')
k_sub=$(python3 -c 'import hashlib; print(hashlib.sha256(b"sub dir").hexdigest()[:32])')
check "withhold a file" $BROADSIDE --data "$D" withhold demo "deep/x/-dash.txt" --reason test
curl -sf -o "$T/x.sums" $U/m/demo/sums/$k_x/SHA256SUMS; curl -sf -o "$T/x.sums.minisig" $U/m/demo/sums/$k_x/SHA256SUMS.minisig
check "… it is not in its folder's list" fails grep -q 'dash' "$T/x.sums"
check "… the others are" grep -q 'two  spaces' "$T/x.sums"
check "… which verifies" minisign -Vq -p "$D/keys/publisher.pub" -m "$T/x.sums"
check "withhold a folder" $BROADSIDE --data "$D" withhold demo "sub dir" --reason test
check_eq "… its list is gone" "$(curl -s -o /dev/null -w '%{http_code}' $U/m/demo/sums/$k_sub/SHA256SUMS)" 404

# Withdrawn files leave their folder's list; a folder left empty loses it.
rm -r "$C/deep"
$BROADSIDE --data "$D" refresh demo -q >/dev/null
check_eq "refresh: one list per folder with files" "$(ls "$M/sums" | grep -vc minisig)" 1
check "refresh: no temp folders left" bash -c "! ls -a '$D/manifests' | grep -q '^\.demo'"
done_testing
