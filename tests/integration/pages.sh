#!/usr/bin/env bash
# The reader pages against the real server: a sample collection plus hostile
# file names and a folder long enough to paginate. Headers, escaping, weight
# and the one subresource on every page (tests/pagecheck.py); a link checker
# over every reachable page; headless Chromium with JavaScript off loading
# home, a folder, file pages (text, image, video) and a search (DOM content,
# no CSP violation or
# console message), with screenshots in build/test-output/pages/.
#
# JavaScript off: --blink-settings=scriptEnabled=false makes this Chromium
# (156, new headless) print nothing for --dump-dom and skip --screenshot, so
# the profile's content setting is used instead (Preferences:
# default_content_setting_values.javascript = 2, what chrome://settings sets);
# a control page proves scripts do not run with it.
# CSP violations and console errors: Chromium logs every console message,
# CSP reports included, as "INFO:CONSOLE..." with --enable-logging=stderr
# --v=0. Any such line fails the page; a control page with a deliberate
# violation proves the detector sees one.
. "$(dirname "$0")/../lib.sh"
PC="python3 $TOP/tests/pagecheck.py"
OUT=$TOP/build/test-output/pages
rm -rf "$OUT"; mkdir -p "$OUT"
D=$T/data C=$T/coll
mkdir -p "$C"
python3 "$TOP/scripts/demo/make-sample" "$C/sample" --files 120 --seed 4 2>/dev/null
check "sample generated" test -d "$C/sample/springfield-pd"

# Hostile names: markup, quotes, entities, bidi override, newline, invalid
# UTF-8, 255-byte Latin and CJK names, a hostile folder. Every file holds the
# word "zeppelin" so one search hits them all.
python3 - "$C" <<'PY'
import os, sys
h = os.path.join(os.fsencode(sys.argv[1]), b"hostile")
d = os.path.join(h, b"<script>alert(1)<")
os.makedirs(d)
names = [b"<script>alert(1)<\xe2\x88\x95script>.txt",        # U+2215 looks like '/'
         b"<img src=x onerror=alert(1)>.txt", b"q\"uo'te.txt", b"&amp;.txt",
         b"&lt;b&gt;.txt", "rtl\u202etxt.exe".encode(), b"new\nline.txt",
         b"bad\xff\xfe.txt", b"esc\x1b[31m.txt", b"L" * 251 + b".txt",
         "\u4e2d".encode() * 84 + b".t", b"zz <b>zeppelin<\xe2\x88\x95b>.txt"]
for n in names:
    with open(os.path.join(h, n), "wb") as f:
        f.write(b"hostile zeppelin file " + n + b" <script>alert(2)</script>\n")
with open(os.path.join(d, b"script>.txt"), "wb") as f:
    f.write(b"zeppelin inside a hostile folder <script>alert(2)</script>\n")
m = os.path.join(os.fsencode(sys.argv[1]), b"many")
os.makedirs(m)
for i in range(130):
    with open(os.path.join(m, b"f%03d.txt" % i), "wb") as f:
        f.write(b"%d\n" % i + b"." * ((i * 37) % 11))   # sizes repeat, out of name order
PY
# One file of each kind the file page and /f/ treat apart, in name order (the
# previous/next links are checked against it). The PNG is a real image (zlib
# by hand); the .mp4 and .mp3 only need their
# type, which comes from the name; the tar and PDF come from tar and the sample.
M=$C/media; mkdir -p "$M"
printf 'plain words here\n' >"$M/a-notes.txt"
printf 'id,name\n1,one\n' >"$M/b-table.csv"
printf 'From: a@example.org\nSubject: hello\n\nbody\n' >"$M/c-mail.eml"
python3 - "$M/d-photo.png" <<'PY'
import struct, sys, zlib
w, h = 64, 48
raw = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 4, y * 5, 128)) for y in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
# A real JPEG (its clean copy at /i/ is decoded and re-encoded; render.sh
# checks what that copy leaves out).
/usr/bin/python3 -c 'import sys; from PIL import Image; Image.new("RGB", (80, 60), (30, 90, 150)).save(sys.argv[1], quality=80)' "$M/e-photo.jpg"
printf '\0\0\0\x18ftypisom\0\0\0\0isommp41' >"$M/f-clip.mp4"
printf 'ID3\3\0\0\0\0\0\0' >"$M/g-song.mp3"
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n' >"$M/h-draw.svg"
printf '<!DOCTYPE html><p>hi<script>alert(1)</script>\n' >"$M/i-page.html"
cp "$(find "$C/sample" -name '*.pdf' | sort | head -n 1)" "$M/j-doc.pdf"
printf 'at the top\n' >"$C/hello"
tar -C "$M" -cf "$T/k-arch.tar" a-notes.txt && mv "$T/k-arch.tar" "$M/"

$BROADSIDE --data "$D" init >/dev/null
# The link checker walks hundreds of pages in seconds: a robot, not a reader.
# The limiter has its own tests (limit.sh); here it would answer 429.
echo "limits = no" >>"$D/broadside.conf"
check "add registers the collection" $BROADSIDE --data "$D" add "$C" --slug demo --title "Demo <i>&amp;</i> \"q\"" --description "Sample & hostile names"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

# --- one page at a time: headers, weight, markup, and the text a reader sees ---
page() { local url=$1; shift; $PC page "$url" "$@" >>"$T/page.log" 2>&1 || { tail -n 5 "$T/page.log"; return 1; }; }
t2w=$(curl -s -D - -H 'X-Tor2web: encrypted' "$U/c/demo/")
check "a tor2web request gets 403" grep -q '^HTTP/1.1 403' <<<"$t2w"
check "… a page that says the reader is not anonymous" grep -q 'you are not anonymous' <<<"$t2w"
check "… kept out of search engines (X-Robots-Tag)" grep -qi '^X-Robots-Tag: noindex' <<<"$t2w"
check "… and the robots meta" grep -q '<meta name="robots" content="noindex' <<<"$t2w"
check "home" page "$U/" --text 'Demo <i>&amp;</i> "q"' --text 'Sample & hostile names' --text 'publisher.pub. It reads:' --text 'minisign public key'
check "collection root" page "$U/c/demo/" --text hostile --text many --text sample
H=$U/c/demo/hostile/
check "hostile folder shows names as text" page "$H" --text '<script>alert(1)<' \
  --text '<img src=x onerror=alert(1)>.txt' --text "q\"uo'te.txt" --text '&amp;.txt' \
  --text '&lt;b&gt;.txt' --text $'new\nline.txt' --text $'bad\ufffd\ufffd.txt' \
  --text $'rtl\ufffdtxt.exe' --text $'esc\u241b[31m.txt' --text 'zz <b>zeppelin<'
check "hostile folder page" page "$H%3Cscript%3Ealert%281%29%3C/" --text 'script>.txt'
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  rel=${f#"$C"/}
  enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1].encode("utf-8", "surrogateescape")))' "$rel")
  show=$(python3 -c 'import sys, os; n = os.path.basename(sys.argv[1]).encode("utf-8", "surrogateescape"); print(n.decode("utf-8", "replace")[:16].replace("\u202e", "\ufffd").replace("\x1b", "\u241b"))' "$rel")
  # The preview shows the file's markup as text (not for .exe: no preview).
  pv=(--text '<script>alert(2)</script>'); [[ $rel == *.exe ]] && pv=()
  check "file page $n escaped" page "$U/c/demo/$enc" --text "$show" "${pv[@]}"
  check_eq "file bytes $n" "$(curl -s "$U/f/demo/$enc" | sha256sum)" "$(sha256sum <"$f")"
done < <(find "$C/hostile" -type f -print0 | sort -z)
check_eq "every hostile file has a page" $n 13
check "search hits the hostile names" page "$U/search?q=zeppelin" --text '<img src=x onerror=alert(1)>.txt' \
  --text "q\"uo'te.txt" --text '<script>alert(2)</script>' --text 'hostile'
check "search echoes a hostile query as text" page "$U/search?q=%3Cscript%3E%22%27%E2%80%AE%FF" --text $'<script>"\'\ufffd\ufffd'
check "search, second page" page "$U/search?q=springfield&page=2"
check "folder, page 3 of 3" page "$U/c/demo/many/?sort=name&desc=0&page=3" --text 'f129.txt' --text 'page 3 of 3'
check "folder sorted by size, descending" page "$U/c/demo/many/?sort=size&desc=1&page=2"
# Every page of every order through the ?page=N URLs readers bookmark: each of
# the 130 files exactly once, in the order of the files on disk (ties by name).
all_pages() {
  python3 - "$U/c/demo/many/" "$C/many" <<'PY'
import os, re, sys, urllib.request
url, d = sys.argv[1], sys.argv[2]
st = {n: os.stat(os.path.join(d, n)) for n in os.listdir(d)}
keys = {"name": lambda n: n, "size": lambda n: (st[n].st_size, n), "date": lambda n: (int(st[n].st_mtime), n)}
bad = 0
for sort, key in keys.items():
    for desc in (0, 1):
        want = sorted(st, key=key, reverse=bool(desc))
        got = []
        for page in range(1, 4):
            html = urllib.request.urlopen(f"{url}?sort={sort}&desc={desc}&page={page}").read().decode()
            got += re.findall(r'<td class="n"><a href="[^"]*"><bdi>([^<]*)</bdi>', html)
        if got != want:
            bad = 1
            print(f"# sort={sort} desc={desc}: got {got[:5]}... ({len(got)}), want {want[:5]}... ({len(want)})")
sys.exit(bad)
PY
}
check "folder pages in every order: every file once, in order" all_pages
check "404 page" page "$U/c/demo/nothing-here" --status 404
check "404 page, unknown route" page "$U/%3Cscript%3E" --status 404
check_eq "stylesheet answers" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$U$(curl -s $U/ | grep -o '/static/style.css?v=[0-9a-f]*')")" "200 text/css; charset=utf-8"
# The stylesheet's ETag (computed at build time) is the start of its SHA-256.
css_sum=$(sha256sum "$TOP/web/style.css" | cut -c1-32)
check "stylesheet's ETag is its SHA-256" bash -c "curl -s -o /dev/null -D - '$U/static/style.css' | tr -d '\r' | grep -qx 'ETag: \"$css_sum\"'"

# --- /f/: inline for images, audio, video and plain text, else attachment ---
hdr() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
for f in a-notes.txt d-photo.png e-photo.jpg f-clip.mp4 g-song.mp3; do
  h=$(hdr "$U/f/demo/media/$f")
  check "/f/ $f: inline, same name encoding" grep -qx "Content-Disposition: inline; filename=\"$f\"; filename\*=UTF-8''$f" <<<"$h"
  check "/f/ $f: sandbox CSP" grep -qx "Content-Security-Policy: default-src 'none'; sandbox" <<<"$h"
  check "/f/ $f: nosniff" grep -qx 'X-Content-Type-Options: nosniff' <<<"$h"
done
for f in b-table.csv c-mail.eml h-draw.svg i-page.html j-doc.pdf k-arch.tar; do
  h=$(hdr "$U/f/demo/media/$f")
  check "/f/ $f: attachment" grep -qx "Content-Disposition: attachment; filename=\"$f\"; filename\*=UTF-8''$f" <<<"$h"
  check "/f/ $f: sandbox CSP" grep -qx "Content-Security-Policy: default-src 'none'; sandbox" <<<"$h"
done
check "/f/ plain text: no charset claimed (the encoding is not known)" grep -qx 'Content-Type: text/plain' <<<"$(hdr "$U/f/demo/media/a-notes.txt")"
h=$(hdr -r 0-3 "$U/f/demo/media/d-photo.png")
check "/f/ inline image: a range still answers 206" grep -q '^HTTP/1.1 206' <<<"$h"
check "/f/ inline image: … with the inline disposition" grep -q '^Content-Disposition: inline;' <<<"$h"
etag=$(hdr "$U/f/demo/media/d-photo.png" | sed -n 's/^ETag: //p')
check_eq "/f/ inline image: If-None-Match still answers 304" "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/f/demo/media/d-photo.png")" 304

# --- the file page leads with the content ---
fp() { curl -s "$U/c/demo/media/$1"; }
p=$(fp d-photo.png)
check "image page: <img> from its clean copy (/i/)" grep -qF '<img src="/i/demo/media/d-photo.png"' <<<"$p"
check "image page: says PNG image" grep -qF '<span class="what">PNG image</span>' <<<"$p"
check "image page: size and time at the stated rate" grep -qE 'B · a second or less to download at 1 MB/s over Tor' <<<"$p"
check "image page: previous file by name" grep -qF '<a rel="prev" href="/c/demo/media/c-mail.eml">' <<<"$p"
check "image page: next file by name" grep -qF '<a rel="next" href="/c/demo/media/e-photo.jpg">' <<<"$p"
check "image page: title names the file, its folder and the collection" grep -qF '<title>d-photo.png — media — Demo &lt;i&gt;&amp;amp;&lt;/i&gt; "q" · ' <<<"$p"
check "image page: terminal help folded under <details>" grep -qF '<details class="help"><summary>' <<<"$p"
check "image page: the image comes before the help" python3 -c 'import sys; s=sys.stdin.read(); sys.exit(not 0 < s.index("<img src=") < s.index("<details") < s.index("sha256sum -c"))' <<<"$p"
p=$(fp f-clip.mp4)
check "mp4 page: <video controls preload=none> from /f/" grep -qF '<video controls preload="none" src="/f/demo/media/f-clip.mp4">' <<<"$p"
check "mp4 page: says MP4 video" grep -qF '>MP4 video<' <<<"$p"
check "mp3 page: <audio controls preload=none> from /f/" grep -qF '<audio controls preload="none" src="/f/demo/media/g-song.mp3">' <<<"$(fp g-song.mp3)"
check "svg page: no <img> (SVG is a document)" bash -c '! grep -q "<img" <<<"$1"' _ "$(fp h-draw.svg)"
p=$(fp a-notes.txt)
check "text page: Plain text" grep -qF '>Plain text<' <<<"$p"
check "text page: the preview before the help" python3 -c 'import sys; s=sys.stdin.read(); sys.exit(not 0 < s.index("plain words here") < s.index("<details"))' <<<"$p"
check "first file: no previous link" bash -c '! grep -q "rel=\"prev\"" <<<"$1"' _ "$p"
check "last file: no next link" bash -c '! grep -q "rel=\"next\"" <<<"$1"' _ "$(fp k-arch.tar)"
for kv in "b-table.csv:Spreadsheet (CSV)" "c-mail.eml:E-mail message" "j-doc.pdf:PDF document" \
    "k-arch.tar:Tar archive" "e-photo.jpg:JPEG image" "i-page.html:Web page (HTML)"; do
  check "${kv%%:*}: '${kv#*:}'" grep -qF "<span class=\"what\">${kv#*:}</span>" <<<"$(fp "${kv%%:*}")"
done
check "root file: title names the collection" grep -qF '<title>hello — ' <<<"$(curl -s "$U/c/demo/hello")"

# --- link checker: every page reachable from / ---
# /m/ (SHA256SUMS, signature, publisher.pub) is linked from every page but
# not served yet: listed as KNOWN MISSING, not failed, until it is.
$PC crawl "$U" --max-pages 2000 --max-seconds 60 --min-pages 100 >"$T/crawl.log" 2>&1
crawl_rc=$?
grep -E '^# (crawled|KNOWN)' "$T/crawl.log"
grep '^not ok' "$T/crawl.log" | head -n 20
check "link checker: no broken or external link, every page passes" test $crawl_rc -eq 0

# --- headless Chromium, JavaScript off ---
CHROME=/usr/lib/chromium/chromium; [ -x "$CHROME" ] || CHROME=$(command -v chromium || true)
check "chromium is installed" test -n "$CHROME"
# chrome LOG ARGS... : one headless run with a fresh profile, JavaScript off.
chrome() {
  local log=$1; shift
  local ud
  ud=$(mktemp -d "$T/chrome.XXXXXX")
  mkdir -p "$ud/Default"
  echo '{"profile":{"default_content_setting_values":{"javascript":2}}}' >"$ud/Default/Preferences"
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$ud" --enable-logging=stderr --v=0 "$@" 2>"$log"
  local rc=$?
  rm -rf "$ud"
  return $rc
}
# Console messages (CSP reports are console errors) and CSP refusals.
CONSOLE_RE='CONSOLE|Content Security Policy|Refused to'
console_clean() { ! grep -aE "$CONSOLE_RE" "$1"; }

# Controls: a page with a deliberate CSP violation and a page with a script,
# served by Python with our exact CSP, show the detector and the switch work.
CPORT=$(free_port)
cat >"$T/control.py" <<'PY'
import http.server, sys
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
PAGES = {"/csp": (CSP, b'<!DOCTYPE html><html><head><style>p{color:red}</style></head>'
                       b'<body><p id="x">violating page</p></body></html>'),
         "/js": (None, b'<!DOCTYPE html><html><body><p id="x">script page</p><script>'
                       b'document.getElementById("x").setAttribute("data-js","ran")</script></body></html>')}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        csp, body = PAGES.get(self.path, (None, b"no"))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
bg_start "$T/control.log" python3 "$T/control.py" "$CPORT"
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$CPORT/csp"
chrome "$T/c-csp.log" --dump-dom "http://127.0.0.1:$CPORT/csp" >"$T/c-csp.html"
check "control: Chromium loaded the violating page" grep -q 'violating page' "$T/c-csp.html"
check "control: the detector reports the deliberate CSP violation" grep -qaE "$CONSOLE_RE" "$T/c-csp.log"
check "control: the report names the Content Security Policy" grep -qa 'Content Security Policy' "$T/c-csp.log"
chrome "$T/c-js.log" --dump-dom "http://127.0.0.1:$CPORT/js" >"$T/c-js.html"
check "control: the script page loaded" grep -q 'script page' "$T/c-js.html"
check "control: JavaScript is off" bash -c "! grep -q 'data-js=\"ran\"' \"\$1\"" _ "$T/c-js.html"

# name URL TEXT... : DOM dump holds each TEXT; no console line; screenshots.
browse() {
  local name=$1 url=$2; shift 2
  chrome "$OUT/$name.log" --dump-dom "$url" >"$OUT/$name.dom.html"
  check "chromium $name: DOM rendered" grep -q '</html>' "$OUT/$name.dom.html"
  local t
  for t in "$@"; do check "chromium $name: DOM has '$t'" grep -qF -- "$t" "$OUT/$name.dom.html"; done
  check "chromium $name: no CSP violation or console message" console_clean "$OUT/$name.log"
  local w
  # Under ASan the server is what is tested; screenshots once are enough.
  [ -n "${ASAN_SLOW:-}" ] && return
  for w in 1280 390; do
    chrome "$OUT/$name-$w.log" --window-size=$w,900 --screenshot="$OUT/$name-$w.png" "$url" >/dev/null
    check "chromium $name: screenshot at $w px" test -s "$OUT/$name-$w.png"
    check "chromium $name $w px: no CSP violation or console message" console_clean "$OUT/$name-$w.log"
  done
}
browse home "$U/" 'Collections' 'Demo &lt;i&gt;&amp;amp;&lt;/i&gt; "q"' 'How to verify'
browse folder "$H" 'hostile' '&lt;img src=x onerror=alert(1)&gt;.txt' '&lt;script&gt;alert(1)&lt;'
browse file "$U/c/demo/hostile/q%22uo%27te.txt" 'Download' 'SHA-256' "q\"uo'te.txt"
browse image "$U/c/demo/media/d-photo.png" '<img src="/i/demo/media/d-photo.png"' 'PNG image' '<details class="help">'
browse video "$U/c/demo/media/f-clip.mp4" '<video controls="" preload="none"' 'MP4 video'
browse search "$U/search?q=zeppelin" 'zeppelin' '<mark>' 'onerror=alert(1)&gt;.txt'
check "DOM has no script element" bash -c "! grep -qi '<script' \"$OUT\"/*.dom.html"
ls "$OUT"/*.png | sed "s|^$TOP/|# screenshot |"

check_eq "server still running" "$(curl -s -o /dev/null -w '%{http_code}' $U/)" 200
done_testing
