# crash: kill -9 during an ingest (first add, then a refresh that rewrites files),
# rerun, and the catalogue is consistent: SQLite and FTS5 integrity checks pass,
# counts match the tree, checksums match sha256sum. A "full disk" (file size
# limit) stops add with a clear error and leaves the catalogue intact.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
python3 "$TOP/scripts/demo/make-sample" "$TREE" --files 4000 --size-mb 24 --seed 3 2>/dev/null
# PDFs cost a pdftotext run each; a few are enough here.
find "$TREE" -name '*.pdf' | tail -n +20 | xargs -r rm
nfiles=$(find "$TREE" -type f | wc -l)
"$BROADSIDE" --data "$D" init >/dev/null

integrity() {
  [ "$(sqlite3 "$D/catalogue.db" "pragma integrity_check; pragma foreign_key_check;")" = ok ] &&
    [ "$("$BROADSIDE" --data "$D" check-catalogue 2>/dev/null)" = ok ]
}
count() { sqlite3 "$D/catalogue.db" "select count(*) from files"; }

# kill_midway MIN: start add in the background, kill -9 once MIN files are committed.
kill_midway() {
  local min=$1
  bg_start "$T/add.log" "$BROADSIDE" --data "$D" add "$TREE" --slug crash --title Crash --threads 2
  wait_for 120 sh -c "[ \$(sqlite3 '$D/catalogue.db' \"select count(*) from files where indexed_at >= $2\" 2>/dev/null || echo 0) -ge $min ]"
  kill -9 "$BG_PID" 2>/dev/null
  wait "$BG_PID" 2>/dev/null
}

start=$(date +%s)
kill_midway 300 0
n=$(count)
echo "killed after $n files"
check "killed mid-way (some but not all files in)" test "$n" -gt 0 -a "$n" -lt "$nfiles"
check "integrity right after kill -9" integrity
check_eq "docs agree with files after kill" "$(sqlite3 "$D/catalogue.db" "select (select count(*) from docs) = (select count(*) from files)")" "1"

out=$("$BROADSIDE" --data "$D" add "$TREE" --slug crash --title Crash 2>/dev/null)
echo "$out"
check "rerun completes" test -n "$out"
added=$(echo "$out" | sed -n 's/.* \([0-9]*\) added.*/\1/p')
unchanged=$(echo "$out" | sed -n 's/.* \([0-9]*\) unchanged.*/\1/p')
check_eq "rerun reads only what the killed run had not committed" "$((added + unchanged))/$unchanged" "$nfiles/$n"
check_eq "all files in" "$(count)" "$nfiles"
check "integrity after rerun" integrity

# Second crash: a refresh that rewrites every file (new mtime), killed mid-way.
sleep 1
find "$TREE" -type f -exec touch -d '2020-02-02 02:02:02' {} +
mark=$(date +%s)
kill_midway 300 "$mark"
check "integrity after killed refresh" integrity
out=$("$BROADSIDE" --data "$D" refresh crash 2>/dev/null)
echo "$out"
changed=$(echo "$out" | sed -n 's/.* \([0-9]*\) changed.*/\1/p')
check "refresh after kill finishes the rest" test "$changed" -gt 0 -a "$changed" -lt "$nfiles"
check_eq "files after refresh" "$(count)" "$nfiles"
check "integrity after refresh" integrity

(cd "$TREE" && find . -type f -print0 | xargs -0 sha256sum -z) >"$T/sums"
check "every sha256 equals sha256sum's" python3 - "$D/catalogue.db" "$T/sums" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.text_factory = bytes
cat = {p: h.hex() for p, h in db.execute("select path, sha256 from files")}
disk = {}
for rec in open(sys.argv[2], "rb").read().split(b"\0"):
    if rec:
        h, p = rec.split(b"  ", 1)
        disk[p[2:]] = h.decode()
bad = [p for p in disk if cat.get(p) != disk[p]] + [p for p in cat if p not in disk]
print("compared", len(disk), "mismatches", len(bad))
sys.exit(1 if bad else 0)
PY

# Full disk: a file size limit makes SQLite's writes fail like ENOSPC would.
mkdir -p "$T/more"
python3 "$TOP/scripts/demo/make-sample" "$T/more" --files 600 --size-mb 1 --seed 9 2>/dev/null
find "$T/more" -name '*.pdf' -delete
out=$(trap '' XFSZ; ulimit -f 200; "$BROADSIDE" --data "$D" add "$T/more" --slug more --title More 2>&1); rc=$?
echo "$out" | tail -n 3
check "full disk: add fails" test $rc -ne 0
check "full disk: clear error" sh -c "printf '%s' \"\$1\" | grep -qi 'full'" _ "$out"
check "full disk: integrity" integrity
check_eq "full disk: earlier collection intact" "$(sqlite3 "$D/catalogue.db" "select count(*) from files f join collections c on c.id = f.collection_id where c.slug = 'crash'")" "$nfiles"
out=$("$BROADSIDE" --data "$D" add "$T/more" --slug more --title More 2>/dev/null)
check "after space is back, add completes" sh -c "printf '%s' \"\$1\" | grep -q 'more: '" _ "$out"
check "integrity at the end" integrity
echo "took $(( $(date +%s) - start )) s"

done_testing
