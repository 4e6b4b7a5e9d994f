#!/usr/bin/env bash
# Accessibility of every reader page type: axe-core (WCAG 2.2 A and AA rules)
# in Debian's Chromium through puppeteer-core (tests/a11y/axe.js), at 1280x900
# and 390x844, in one browser run against one server: home, a folder, a file,
# search with hits and with none (and with its filters open, and what to try
# instead), the reading view, a PDF's page view, a 404.
# Also: the first Tab reaches a visible skip link to <main>, the results have
# a heading, the no-hit page has exactly one status message. The npm packages
# are pinned by tests/a11y/package-lock.json and installed with `npm ci` into
# build/a11y/ (once; again when the lock changes). JavaScript is on for the
# checker only: the pages have none. Screenshots in build/test-output/a11y/.
. "$(dirname "$0")/../lib.sh"
OUT=$TOP/build/test-output/a11y
NM=$TOP/build/a11y
rm -rf "$OUT"; mkdir -p "$OUT"

# --- the checker: pinned npm packages, installed once ---
check "node and npm are installed" bash -c 'command -v node && command -v npm' >/dev/null
if ! cmp -s "$TOP/tests/a11y/package-lock.json" "$NM/package-lock.json" || [ ! -d "$NM/node_modules/axe-core" ]; then
  rm -rf "$NM"; mkdir -p "$NM"
  cp "$TOP/tests/a11y/package.json" "$TOP/tests/a11y/package-lock.json" "$NM/"
  # --ignore-scripts: nothing downloads a browser; Debian's Chromium is used.
  (cd "$NM" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1 || cat "$T/npm.log"
fi
check "npm ci installed axe-core and puppeteer-core" test -f "$NM/node_modules/axe-core/axe.min.js" -a -d "$NM/node_modules/puppeteer-core"
CHROME=/usr/lib/chromium/chromium; [ -x "$CHROME" ] || CHROME=$(command -v chromium || true)
check "chromium is installed" test -n "$CHROME"

# --- a small collection with one of each page type ---
D=$T/data C=$T/coll
mkdir -p "$C/papers/memos" "$C/many"
python3 - "$TOP/scripts/demo/make-sample" "$C" <<'PY'
import sys
from importlib.machinery import SourceFileLoader
ms = SourceFileLoader("ms", sys.argv[1]).load_module()
c = sys.argv[2]
open(f"{c}/papers/report.pdf", "wb").write(ms.make_pdf(["Harbour dredging report", "zeppelin budget lines"]))
open(f"{c}/papers/memos/memo-1.txt", "w").write("The zeppelin memo.\nSecond line.\n")
for i in range(120):   # two pagers, the filter form and the phone sort links
    open(f"{c}/many/entry-{i:03d}-" + "long-name-" * (i % 3) + ".txt", "w").write(f"entry {i}\n")
PY
$BROADSIDE --data "$D" init >/dev/null
$BROADSIDE --data "$D" add "$C" --slug papers --title "Papers" --description "Test papers" --quiet >/dev/null 2>&1
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

# --- browse-level facts a reader needs, checked in the HTML ---
many=$(curl -s "$U/c/papers/many/")
check "folder: a pager above and below the listing" test "$(grep -o 'class="pager' <<<"$many" | wc -l)" -ge 2
check "folder: the title carries the collection" grep -qF '<title>many — Papers · ' <<<"$many"
check "folder: sort by date offered to phones" grep -qF '<p class="sortby">' <<<"$many"
check_eq "folder: page 999 is the last page" "$(curl -s "$U/c/papers/many/?page=999" | grep -o 'page [0-9]* of [0-9]*' | head -n 1)" "page 3 of 3"
check "search: page 999 is the last page" grep -qF 'page 6 of 6' <<<"$(curl -s "$U/search?q=entry&page=999")"
f=$(curl -s "$U/c/papers/many/?name=LONG-name-long")
check "folder filter: case folded, the matching names only" bash -c 'grep -q "entry-002-long-name-long-name-" <<<"$1" && ! grep -q "entry-001-long-name-.txt" <<<"$1" && grep -qF "40 found among 120 looked through" <<<"$1"' _ "$f"
read -r code size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$U/c/papers/many/?name=$(printf '%%3C%.0s' $(seq 1700))")
check "folder filter: a 5,100-byte filter is cut, the page stays small ($code, $size bytes)" test "$code" = 200 -a "$size" -lt 20000
nf=$(curl -s -w '\n%{http_code}' "$U/c/papers/gone/deeper/lost%20memo.txt")
check_eq "missing file: 404" "$(tail -n 1 <<<"$nf")" 404
check "missing file: links the nearest folder and a search for its name" bash -c 'grep -qF "<a href=\"/c/papers/\">" <<<"$1" && grep -qF "href=\"/search?q=lost%20memo&amp;c=papers\"" <<<"$1"' _ "$nf"
check "missing folder: links the folder above" grep -qF '<a href="/c/papers/papers/">' <<<"$(curl -s "$U/c/papers/papers/nothere/")"
check "the PDF's page view answers" curl -sf -o /dev/null "$U/p/papers/papers/report.pdf?n=1"

# --- axe, skip link, headings, status messages, in one browser run ---
NODE_PATH=$NM/node_modules timeout 300 node "$TOP/tests/a11y/axe.js" "$CHROME" "$U" "$OUT" \
  home=/ \
  folder=/c/papers/many/?page=2 \
  folder-filtered=/c/papers/many/?name=long \
  folder-bydate='/c/papers/many/?sort=date&desc=1' \
  collection=/c/papers/ \
  file=/c/papers/papers/memos/memo-1.txt \
  search-hits=/search?q=zeppelin \
  search-nohits=/search?q=qqxyzzy \
  search-empty=/search \
  search-filtered='/search?q=zeppelin&kind=text&from=2000-01-01' \
  search-suggest='/search?q=zeppelin+qqxyzzy&c=papers&kind=pdf' \
  read=/r/papers/papers/memos/memo-1.txt?q=zeppelin \
  pdfpage=/p/papers/papers/report.pdf?n=1 \
  error=/c/papers/papers/missing.txt >"$T/axe.log" 2>&1
axe_rc=$?
cat "$T/axe.log"
_pass=$((_pass + $(grep -c '^ok - ' "$T/axe.log")))
_fail=$((_fail + $(grep -c '^not ok - ' "$T/axe.log")))
check "the axe run finished cleanly" test $axe_rc -eq 0
done_testing
