# search_cap: a filtered search checks only the 20,000 newest matches of its
# words, and the page says so. 20,500 small text files share a word; a
# spreadsheet holding it too was catalogued before them, so it is beyond the
# window: a search for the word among spreadsheets finds nothing and says
# that only the newest matches were filtered; narrowing the words reaches it.
. "$(dirname "$0")/../lib.sh"

D=$T/data
# The files in memory when it can: removing 20,500 files from a busy shared
# disk took a minute.
BIG=$T/big
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  BIG=$(mktemp -d /dev/shm/broadside-cap.XXXXXX)
  trap 'rm -rf "$BIG"; cleanup' EXIT
fi
mkdir -p "$T/old" "$BIG"
printf 'id,word\n1,capword oldsheet\n' >"$T/old/old.csv"
# split writes the files (a Python loop took twice as long).
seq -f 'capword file %g' 20500 | (cd "$BIG" && split -l 500 -a 2 -d - part)
for p in "$BIG"/part*; do
  mkdir "$p.d" && (cd "$p.d" && split -l 1 -a 3 -d --additional-suffix=.txt "$p" f) && rm "$p"
done
for i in 0 1 2 3 4 5 6 7 8 9; do echo fewword >>"$BIG/part00.d/f00$i.txt"; done
check "20,500 files written" test "$(find "$BIG" -type f | wc -l)" -eq 20500
"$BROADSIDE" --data "$D" init >/dev/null
check "add the spreadsheet first" sh -c "'$BROADSIDE' --data '$D' add '$T/old' --slug old --title Old >/dev/null 2>&1"
check "then 20,500 text files" sh -c "'$BROADSIDE' --data '$D' add '$BIG' --slug big --title Big >/dev/null 2>&1"
total() { "$BROADSIDE" --data "$D" search --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
check_eq "the spreadsheet is found by its words alone" "$(total capword oldsheet --kind spreadsheet)" 1
check_eq "beyond the window, the word among spreadsheets finds nothing" "$(total capword --kind spreadsheet)" 0

printf 'limits = no\n' >>"$D/broadside.conf"
PORT=$(free_port); U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" "$BROADSIDE" --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "serve" wait_for 20 curl -sf -o /dev/null $U/
said='only the 20,000 most recently catalogued were filtered'
check "the page says only the newest matches were filtered" \
  sh -c "curl -sf '$U/search?q=capword&kind=spreadsheet' | grep -q '$said'"
check "with hits too" sh -c "curl -sf '$U/search?q=capword&kind=text' | grep -q '$said'"
check "and in the reader's language" \
  sh -c "curl -sf '$U/search?q=capword&kind=text&lang=de' | grep -q 'nur die 20.000 zuletzt katalogisierten'"
check "a word with fewer matches is filtered whole, and the page does not say it" \
  sh -c "curl -sf '$U/search?q=fewword&kind=text' >'$T/few.html' && grep -q 'f009.txt' '$T/few.html' && ! grep -q 'f010.txt' '$T/few.html' && ! grep -q '$said' '$T/few.html'"
check "an unfiltered search does not say it" sh -c "! curl -sf '$U/search?q=capword' | grep -q '$said'"

done_testing
