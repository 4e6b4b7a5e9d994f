# search: on a generated sample plus planted words, a word from a CSV row, a mail
# body (base64 part), a PDF and an HTML page are found with a snippet; a hit
# has its document's title, kind, date and a PDF's page; hostile
# queries answer cleanly; collection filter and limits work.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
python3 "$TOP/scripts/demo/make-sample" "$TREE" --files 200 --size-mb 2 --seed 7 2>/dev/null
check "sample generated" test -d "$TREE/springfield-pd"

# Planted words, one per format.
printf 'SPR-1,2021-01-01,09:00,theft,"1 Main Street",Ann Zanzibarcsv,123,arrest,"stolen bike"\n' \
  >>"$(ls "$TREE"/springfield-pd/incidents/*.csv | head -n 1)"
body=$(printf 'The quokkamail shipment left the depot.' | base64)
printf 'From: a@x\nTo: b@x\nSubject: shipment\nContent-Type: multipart/mixed; boundary=ZZ\n\n--ZZ\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n%s\n--ZZ--\n' \
  "$body" >"$TREE/springfield-pd/planted.eml"
python3 - "$TOP/scripts/demo/make-sample" "$TREE/springfield-pd/planted report.pdf" <<'PY'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[1])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
open(sys.argv[2], "wb").write(ms.make_pdf(["Audit of the pangolinpdf budget", "second line"]))
PY
# Three pages joined: the hit says which page its words are on.
for i in 1 2 3; do
  python3 - "$TOP/scripts/demo/make-sample" "$T/p$i.pdf" "$i" <<'PY'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[1])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
words = {"1": "first page", "2": "second page", "3": "the okapipage is here"}[sys.argv[3]]
open(sys.argv[2], "wb").write(ms.make_pdf([words]))
PY
done
pdfunite "$T/p1.pdf" "$T/p2.pdf" "$T/p3.pdf" "$TREE/springfield-pd/three pages.pdf"
printf '<html><head><title>Planted</title><script>var axolotlscript=1</script></head><body><p>Meet&nbsp;the axolotlhtml&amp;friends</p></body></html>' \
  >"$TREE/shelbyville-sheriff/planted.html"

touch -d '2020-05-05 12:00 UTC' "$TREE/springfield-pd/planted.eml"
"$BROADSIDE" --data "$D" init >/dev/null
check "add sample" sh -c "'$BROADSIDE' --data '$D' add '$TREE' --slug sample --title Sample >/dev/null 2>&1"
mkdir -p "$T/other"; printf 'zanzibarcsv in another collection\n' >"$T/other/o.txt"
check "add second collection" sh -c "'$BROADSIDE' --data '$D' add '$T/other' --slug other --title Other >/dev/null 2>&1"

found() { # found QUERY PATH_SUFFIX [ARGS...]: a hit ends with PATH_SUFFIX and marks the first word
  local word=$1 suffix=$2; shift 2
  "$BROADSIDE" --data "$D" search "$word" --json "$@" | python3 -c '
import json, sys
word, suffix = sys.argv[1].lower().strip("\"*").split()[0], sys.argv[2]
r = json.load(sys.stdin)
hits = [h for h in r["hits"] if h["path"].endswith(suffix)]
ok = hits and ("\x02" + word) in hits[0]["snippet"].lower() and "\x03" in hits[0]["snippet"]
print(r["total"], hits[0]["snippet"] if hits else r)
sys.exit(0 if ok else 1)' "$word" "$suffix"
}
check "word from a CSV row" found zanzibarcsv .csv --collection sample
check "word from a mail body (base64 part)" found quokkamail planted.eml
check "word from a PDF body" found pangolinpdf "planted report.pdf"
check "word from an HTML page" found axolotlhtml planted.html
check_eq "script text is not indexed" "$("$BROADSIDE" --data "$D" search axolotlscript --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" "0"
check_eq "collection filter" "$("$BROADSIDE" --data "$D" search zanzibarcsv --collection other --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["hits"]), r["hits"][0]["collection"])')" "1 other"
check_eq "both collections without filter" "$("$BROADSIDE" --data "$D" search zanzibarcsv --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" "2"
check_eq "limit" "$("$BROADSIDE" --data "$D" search report --limit 3 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["hits"]))')" "3"
hit() { # hit QUERY EXPR: EXPR (python, over h = the first hit) holds
  "$BROADSIDE" --data "$D" search "$1" --json | python3 -c '
import json, sys
h = json.load(sys.stdin)["hits"][0]
print(h); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"
}
check "a hit has its document's title (an e-mail's Subject)" hit quokkamail 'h.get("title") == "shipment"'
check "a hit has its kind and date" hit quokkamail 'h.get("mime") == "message/rfc822" and h["mtime"] > 1500000000'
check "a PDF hit has the page its words are on" hit okapipage 'h["path"].endswith("three pages.pdf") and h.get("page") == 3'
check "a hit on a PDF's first page" hit pangolinpdf 'h.get("page") == 1'
check "phrase" found '"pangolinpdf budget"' "planted report.pdf"
check "prefix" sh -c "'$BROADSIDE' --data '$D' search 'pangol*' | grep -q 'planted report.pdf'"
check "text output marks matches" sh -c "'$BROADSIDE' --data '$D' search quokkamail | grep -q '\[quokkamail\]'"

# Hostile input: always exit 0, valid JSON, never an SQL or FTS error.
bad=0
while IFS= read -r q; do
  out=$("$BROADSIDE" --data "$D" search --json -- "$q" 2>&1); rc=$?
  if [ $rc -ne 0 ] || ! printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null ||
     printf '%s' "$out" | grep -qiE 'sql|fts5|syntax error|malformed'; then
    echo "hostile query failed: [$q] rc=$rc: $out"; bad=$((bad + 1))
  fi
done <<'EOF'
"
"""
*
report*
a*
NEAR(report police, 2)
title:report
{title path}: report
report AND OR NOT
NOT report
(((report
report)))
"unbalanced phrase
'; DROP TABLE files; --
<script>alert(1)</script>
\x00\x01
%_%
^report
-report
+report
report:
:
EOF
check_eq "hostile queries answer cleanly" "$bad" "0"
for q in "$(printf '\xff\xfe\xfd')" "$(printf 'rtl\xe2\x80\xaeevil')" "$(head -c 10240 /dev/zero | tr '\0' 'a')" \
         "$(python3 -c 'print(" ".join(["report"] * 2000))')"; do
  check "odd query answers (${#q} bytes)" sh -c "'$BROADSIDE' --data '$D' search --json -- \"\$1\" | python3 -c 'import json,sys; json.load(sys.stdin)'" _ "$q"
done
check "empty query gives a message" sh -c "'$BROADSIDE' --data '$D' search '' | grep -q 'Type one or more words'"
check "unknown collection gives a message" sh -c "'$BROADSIDE' --data '$D' search x --collection nope | grep -q 'no collection'"

# --- over HTTP, on the search threads (pool.h) ----------------------------------
printf 'limits = no\nsearch_threads = 2\nlog_level = info\n' >>"$D/broadside.conf"
PORT=$(free_port); U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" "$BROADSIDE" --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
SERVE_PID=$BG_PID
check "serve" wait_for 20 curl -sf -o /dev/null $U/
# 16 at once, four different searches: each reader gets its own answer, whole.
words=(zanzibarcsv quokkamail pangolinpdf axolotlhtml)
hits=("incidents/" "planted.eml" "planted%20report.pdf" "planted.html")
args=()
for i in $(seq 0 15); do args+=(-o "$T/par$i.html" "$U/search?q=${words[$((i % 4))]}"); done
check "16 searches at once" curl -s --parallel --parallel-max 16 "${args[@]}"
good=0
for i in $(seq 0 15); do
  k=$((i % 4))
  grep -q "${hits[$k]}" "$T/par$i.html" && grep -q '</html>' "$T/par$i.html" && good=$((good + 1))
done
check_eq "each of the 16 pages holds its own hit, complete" "$good" 16
# Two searches pipelined on one connection: both answered, in order.
resp=$(printf 'GET /search?q=quokkamail HTTP/1.1\r\nHost: x\r\n\r\nGET /search?q=pangolinpdf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
  python3 "$TOP/tests/rawhttp.py" tcp:127.0.0.1:$PORT --timeout 10)
check_eq "pipelined searches: two answers" "$(grep -c '^HTTP/1.1 200' <<<"$resp")" 2
check "pipelined searches: in order" python3 -c "
import sys; r = sys.stdin.read(); a = r.find('planted.eml'); b = r.find('planted%20report.pdf')
sys.exit(0 if 0 <= a < b else 1)" <<<"$resp"
# Readers who reset the connection while their search runs: the answer is
# dropped, the server goes on (ASan checks the connection is not touched).
python3 - "$PORT" <<'PY'
import socket, struct, sys
for i in range(40):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /search?q=offic*+rep*+%d HTTP/1.1\r\nHost: x\r\n\r\n" % i)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()   # RST, most likely before the answer
PY
check "the server is alive after 40 reset searches" kill -0 "$SERVE_PID"
check "and still searches" sh -c "curl -sf '$U/search?q=quokkamail' | grep -q planted.eml"
curl -sf "$U/search?q=okapipage" >"$T/okapi.html"
check "the page names the hit's kind" grep -q 'PDF document · ' "$T/okapi.html"
check "and links the PDF page its words are on" grep -q 'href="/p/sample/springfield-pd/three%20pages.pdf?n=3">on page 3</a>' "$T/okapi.html"
check "and its folder" grep -q '<p class="where"><a href="/c/sample/springfield-pd/"><bdi>Sample</bdi> › <bdi>springfield-pd</bdi></a></p>' "$T/okapi.html"
check "a hit is titled by its document" sh -c "curl -sf '$U/search?q=quokkamail' | grep -q '<bdi>shipment</bdi></a>'"
# Filters: folder, kind, dates; GET parameters, carried on, checked.
nhits() { curl -sf "$U/search?$1" | grep -c '<p class="where">'; }
check_eq "kind=pdf keeps the PDF" "$(nhits 'q=okapipage&kind=pdf')" 1
check_eq "kind=email drops it" "$(nhits 'q=okapipage&kind=email')" 0
check_eq "folder keeps what is below it" "$(nhits 'q=okapipage&c=sample&folder=springfield-pd')" 1
check_eq "another folder drops it" "$(nhits 'q=okapipage&c=sample&folder=shelbyville-sheriff')" 0
check_eq "a folder's name is not a prefix of another's" "$(nhits 'q=okapipage&folder=springfield')" 0
check_eq "dates that hold the file" "$(nhits 'q=quokkamail&from=2020-05-05&to=2020-05-05')" 1
check_eq "dates that do not" "$(nhits 'q=quokkamail&from=2020-05-06')" 0
check_eq "a date that does not parse is dropped" "$(nhits 'q=quokkamail&to=2020-13-45')" 1
check_eq "an unknown kind is dropped" "$(nhits 'q=quokkamail&kind=%3Cscript%3E')" 1
curl -sf "$U/search?q=quokkamail+okapipage&c=sample&kind=pdf&folder=x%22y&from=2020-01-01" >"$T/none.html"
check "the form keeps the filters" grep -q '<option value="pdf" selected>' "$T/none.html"
check "the folder is escaped" grep -q 'value="x&quot;y"' "$T/none.html"
check "no hit: the same words without the filters" grep -q 'href="/search?q=quokkamail%20okapipage&amp;c=sample">the same words without the filters' "$T/none.html"
check "no hit: in all collections" grep -q 'href="/search?q=quokkamail%20okapipage">the same words in all collections' "$T/none.html"
check "no hit: fewer words, filters kept" grep -q 'fewer words: <a href="/search?q=quokkamail&amp;c=sample&amp;folder=x%22y&amp;kind=pdf&amp;from=2020-01-01">' "$T/none.html"
check "no hit: a prefix" sh -c "curl -sf '$U/search?q=quokkamailzz' | grep -q 'href=\"/search?q=quokkamail%2A&amp;c=\"><bdi>quokkamail\*</bdi>'"
# Words the index holds: a typo's neighbour, the other forms of a stem; each
# link replaces the last word and keeps the filters and the language.
curl -sf "$U/search?q=depot+quokkamial" >"$T/typo.html"
check "no hit: a similar word from the index" grep -q 'similar words: <a href="/search?q=depot%20quokkamail&amp;c="><bdi>quokkamail</bdi></a>' "$T/typo.html"
curl -sf "$U/search?q=shipments&kind=pdf&lang=de" >"$T/forms.html"
check "no hit: the other forms of the stem, filters and language kept" grep -q 'andere Formen des Wortes: <a href="/search?q=shipment&amp;c=&amp;kind=pdf&amp;lang=de"><bdi>shipment</bdi></a>' "$T/forms.html"
check "a form is not offered again as a similar word" sh -c "! grep -q 'hnliche W' '$T/forms.html'"
check "pagers carry the filters" sh -c "curl -sf '$U/search?q=report&kind=spreadsheet&from=2000-01-01' | grep -q '&amp;kind=spreadsheet&amp;from=2000-01-01&amp;page=2'"
check "threads ran the searches (no fallback to the loop)" sh -c "! grep -q 'searches run on the event loop' '$T/serve.log'"
check_eq "two search threads" "$(ls /proc/$SERVE_PID/task | wc -l)" 3
kill "$SERVE_PID"
check "serve stops cleanly" wait_for 10 sh -c "! kill -0 $SERVE_PID"

done_testing
