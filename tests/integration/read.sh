#!/usr/bin/env bash
# The reading view /r/<slug>/<path> against the real server, with documents
# made by real tools (python's zipfile, tar, iconv-like encoders): a text with
# a hit on line 400, Latin-1 and UTF-16 (LE and BE, paged), a 50,000-row CSV
# (every row exactly once across its pages), an e-mail with an HTML part and
# an attachment, an HTML page, a Word file, a three-page PDF (paged by its own pages), a zip with a hostile name and 1,200 entries, a
# tar.gz; hostile markup never becomes markup; the file page and search link
# the view; a PDF's and an HTML page's text cut at the 256 KiB kept says so on
# the page (of how long a text: pdftotext's count; else the file's size) and
# links the whole file, as stored at ingest (a PDF 2 bytes short of the cap is
# not cut; a catalogue from before the flag gets the length's inference on
# its upgrade), while 1 MB of plain text is read whole.
# Headless Chromium with JavaScript off (the profile's content
# setting, as pages.sh) at 1280x900 and 390x844 (an e-mail, a CSV, Latin-1,
# UTF-16, a zip, a PDF's reading view, an MP4's page and the page of a JPEG
# with GPS, its clean copy drawn): the content is in the DOM,
# screenshots in build/test-output/read/; the hit on line 400 is in the
# viewport after the #hit1 jump, asked over the DevTools protocol
# (tests/cdp.py: a fragment-scrolled --screenshot is blank in this Chromium).
. "$(dirname "$0")/../lib.sh"
PC="python3 $TOP/tests/pagecheck.py"
OUT=$TOP/build/test-output/read
rm -rf "$OUT"; mkdir -p "$OUT"
D=$T/data C=$T/coll
mkdir -p "$C/docs"
/usr/bin/python3 - "$C/docs" <<'PY'   # Debian's, with python3-pil (a pyenv python may lack it)
import os, sys, zipfile, io
d = sys.argv[1]
lines = [f"line {i} of the plain text file\n" for i in range(1, 1001)]
lines[399] = "line 400 holds zeppelin <script>alert(1)</script></div><img src=x onerror=alert(2)>\n"
open(f"{d}/long.txt", "w").write("".join(lines))
open(f"{d}/latin1.txt", "wb").write("Café crème brûlée, façade à Zürich\n".encode("latin-1"))
# A photo with GPS in its EXIF (its page shows the clean copy) and an MP4's
# header (its page a <video> that loads nothing until played).
from PIL import Image
exif = Image.Exif()
exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
Image.new("RGB", (640, 480), (220, 20, 20)).save(f"{d}/photo.jpg", exif=exif.tobytes(), quality=90)
open(f"{d}/clip.mp4", "wb").write(b"\0\0\0\x18ftypisom\0\0\0\0isommp41")
open(f"{d}/utf16.txt", "wb").write(b"\xff\xfe" + "Grüße aus Köln ✓\n".encode("utf-16-le"))
# Long enough to page (64 KiB a page): every line must come back once.
big16 = "".join(f"Zeile {i} – Überprüfung\n" for i in range(1, 6001))
open(f"{d}/big-utf16be.txt", "wb").write(b"\xfe\xff" + big16.encode("utf-16-be"))
open(f"{d}/big-latin1.txt", "wb").write("".join(f"ligne {i} déjà vu\n" for i in range(1, 8001)).encode("latin-1"))
with open(f"{d}/big.csv", "w") as f:
    f.write("id,name,city,amount\n")
    for i in range(1, 50001):
        f.write(f'{i},"Name, {i}",City{i % 100},{i * 3}\n')
open(f"{d}/tab.tsv", "w").write("a\tb\n<i>1</i>\t2\n")
open(f"{d}/mail.eml", "w").write("""From: Alice <alice@example.org>
To: Bob <bob@example.org>
Cc: Carol <carol@example.org>
Subject: Quarterly <b>report</b>
Date: Tue, 1 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: multipart/alternative; boundary="YY"

--YY
Content-Type: text/plain

Plain body of the mail.
--YY
Content-Type: text/html

<html><body><p>HTML part <script>alert(3)</script><b>bold words</b></p></body></html>
--YY--
--XX
Content-Type: application/pdf; name="budget.pdf"
Content-Disposition: attachment; filename="budget <img src=x>.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfs
--XX--
""")
open(f"{d}/page.html", "w").write("<html><head><title>Title</title><script>alert(1)</script></head>"
    "<body><h1>Heading words</h1><p>Para &amp; <i>italic</i></p><iframe src=x></iframe></body></html>")
with zipfile.ZipFile(f"{d}/arch.zip", "w") as z:
    z.writestr("sub/<img src=x onerror=alert(1)>.txt", "x" * 1234)
    for i in range(1200):
        z.writestr(f"many/f{i:04d}.txt", "y")
# A three-page PDF (pdftotext reads it in the jail): the view pages by its own pages.
def pdf(pages):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
    kids = []
    for text in pages:
        lines = text if isinstance(text, list) else [text]
        stream = ("BT /F1 12 Tf 9 TL 72 720 Td " + " ".join(f"({t}) Tj T*" for t in lines) + " ET").encode()
        kids.append(len(objs) + 1)
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (len(objs) + 2, 3 * len(pages) + 3))
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objs.append(b"<< >>")   # unused: keeps the numbering simple
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(pages))
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offs = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offs.append(len(out)); out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(out)
# A Word file (python's zipfile): its text, never its XML.
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
with zipfile.ZipFile(f"{d}/memo.docx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr('word/document.xml', '<?xml version="1.0" encoding="UTF-8"?>'
               f'<w:document {W}><w:body><w:p><w:r><w:t>The hangar &lt;script&gt; memo</w:t></w:r></w:p>'
               '<w:p><w:r><w:t>Second paragraph</w:t></w:r></w:p></w:body></w:document>')
open(f"{d}/three.pdf", "wb").write(pdf(["first page words", "second page holds zeppelin", "third page words"]))
# Text past the 256 KiB kept per file: a 200-page PDF (~650 KB of text) and
# an HTML page (~480 KB); a plain text file of 1 MB is read whole from disk.
open(f"{d}/huge.pdf", "wb").write(pdf([[f"page {p} line {l} of the long report" for l in range(80)]
                                       for p in range(1, 201)]))
open(f"{d}/huge.html", "w").write("<html><body>" + "".join(f"<p>paragraph {i} of the long page</p>"
                                                           for i in range(12000)) + "</body></html>")
# A PDF whose whole text, as kept (pages apart by U+2029), is 2 bytes short
# of the cap: not cut, though within the 4 bytes the length once implied it.
# pdftotext measures each try; lines of w on a last page take up the rest.
import subprocess
body = [[f"page {p} line {l} of the near report" for l in range(80)] for p in range(1, 94)]
fill, want = [], 256 * 1024 - 2
for _ in range(8):
    raw = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", "-", "-"], input=pdf(body + [fill]),
                         capture_output=True, check=True).stdout
    kept = len(raw) - raw.count(b"\f") + 3 * len(body)
    if kept == want:
        break
    n = sum(len(l) + 1 for l in fill) + want - kept
    fill = ["w" * 39] * (n // 40) + (["w" * (n % 40 - 1)] if n % 40 > 1 else [])
assert kept == want, kept
open(f"{d}/near.pdf", "wb").write(pdf(body + [fill]))
open(f"{d}/huge.txt", "w").write("".join(f"line {i} of the huge text file\n" for i in range(1, 33001)))
PY
mkdir -p "$T/t/inner" && echo hello >"$T/t/inner/hello.txt" && tar -C "$T/t" -czf "$C/docs/arch.tar.gz" inner

$BROADSIDE --data "$D" init >/dev/null
echo "limits = no" >>"$D/broadside.conf"
check "add registers the collection" $BROADSIDE --data "$D" add "$C" --slug demo --title Demo
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
SERVE_PID=$BG_PID
check "server answers" wait_for 20 curl -sf -o /dev/null $U/
R=$U/r/demo/docs
page() { local url=$1; shift; $PC page "$url" "$@" >>"$T/page.log" 2>&1 || { tail -n 5 "$T/page.log"; return 1; }; }
has() { grep -qF -- "$2" <<<"$1"; }
hasnt() { ! grep -qF -- "$2" <<<"$1"; }

p=$(curl -s "$R/long.txt?q=zeppelin")
check "text: the hit is marked and numbered" has "$p" '<mark id="hit1">zeppelin</mark>'
check "text: markup in the document is text" has "$p" '&lt;script&gt;alert(1)&lt;/script&gt;&lt;/div&gt;&lt;img src=x onerror=alert(2)&gt;'
check "text: no markup from the document" hasnt "$p" '<img'
check "text: line 1000 on the one page" has "$p" 'line 1000 of the plain text file'
check "text page passes the page checks" page "$R/long.txt?q=zeppelin" --text 'line 400 holds zeppelin <script>alert(1)</script>'
check "Latin-1 decoded" page "$R/latin1.txt" --text 'Café crème brûlée, façade à Zürich'
check "UTF-16 LE decoded" page "$R/utf16.txt" --text 'Grüße aus Köln ✓'
check "Latin-1 shows no U+FFFD" hasnt "$(curl -s "$R/latin1.txt")" $'\ufffd'

# Every line (row) of a paged document exactly once, in order, across its pages.
every_once() { # URL REGEX FIRST LAST
  python3 - "$@" <<'PY'
import html, re, sys, urllib.request
url, rx, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
got, page, npages = [], 1, 1
while page <= npages:
    body = urllib.request.urlopen(f"{url}?page={page}").read().decode()
    m = re.search(r"Page (\d+) of (\d+)", body)
    npages = int(m.group(2)) if m else 1
    got += [int(x) for x in re.findall(rx, html.unescape(body))]
    page += 1
want = list(range(first, last + 1))
print(f"# {url}: {npages} pages, {len(got)} items")
sys.exit(got != want)
PY
}
check "UTF-16 BE, paged: every line once, in order" every_once "$R/big-utf16be.txt" 'Zeile (\d+) – Überprüfung\n' 1 6000
check "Latin-1, paged: every line once, in order" every_once "$R/big-latin1.txt" 'ligne (\d+) déjà vu\n' 1 8000
check "50,000-row CSV: every row once, in order, as table rows" every_once "$R/big.csv" '<tr><td>(\d+)</td><td>Name, \d+</td>' 1 50000
p=$(curl -s "$R/big.csv")
check "CSV: the header row as <th>" has "$p" '<th scope="col">id</th><th scope="col">name</th>'
check "CSV: quoted cell with a comma" has "$p" '<td>Name, 1</td>'
check "CSV page under the page weight" page "$R/big.csv?page=7"
check "TSV: a table, markup escaped" page "$R/tab.tsv" --text '<i>1</i>'
check "a page past the end shows the last" has "$(curl -s "$R/big.csv?page=999999")" '<td>50000</td>'

p=$(curl -s "$R/mail.eml?q=report")
check "mail: Subject, From, To, Cc, Date" page "$R/mail.eml" --text 'Quarterly <b>report</b>' --text 'Alice <alice@example.org>' \
  --text 'Bob <bob@example.org>' --text 'Carol <carol@example.org>' --text 'Tue, 1 Dec 2026 10:00:00 +0000'
check "mail: plain and HTML parts as text" page "$R/mail.eml" --text 'Plain body of the mail.' --text 'HTML part bold words'
check "mail: the attachment listed, its name escaped" page "$R/mail.eml" --text 'budget <img src=x>.pdf'
check "mail: a hit in the subject is marked" has "$p" '<mark id="hit1">report</mark>'
check "mail: no markup from the message" hasnt "$p" '<b>bold'
check "HTML page as text, never its markup" page "$R/page.html" --text 'Heading words' --text 'Para & italic'
check "HTML page: no iframe, no heading of the document" bash -c '! grep -qE "<iframe|<h1>Heading" <<<"$1"' _ "$(curl -s "$R/page.html")"

p=$(curl -s "$R/three.pdf?q=zeppelin")
check "PDF: opened at its own page with the hit" has "$p" 'PDF page 2 of 3'
check "PDF: the hit marked" has "$p" '<mark id="hit1">zeppelin</mark>'
check "PDF: page 3 by its number" page "$R/three.pdf?page=3" --text 'third page words'
check "PDF: one page's text a page" hasnt "$(curl -s "$R/three.pdf?page=3")" 'first page words'
p=$(curl -s "$R/huge.pdf")
# The whole text's length, as the jail's pdftotext counts it (page breaks not counted).
whole=$(pdftotext -q -enc UTF-8 "$C/docs/huge.pdf" - | tr -d '\f' | wc -c)
whole=$(awk -v n="$whole" 'BEGIN { printf "%.1f kB", n / 1000 }')
check "PDF past the kept text: says it is cut, how much is shown of how long a text ($whole)" has "$p" \
  "<p class=\"notice\" role=\"status\">This text is cut: only its first 262.1 kB of $whole are shown here."
check "… stored at ingest: cut, and the whole text's length" bash -c '[ "$(sqlite3 "$1" "SELECT d.cut, d.whole > 500000 FROM docs d JOIN files f ON f.id = d.id WHERE f.path = '"'docs/huge.pdf'"'")" = "1|1" ]' _ "$D/catalogue.db"
check "… and leads to the whole file" has "$p" '<a href="/f/demo/docs/huge.pdf" download>Download the whole file</a> for the rest.'
check "… still by its own pages" has "$p" 'PDF page 1 of '
p=$(curl -s "$R/huge.pdf?page=999")
check "PDF past the kept text: the last page says it again where the text ends" bash -c '[ "$(grep -c "This text is cut" <<<"$1")" = 2 ]' _ "$p"
check "PDF past the kept text: the page passes the page checks" page "$R/huge.pdf?page=999" --text 'This text is cut'
check "HTML past the kept text: says it is cut" has "$(curl -s "$R/huge.html")" 'This text is cut: only its first 262.1 kB are shown here'
p=$(curl -s "$R/huge.txt?page=999")
check "1 MB of plain text: read whole, its last line on its last page" has "$p" 'line 33000 of the huge text file'
check "… and nothing said of a cut" hasnt "$p" 'This text is cut'
check "a short PDF says nothing of the kind" hasnt "$(curl -s "$R/three.pdf")" 'This text is cut'
p=$(curl -s "$R/near.pdf?page=999")
check "a PDF whose whole text is kept, 2 bytes short of the cap: nothing said of a cut" hasnt "$p" 'This text is cut'
check "… its last words on its last page" has "$p" 'wwwwwwwww'
check "HTML past the kept text: of the file's size (its whole text is not known)" has "$(curl -s "$R/huge.html")" \
  "(the whole file is $(awk -v n="$(stat -c %s "$C/docs/huge.html")" 'BEGIN { printf "%.1f kB", n / 1000 }'))"
check "Word file as text" page "$R/memo.docx" --text 'The hangar <script> memo' --text 'Second paragraph'
check "Word file: none of its XML" hasnt "$(curl -s "$R/memo.docx")" 'w:t'
p=$(curl -s "$R/arch.zip")
check "zip: entries listed, names escaped" page "$R/arch.zip" --text 'sub/<img src=x onerror=alert(1)>.txt' --text 'many/f0000.txt'
check "zip: sizes" has "$p" '1.2 kB'
check "zip: bounded, the rest counted" has "$p" 'and 201 more'
check "tar.gz: entries listed" page "$R/arch.tar.gz" --text 'inner/hello.txt'
check "search finds a name inside an archive" has "$(curl -s "$U/search?q=f0007")" '/r/demo/docs/arch.zip?q=f0007#hit1'

check "file page links the reading view" has "$(curl -s "$U/c/demo/docs/mail.eml")" 'href="/r/demo/docs/mail.eml"'
check "search results open the view at the first hit" has "$(curl -s "$U/search?q=zeppelin")" 'href="/r/demo/docs/long.txt?q=zeppelin#hit1"'
check "a hostile query is echoed as text" page "$R/long.txt?q=%3Cscript%3E%22zeppelin" --text '<script>"zeppelin'
check_eq "unknown file: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$R/nothing.txt")" 404
check_eq "/r/ of a folder: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/r/demo/docs/")" 404
h=$(curl -s -D - -o /dev/null "$R/long.txt" | tr -d '\r')
check "the page CSP" grep -q "^Content-Security-Policy: default-src 'none'; style-src 'self'" <<<"$h"
check "… and nosniff" grep -qx 'X-Content-Type-Options: nosniff' <<<"$h"

# --- headless Chromium, JavaScript off ---
CHROME=/usr/lib/chromium/chromium; [ -x "$CHROME" ] || CHROME=$(command -v chromium || true)
check "chromium is installed" test -n "$CHROME"
profile() { local ud; ud=$(mktemp -d "$T/chrome.XXXXXX"); mkdir -p "$ud/Default"
  echo '{"profile":{"default_content_setting_values":{"javascript":2}}}' >"$ud/Default/Preferences"; echo "$ud"; }
chrome() {
  local log=$1; shift
  local ud; ud=$(profile)
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$ud" --enable-logging=stderr --v=0 "$@" 2>"$log"
  local rc=$?
  rm -rf "$ud"
  return $rc
}
CONSOLE_RE='CONSOLE|Content Security Policy|Refused to'
console_clean() { ! grep -aE "$CONSOLE_RE" "$1"; }
browse() { # name URL TEXT...
  local name=$1 url=$2; shift 2
  chrome "$OUT/$name.log" --dump-dom "$url" >"$OUT/$name.dom.html"
  check "chromium $name: DOM rendered" grep -q '</html>' "$OUT/$name.dom.html"
  local t
  for t in "$@"; do check "chromium $name: DOM has '$t'" grep -qF -- "$t" "$OUT/$name.dom.html"; done
  check "chromium $name: no CSP violation or console message" console_clean "$OUT/$name.log"
  [ -n "${ASAN_SLOW:-}" ] && return
  for wh in 1280,900 390,844; do
    chrome "$OUT/$name-${wh%,*}.log" --window-size=$wh --screenshot="$OUT/$name-${wh%,*}.png" "$url" >/dev/null
    check "chromium $name: screenshot at ${wh/,/x}" test -s "$OUT/$name-${wh%,*}.png"
  done
}
browse mail "$R/mail.eml" 'Quarterly &lt;b&gt;report&lt;/b&gt;' 'Plain body of the mail.' 'HTML part bold words' 'budget &lt;img src=x&gt;.pdf'
browse csv "$R/big.csv?page=20" '<td>Name, 2' 'Page 20 of'
browse latin1 "$R/latin1.txt" 'Café crème'
browse utf16 "$R/utf16.txt" 'Grüße aus Köln ✓'
browse zip "$R/arch.zip" 'sub/&lt;img src=x onerror=alert(1)&gt;.txt' 'and 201 more'
browse pdf "$R/three.pdf?q=zeppelin" 'PDF page 2 of 3' '<mark id="hit1">zeppelin</mark>'
browse mp4 "$U/c/demo/docs/clip.mp4" '<video controls="" preload="none" src="/f/demo/docs/clip.mp4">'
browse photo "$U/c/demo/docs/photo.jpg" '<img src="/i/demo/docs/photo.jpg"'
check "DOM has no script, img or iframe element (but the photo's clean copy)" bash -c "! grep -qiE '<script|<iframe' \"$OUT\"/*.dom.html && ! grep -liE '<img' \"$OUT\"/*.dom.html | grep -v '/photo.dom.html$'"
if [ -z "${ASAN_SLOW:-}" ]; then
  for w in 1280 390; do
    check "chromium photo at $w px: the clean copy is drawn (red in the screenshot)" /usr/bin/python3 -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
red = sum(1 for r, g, b in im.getdata() if r > 180 and g < 70 and b < 70)
assert red > 20000, red' "$OUT/photo-$w.png"
  done
fi
# The hit on line 400 after the #hit1 jump, at both sizes.
for wh in 1280,900 390,844; do
  ud=$(profile)
  dport=$(free_port)
  bg_start "$OUT/hit-${wh%,*}.chrome.log" timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
    --hide-scrollbars --user-data-dir="$ud" --remote-debugging-port=$dport --window-size=$wh about:blank
  cpid=$BG_PID
  res=$(python3 "$TOP/tests/cdp.py" $dport "$R/long.txt?q=zeppelin#hit1" '#hit1' "$OUT/hit-${wh%,*}.png")
  kill $cpid 2>/dev/null
  echo "# $wh: $res"
  check "chromium ${wh/,/x}: the hit on line 400 is marked" grep -qF '<mark id=\"hit1\">zeppelin</mark>' <<<"$res"
  check "chromium ${wh/,/x}: … and in the viewport after the jump" python3 -c '
import json, sys; r = json.loads(sys.argv[1])
sys.exit(not (r["found"] and r["scrollY"] > 0 and 0 <= r["top"] and r["bottom"] <= r["viewport"]))' "$res"
done
# A changed file is not shown as published (its checksum no longer holds).
echo "changed" >>"$C/docs/latin1.txt"
check_eq "a file changed since ingest: 503" "$(curl -s -o /dev/null -w '%{http_code}' "$R/latin1.txt")" 503
ls "$OUT"/*.png | sed "s|^$TOP/|# screenshot |"
check_eq "server still running" "$(curl -s -o /dev/null -w '%{http_code}' $U/)" 200

# A catalogue from before the cut flag (schema 7): read as it is, the cut is
# inferred from the length; refresh upgrades it and stores that inference.
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
sqlite3 "$D/catalogue.db" "ALTER TABLE docs DROP COLUMN cut; ALTER TABLE docs DROP COLUMN whole; PRAGMA user_version = 7"
bg_start "$T/serve7.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "server answers on the v7 catalogue" wait_for 20 curl -sf -o /dev/null $U/
check "v7: a PDF past the kept text says it is cut, of the file's size" has "$(curl -s "$R/huge.pdf")" 'This text is cut: only its first 262.1 kB are shown here (the whole file is'
check "refresh upgrades it" $BROADSIDE --data "$D" refresh demo -q
check_eq "schema version 8, the inference stored" "$(sqlite3 "$D/catalogue.db" "PRAGMA user_version; SELECT group_concat(d.cut || coalesce(d.whole, '-'), ' ') FROM docs d JOIN files f ON f.id = d.id WHERE f.path IN ('docs/huge.pdf', 'docs/three.pdf') ORDER BY f.path")" "$(printf '8\n1- 0-')"
done_testing
