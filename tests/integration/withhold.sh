#!/usr/bin/env bash
# withhold: a withheld file and folder answer 404 on /f/, the page and every
# view with the same bytes as a path that never existed; they leave the folder
# page, search (a word only they held finds nothing, and is not left in the
# catalogue file) and the manifests, whose signatures still verify with
# minisign -V; the files on disk are untouched; refresh does not add them back;
# a mirror that runs again drops them; backup/restore keeps the withholding;
# unwithhold publishes them again; globs; the reason is printed escaped.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll
ONION=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion
mkdir -p "$C/secret/deeper" "$C/pub" "$C/mail"
for i in $(seq -w 1 40); do echo "filler $i" >"$C/pub/f$i.txt"; done
echo "the leak names quokkaleakword" >"$C/leak.txt"
echo "memo about zanzibarfolderword" >"$C/secret/memo.txt"
echo "deeper" >"$C/secret/deeper/d.txt"
printf 'From: a@example.org\nSubject: hi\n\nplatypusmailword\n' >"$C/mail/one.eml"
printf 'From: a@example.org\nSubject: hi\n\nmore mail\n' >"$C/top.eml"
echo "correct horse battery staple" >"$T/pass"
sums() { (cd "$C" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
disk_before=$(sums)
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$A" add "$C" --slug demo --title "Demo" -q >/dev/null
PA=$(free_port)
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$PA --no-tor
check "A answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PA/
U=http://127.0.0.1:$PA
code() { curl -s -o /dev/null -w '%{http_code}' "$U/$1"; }
hits() { # hits WORD: the search total through the CLI
  $BROADSIDE --data "${2:-$A}" search "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
check_eq "before: leak.txt is served" "$(code f/demo/leak.txt)" 200
check_eq "before: its word is found" "$(hits quokkaleakword)" 1
check "before: the word is in the catalogue file" grep -q quokkaleakword "$A/catalogue.db"

# The mirror B copies A before anything is withheld (tests/socks5.py maps the
# fake onion name to A).
$BROADSIDE --data "$B" init >/dev/null 2>&1
bg_start "$T/proxy.out" python3 "$TOP/tests/socks5.py" "$T/proxy.port" "$T/proxy.log" --map "$ONION=127.0.0.1:$PA"
wait_for 10 test -s "$T/proxy.port"
mirror() { $BROADSIDE --data "$B" mirror "http://$ONION/c/demo/" --publisher-key "$A/keys/publisher.pub" \
  --socks 127.0.0.1:"$(cat "$T/proxy.port")" -q "$@" 2>&1; }
out=$(mirror); rc=$?
check_eq "B mirrors A" "$rc" 0
check "… and holds leak.txt" test -e "$B/mirrors/demo/leak.txt"

# --- withhold a file and a folder ---
out=$($BROADSIDE --data "$A" withhold demo leak.txt --reason "names a source" 2>&1)
check "withhold a file says what left" grep -q "withheld leak.txt: 1 file and 0 folders left" <<<"$out"
out=$($BROADSIDE --data "$A" withhold demo ./secret/ --reason "internal memo" 2>&1)
check "withhold a folder says what left" grep -q "withheld secret: 2 files and 2 folders left" <<<"$out"
check "… and that the manifests were re-signed" grep -q "manifests re-signed" <<<"$out"
check_eq "the files on disk are untouched" "$(sums)" "$disk_before"
check "serve sees it" wait_for 5 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $U/f/demo/leak.txt)\" = 404 ]"

# Every view answers as for a path that never existed: same status, headers and body.
# The never-existed path ends in the same name (a 404 offers a search for the
# name it was asked for) under a folder that does not exist either, so that
# its nearest folder is the collection, as a withheld folder's must be.
resp() { curl -s -D - "$U/$1" | grep -avi '^date:'; }
same_as_never() { # same_as_never PREFIX PATH
  local base=${2%/}; base=${base##*/}
  local never="never-existed-$RANDOM/$base"
  case $2 in */) never="$never/" ;; esac
  [ "$(resp "$1/demo/$2")" == "$(resp "$1/demo/$never")" ]; }
for v in f c r p i d; do
  for p in leak.txt secret secret/ secret/memo.txt secret/deeper/d.txt; do
    check "/$v/demo/$p answers like a path that never existed" same_as_never "$v" "$p"
  done
done
# A view of the whole collection or folder (a folder archive, a listing)
# must not carry them either: archives are opened and their names listed.
no_trace() { # no_trace URL: 404, or a body that names neither
  local c; c=$(curl -s -o "$T/view.bin" -w '%{http_code}' "$U/$1")
  [ "$c" != 200 ] && return 0
  python3 - "$T/view.bin" <<'PY'
import io, sys, tarfile, zipfile
data = open(sys.argv[1], "rb").read()
names = []
try:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
except Exception:
    try:
        names = tarfile.open(fileobj=io.BytesIO(data)).getnames()
    except Exception:
        names = [data.decode("latin-1")]
bad = [n for n in names if "leak.txt" in n or "secret/" in n or "quokkaleakword" in n]
sys.exit(1 if bad else 0)
PY
}
for v in c d r p i; do
  check "/$v/demo/ shows no trace of them" no_trace "$v/demo/"
done
check_eq "/f/ of the withheld file: 404" "$(code f/demo/leak.txt)" 404
check_eq "the folder page: 404" "$(code c/demo/secret/)" 404
folder=$(curl -s "$U/c/demo/")
check "the collection page lists neither" bash -c "! grep -Eq 'leak\.txt|secret' <<<\"\$1\"" _ "$folder"
check "… and counts what is left (42 files)" grep -q "42 files" <<<"$(curl -s "$U/")"
check_eq "search: the file's word finds nothing" "$(hits quokkaleakword)" 0
check_eq "search: the folder's word finds nothing" "$(hits zanzibarfolderword)" 0
check "the search page says nothing matched" grep -q "Nothing matched" <<<"$(curl -s "$U/search?q=quokkaleakword")"
check "the words are gone from the catalogue file" \
  bash -c "! cat '$A'/catalogue.db* | grep -aqE 'quokkaleakword|zanzibarfolderword'"
G=$T/got; mkdir -p "$G"
for f in SHA256SUMS SHA256SUMS.minisig index.json index.json.minisig; do curl -sf -o "$G/$f" "$U/m/demo/$f"; done
check "SHA256SUMS lists neither" bash -c "! grep -Eq 'leak\.txt|secret/' '$G/SHA256SUMS'"
check "index.json lists neither" bash -c "! grep -Eq 'leak\.txt|secret/' '$G/index.json'"
check_eq "index.json counts 42 files" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["count"])' "$G/index.json")" 42
check "SHA256SUMS verifies: minisign -V" minisign -V -q -p "$A/keys/publisher.pub" -m "$G/SHA256SUMS"
check "index.json verifies: minisign -V" minisign -V -q -p "$A/keys/publisher.pub" -m "$G/index.json"
check "the trusted comment counts 42 files" grep -q "files:42" "$G/index.json.minisig"
check "sha256sum -c passes on the folder" bash -c "cd '$C' && sha256sum --quiet -c '$G/SHA256SUMS'"

# refresh does not add them back.
out=$($BROADSIDE --data "$A" refresh demo 2>/dev/null)
check "refresh reports what it skipped" grep -q "2 withheld" <<<"$out"
check "refresh leaves them out of the manifest" bash -c "! grep -Eq 'leak\.txt|secret/' '$A/manifests/demo/SHA256SUMS'"
check_eq "… and of search" "$(hits quokkaleakword)" 0
touch "$C/leak.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null 2>&1
check_eq "a changed withheld file stays withheld" "$(code f/demo/leak.txt)" 404

# The mirror drops them on its next run (3 of 45 files: under the 10% that needs --accept-removals).
out=$(mirror); rc=$?
echo "$out" | sed 's/^/# /'
check_eq "B's next run succeeds" "$rc" 0
check "… and drops the withheld file" test ! -e "$B/mirrors/demo/leak.txt"
check "… and the withheld folder's files" test ! -e "$B/mirrors/demo/secret/memo.txt"
check_eq "B no longer finds the word" "$(hits quokkaleakword "$B")" 0

# Backup and restore keep the withholding (it lives in the catalogue, which the
# identity backup carries).
$BROADSIDE --data "$A" backup "$T/a.bk" --passphrase-file "$T/pass" >/dev/null 2>&1
check "restore succeeds" $BROADSIDE --data "$T/r" restore "$T/a.bk" --passphrase-file "$T/pass"
check "the restored appliance lists the withholdings" \
  bash -c "$BROADSIDE --data '$T/r' withheld demo | grep -q 'leak.txt' && $BROADSIDE --data '$T/r' withheld demo | grep -q 'secret'"
check "restored manifests leave them out" bash -c "! grep -Eq 'leak\.txt|secret/' '$T/r/manifests/demo/SHA256SUMS'"
$BROADSIDE --data "$T/r" refresh demo -q >/dev/null 2>&1
check "… and so does a refresh there" bash -c "! grep -Eq 'leak\.txt|secret/' '$T/r/manifests/demo/SHA256SUMS'"
check_eq "… and its search" "$(hits quokkaleakword "$T/r")" 0
check "restored manifests verify" minisign -V -q -p "$T/r/keys/publisher.pub" -m "$T/r/manifests/demo/index.json"

# rm and add again: the rule outlives the collection.
$BROADSIDE --data "$T/r" rm demo >/dev/null
$BROADSIDE --data "$T/r" add "$C" --slug demo --title "Demo" -q >/dev/null 2>&1
check "a new add of the slug keeps the withholding" bash -c "! grep -q 'leak\.txt' '$T/r/manifests/demo/SHA256SUMS'"

# A withholding waits for a running ingest (it read the rules when it began).
flock "$A" sleep 1.5 &
FL=$!
sleep 0.3
out=$($BROADSIDE --data "$A" withhold demo pub/f40.txt --reason "after the ingest" 2>&1)
wait $FL
check "withhold waits for a command changing the data dir" grep -q "waiting for another command" <<<"$out"
check "… then withholds" grep -q "withheld pub/f40.txt: 1 file" <<<"$out"

# --- globs ---
out=$($BROADSIDE --data "$A" withhold demo '*.eml' --reason "mail" 2>&1)
check "a glob without '/' matches at any depth" grep -q "withheld \*.eml: 2 files and 0 folders" <<<"$out"
check "… both mails leave the manifest" bash -c "! grep -q '\.eml' '$A/manifests/demo/SHA256SUMS'"
check_eq "… and search" "$(hits platypusmailword)" 0
out=$($BROADSIDE --data "$A" withhold demo 'pub/f0[1-3].txt' --reason "three" 2>&1)
check "a glob with '/' matches the path" grep -q "3 files and 0 folders" <<<"$out"
check "… pub/f04.txt stays" grep -q "pub/f04.txt" "$A/manifests/demo/SHA256SUMS"
out=$($BROADSIDE --data "$A" withhold demo 'nothing/here' --reason "typo?" 2>&1)
check "a path that matches nothing is said" grep -q "nothing catalogued matches" <<<"$out"
check "withhold refuses '..'" bash -c "! $BROADSIDE --data '$A' withhold demo ../x --reason r 2>/dev/null"
check "withhold needs a reason" bash -c "! $BROADSIDE --data '$A' withhold demo leak.txt 2>/dev/null"
out=$($BROADSIDE --data "$A" withhold later leak.txt --reason "before add" 2>&1)
check "withhold before add says so" grep -q "there is no collection later yet" <<<"$out"
$BROADSIDE --data "$A" add "$C" --slug later --title "Later" -q >/dev/null 2>&1
check "… and add leaves it out" bash -c "! grep -q 'leak\.txt' '$A/manifests/later/SHA256SUMS' && grep -q 'pub/f01.txt' '$A/manifests/later/SHA256SUMS'"
check "withhold refuses a bad collection name" bash -c "! $BROADSIDE --data '$A' withhold 'No/such' leak.txt --reason r 2>/dev/null"

# --- the reason is the publisher's, printed escaped ---
$BROADSIDE --data "$A" withhold demo pub/f10.txt --reason $'evil \e[2J\e]0;title\a \u202egpj.exe\tend' >/dev/null 2>&1
out=$($BROADSIDE --data "$A" withheld demo)
check "withheld prints the reason escaped (no ESC byte)" bash -c "! grep -q $'\e' <<<\"\$1\"" _ "$out"
check "… no bidi override" bash -c "! grep -q $'\u202e' <<<\"\$1\"" _ "$out"
check "… but shows it" grep -q 'evil \\x1b\[2J' <<<"$out"
check "the reason is never served" bash -c "! curl -s '$U/' '$U/c/demo/' '$U/m/demo/index.json' | grep -Eq 'names a source|evil'"

# --- unwithhold brings them back ---
out=$($BROADSIDE --data "$A" unwithhold demo leak.txt 2>&1)
check "unwithhold says so" grep -q "leak.txt is no longer withheld" <<<"$out"
check "… and the refresh read it" grep -q "1 added" <<<"$out"
check "leak.txt is served again" wait_for 5 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $U/f/demo/leak.txt)\" = 200 ]"
check_eq "… its word is found again" "$(hits quokkaleakword)" 1
check "… it is in the manifest again" grep -q " leak.txt$" "$A/manifests/demo/SHA256SUMS"
check "… which verifies" minisign -V -q -p "$A/keys/publisher.pub" -m "$A/manifests/demo/SHA256SUMS"
check "the folder is still withheld" bash -c "! grep -q 'secret/' '$A/manifests/demo/SHA256SUMS'"
check "unwithhold of what is not withheld fails" bash -c "! $BROADSIDE --data '$A' unwithhold demo leak.txt 2>/dev/null"
$BROADSIDE --data "$A" unwithhold demo secret -q >/dev/null 2>&1
check_eq "the folder is back" "$(code c/demo/secret/memo.txt)" 200
check "withheld lists what is left" bash -c "$BROADSIDE --data '$A' withheld | grep -q '\*.eml' && ! $BROADSIDE --data '$A' withheld | grep -q '^demo  leak.txt'"
check_eq "the files on disk were never touched" "$(sums)" "$disk_before"
done_testing
