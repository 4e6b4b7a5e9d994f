# ingest: `add` on a tree with hostile names; every checksum equals sha256sum's;
# a rerun touches only what changed; ls, rm, refresh; bad input is refused.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
mkdir -p "$TREE/agency one/reports" "$TREE/empty"
printf 'incident,officer\n1,Smith\n' >"$TREE/agency one/reports/incidents.csv"
printf 'plain text file\n' >"$TREE/notes.txt"
printf 'spaces and quotes\n' >"$TREE/agency one/it's \"quoted\".txt"
printf 'script\n' >"$TREE/<script>alert(1)<∕script>.html"
printf 'backslash\n' >"$TREE/<script>alert(1)<\script>.html"   # skipped: no URL may carry it
printf 'newline\n' >"$TREE/$(printf 'two\nlines.txt')"
printf 'latin1\n' >"$TREE/$(printf 'caf\xe9.txt')"
printf 'rtl\n' >"$TREE/$(printf 'invoice\xe2\x80\xaetxt.exe')"
printf '' >"$TREE/empty.bin"
head -c 3000000 /dev/urandom >"$TREE/agency one/big.bin"
ln -s /etc/passwd "$TREE/link-to-passwd"
ln -s "agency one" "$TREE/link-to-dir"
mkfifo "$TREE/a-fifo"

check "init" "$BROADSIDE" --data "$D" init
out=$("$BROADSIDE" --data "$D" add "$TREE" --slug test --title "Test" --description "A test" 2>"$T/err")
echo "$out"; cat "$T/err"
check_eq "first add counts" "$out" "test: 9 files, 9 added, 0 changed, 0 unchanged, 0 removed, 2 symlinks skipped, 2 other skipped, 0 unreadable"
check "summary line on stderr when not a terminal" grep -q 'files,.*hashed in' "$T/err"
check "a name with a backslash is reported, not catalogued" grep -q 'alert(1)<.x5cscript>.html: not published: its name holds a backslash' "$T/err"

# Every catalogued checksum equals sha256sum's, path by path (names compared as bytes).
(cd "$TREE" && find . -type f -print0 | xargs -0 sha256sum -z) >"$T/sums"
compare() {
python3 - "$D/catalogue.db" "$T/sums" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.text_factory = bytes
cat = {p: h.hex() for p, h in db.execute("select path, sha256 from files")}
disk = {}
for rec in open(sys.argv[2], "rb").read().split(b"\0"):
    if rec:
        h, p = rec.split(b"  ", 1)
        if b"\\" not in p:     # names with a backslash are not published
            disk[p[2:]] = h.decode()
bad = [p for p in disk if cat.get(p) != disk[p]] + [p for p in cat if p not in disk]
print("compared", len(disk), "files; mismatches:", bad)
sys.exit(1 if bad or not disk else 0)
PY
}
check "every sha256 equals sha256sum's" compare

mime() { sqlite3 "$D/catalogue.db" "select mime from files where path = '$1'"; }
check_eq "csv type" "$(mime 'agency one/reports/incidents.csv')" "text/csv"
check_eq "html type" "$(mime '<script>alert(1)<∕script>.html')" "text/html"
check_eq "folder totals" "$(sqlite3 "$D/catalogue.db" "select files from dirs where path = 'agency one'")" "3"
check_eq "empty folder kept" "$(sqlite3 "$D/catalogue.db" "select count(*) from dirs where path = 'empty'")" "1"
check_eq "collection totals" "$(sqlite3 "$D/catalogue.db" "select files from collections")" "9"

# Rerun: nothing changed.
out=$("$BROADSIDE" --data "$D" add "$TREE" --slug test --title "Test" 2>/dev/null)
check_eq "rerun reads nothing" "$out" "test: 9 files, 0 added, 0 changed, 9 unchanged, 0 removed, 2 symlinks skipped, 2 other skipped, 0 unreadable"

# One changed (size), one changed (mtime only), one new, one removed.
printf 'incident,officer\n1,Smith\n2,Jones\n' >"$TREE/agency one/reports/incidents.csv"
touch -d '2001-01-01' "$TREE/notes.txt"
printf 'new file\n' >"$TREE/empty/new.txt"
rm "$TREE/empty.bin"
out=$("$BROADSIDE" --data "$D" refresh test 2>/dev/null)
check_eq "refresh counts" "$out" "test: 9 files, 1 added, 2 changed, 6 unchanged, 1 removed, 2 symlinks skipped, 2 other skipped, 0 unreadable"
(cd "$TREE" && find . -type f -print0 | xargs -0 sha256sum -z) >"$T/sums"
check "checksums after refresh" compare
check_eq "fts rows follow files" "$(sqlite3 "$D/catalogue.db" "select (select count(*) from docs) || ' ' || (select count(*) from files)")" "9 9"
check "integrity" test "$("$BROADSIDE" --data "$D" check-catalogue)" = ok

# Folder removed entirely.
rm -rf "$TREE/agency one/reports"
out=$("$BROADSIDE" --data "$D" add "$TREE" --slug test --title "Test 2" 2>/dev/null)
check_eq "removed folder" "$out" "test: 8 files, 0 added, 0 changed, 8 unchanged, 1 removed, 2 symlinks skipped, 2 other skipped, 0 unreadable"
check_eq "folder gone" "$(sqlite3 "$D/catalogue.db" "select count(*) from dirs where path like 'agency one/reports%'")" "0"
check_eq "title updated" "$(sqlite3 "$D/catalogue.db" "select title from collections")" "Test 2"

# ls, bad input.
check "ls shows the collection" sh -c "'$BROADSIDE' --data '$D' ls | grep -q '^test .* 8 .*$TREE'"
check "ls --json" sh -c "'$BROADSIDE' --data '$D' ls --json | python3 -c 'import json,sys; assert json.load(sys.stdin)[0][\"files\"] == 8'"
check "bad slug refused" sh -c "! '$BROADSIDE' --data '$D' add '$TREE' --slug 'Bad Slug' --title x 2>/dev/null"
check "same slug, other root refused" sh -c "! '$BROADSIDE' --data '$D' add '$T' --slug test --title x 2>/dev/null"
check "missing path refused" sh -c "! '$BROADSIDE' --data '$D' add '$T/nope' --slug x --title x 2>/dev/null"
check "refresh of unknown slug fails" sh -c "! '$BROADSIDE' --data '$D' refresh nope 2>/dev/null"
check "add without init fails clearly" sh -c "'$BROADSIDE' --data '$T/none' add '$TREE' --slug x --title x 2>&1 | grep -q 'init'"

# A vanished or emptied root (an unmounted disk) does not wipe the collection.
mv "$TREE" "$T/away"
check "missing root: refresh fails" sh -c "! '$BROADSIDE' --data '$D' refresh test 2>/dev/null"
mkdir "$TREE"
check "empty root: refresh fails" sh -c "! '$BROADSIDE' --data '$D' refresh test 2>/dev/null"
check_eq "entries kept" "$(sqlite3 "$D/catalogue.db" "select count(*) from files")" "8"
rmdir "$TREE"; mv "$T/away" "$TREE"

# Unreadable files are listed and skipped (root reads everything: only as a user).
if [ "$(id -u)" != 0 ]; then
  printf 'secret\n' >"$TREE/locked.txt"; chmod 000 "$TREE/locked.txt"
  out=$("$BROADSIDE" --data "$D" refresh test 2>"$T/err")
  check "unreadable counted" sh -c "printf '%s' \"\$1\" | grep -q '1 unreadable'" _ "$out"
  check "unreadable listed" grep -q 'locked.txt: cannot open' "$T/err"
  chmod 600 "$TREE/locked.txt"; rm "$TREE/locked.txt"
fi

# rm: catalogue only.
check "rm" "$BROADSIDE" --data "$D" rm test
check_eq "no files left in catalogue" "$(sqlite3 "$D/catalogue.db" "select count(*) from files; select count(*) from docs; select count(*) from dirs")" "$(printf '0\n0\n0')"
check "files on disk untouched" test -f "$TREE/notes.txt"
check "integrity after rm" test "$("$BROADSIDE" --data "$D" check-catalogue)" = ok
check "rm of unknown slug fails" sh -c "! '$BROADSIDE' --data '$D' rm test 2>/dev/null"

done_testing
