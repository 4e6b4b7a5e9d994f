#!/usr/bin/env bash
# PDF pages as images (/p/, /i/?n=N) and clean image copies (/i/), against the
# real server, the real render process and poppler in the document jail:
# - a 3-page PDF (pages by make-sample, joined by pdfunite): page view with
#   its image, its text, previous/next; its PNG 1000 px wide; past the end 404;
# - a JPEG with GPS and camera EXIF, XMP, an ICC profile and a comment (PIL,
#   exiftool) and a PNG with text chunks and eXIf: the copies carry none of it
#   (exiftool), are capped at 1600 px, a sideways photo is turned upright by
#   its orientation tag, and the originals stay downloads as they were;
# - a hostile PDF: fails in the jail, the page says so, serve goes on;
# - 50 circuits asking at once for uncached pages get 503 (or 429: a second
#   at once on one circuit) with Retry-After, while /f/ downloads and file
#   pages stay under 100 ms at p95;
# - the cache stays near render_cache_mb, oldest out first, and a page gone
#   is made again;
# - Chromium with JavaScript off at 1280x900 and 390x844 on a page view and a
#   JPEG's file page (DOM, no console message, screenshots in
#   build/test-output/render/);
# - the render process killed: cached pages still served, the rest 503.
. "$(dirname "$0")/../lib.sh"
OUT=$TOP/build/test-output/render
rm -rf "$OUT"; mkdir -p "$OUT"
D=$T/data C=$T/coll
mkdir -p "$C"
PY=/usr/bin/python3   # Debian's, with python3-pil (a pyenv python may lack it)
check "python3-pil and exiftool are installed" bash -c "$PY -c 'import PIL' && command -v exiftool >/dev/null"

# --- the documents ---
python3 - "$TOP/scripts/demo/make-sample" "$T" <<'PY'
import sys
from importlib.machinery import SourceFileLoader
ms = SourceFileLoader("ms", sys.argv[1]).load_module()
for i in range(1, 61):
    open(f"{sys.argv[2]}/p{i}.pdf", "wb").write(ms.make_pdf([f"Page {i} says quinoa{i}", "and more"]))
PY
pdfunite "$T"/p1.pdf "$T"/p2.pdf "$T"/p3.pdf "$C/three.pdf"
pdfunite $(for i in $(seq 1 60); do echo "$T/p$i.pdf"; done) "$C/sixty.pdf"
check "pdfunite made a 3-page PDF" grep -q 'Pages: *3' <(pdfinfo "$C/three.pdf")
printf '%%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\nxref\n0 2\ntrailer << /Root 1 0 R /Size 999999999 >>\n' >"$C/hostile.pdf"
$PY - "$C" <<'PY'
import sys, random
from PIL import Image, ImageCms, PngImagePlugin
d = sys.argv[1]
im = Image.new("RGB", (2400, 1800), (200, 80, 40))
exif = Image.Exif()
exif[0x010f] = "SpyCam"                 # Make
exif[0x0131] = "LeakyFirmware 1.0"      # Software
exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}   # GPS
icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
im.save(f"{d}/photo.jpg", exif=exif.tobytes(), icc_profile=icc, quality=90)
info = PngImagePlugin.PngInfo()
info.add_text("Author", "Whistle Blower")
info.add_itxt("Comment", "secret place", zip=True)
Image.new("RGBA", (300, 200), (10, 200, 30, 128)).save(f"{d}/pic.png", pnginfo=info, exif=exif.tobytes())
# Taken sideways: stored 300x200, left half red, right half blue, EXIF
# orientation 6 (turn 90 degrees clockwise to show).
side = Image.new("RGB", (300, 200), (220, 0, 0))
side.paste((0, 0, 220), (150, 0, 300, 200))
ex = Image.Exif(); ex[0x0112] = 6
side.save(f"{d}/sideways.jpg", exif=ex.tobytes(), quality=95)
# Noise, so the copies are large (eviction): ~420 kB each.
random.seed(7)
for i in range(4):
    Image.frombytes("RGB", (400, 350), random.randbytes(400 * 350 * 3)).save(f"{d}/noise{i}.png")
PY
exiftool -q -overwrite_original -XMP-dc:Creator='Whistle Blower' -Comment='taken at the depot' "$C/photo.jpg"
orig=$(exiftool -s -G "$C/photo.jpg")
check "the original JPEG has GPS, camera, XMP, ICC and a comment" bash -c \
  'grep -q GPSLatitude <<<"$1" && grep -q SpyCam <<<"$1" && grep -q "XMP.*Whistle" <<<"$1" && grep -q ICC_Profile <<<"$1" && grep -q "taken at the depot" <<<"$1"' _ "$orig"
printf 'plain words\n' >"$C/notes.txt"

$BROADSIDE --data "$D" init >/dev/null
printf 'render_cache_mb = 1\nrender_queue = 8\n' >>"$D/broadside.conf"
$BROADSIDE --data "$D" add "$C" --slug r --title Render --quiet >/dev/null 2>&1
# A collection rendered at ingest: serve only reads what add made.
P=$T/pre; mkdir -p "$P"
pdfunite "$T/p4.pdf" "$T/p5.pdf" "$P/two.pdf"
cp "$C/photo.jpg" "$P/same-photo.jpg"
pre=$($BROADSIDE --data "$D" add "$P" --slug pre --title Pre --quiet --render-pages 2>&1)
echo "# $pre" | grep 'rendered'
check "add --render-pages: 2 pages and 1 image" grep -q 'pre: 2 pages and 1 images rendered, 0 already there, 0 could not be rendered' <<<"$pre"
check "add --render-pages: again, all there already" grep -q ' 0 pages and 0 images rendered, 3 already there' <<<"$($BROADSIDE --data "$D" refresh pre --quiet --render-pages 2>&1)"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
SOCK=$D/run/http.sock
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
SERVE_PID=$BG_PID
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

# --- a PDF page ---
p=$(curl -s "$U/p/r/three.pdf?n=2")
check "page view: page 2 of 3" grep -qF 'Page 2 of 3' <<<"$p"
check "page view: the page's text beneath it" grep -qF 'Page 2 says quinoa2' <<<"$p"
check "page view: not another page's text" bash -c '! grep -qF "quinoa3" <<<"$1"' _ "$p"
check "page view: its image from /i/" grep -qF '<img src="/i/r/three.pdf?n=2"' <<<"$p"
check "page view: previous and next" bash -c 'grep -qF "href=\"/p/r/three.pdf?n=1\"" <<<"$1" && grep -qF "href=\"/p/r/three.pdf?n=3\"" <<<"$1"' _ "$p"
check "page view: no next on the last page" bash -c '! grep -qF "rel=\"next\"" <<<"$1"' _ "$(curl -s "$U/p/r/three.pdf?n=3")"
check_eq "page view: past the end is 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/p/r/three.pdf?n=4")" 404
check_eq "page view: n=0 is 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/p/r/three.pdf?n=0")" 404
h=$(curl -s -D - -o "$T/p2.png" "$U/i/r/three.pdf?n=2")
check "page image: image/png, inline, sandboxed" bash -c 'grep -q "^Content-Type: image/png" <<<"$1" && grep -q "^Content-Disposition: inline" <<<"$1" && grep -q "sandbox" <<<"$1"' _ "$h"
check "page image: its text is drawn (fonts reachable in the jail)" $PY -c '
import sys; from PIL import Image
assert Image.open(sys.argv[1]).convert("L").getextrema()[0] < 100' "$T/p2.png"
check_eq "page image: 1000 px wide" "$($PY -c 'import sys; from PIL import Image; print(Image.open(sys.argv[1]).size[0])' "$T/p2.png")" 1000
fp=$(curl -s "$U/c/r/three.pdf")
check "file page: links the page view" grep -qF 'href="/p/r/three.pdf?n=1"' <<<"$fp"
check_eq "a text file has no page view" "$(curl -s -o /dev/null -w '%{http_code}' "$U/p/r/notes.txt")" 404
check_eq "a text file has no image copy" "$(curl -s -o /dev/null -w '%{http_code}' "$U/i/r/notes.txt")" 404

# --- clean image copies ---
fp=$(curl -s "$U/c/r/photo.jpg")
check "image file page: <img> from the clean copy" grep -qF '<img src="/i/r/photo.jpg"' <<<"$fp"
check "image file page: Download is still the original" grep -qF 'href="/f/r/photo.jpg" download' <<<"$fp"
h=$(curl -s -D - -o "$T/photo.jpg" "$U/i/r/photo.jpg")
check "JPEG copy: image/jpeg" grep -q '^Content-Type: image/jpeg' <<<"$h"
meta=$(exiftool -s -G "$T/photo.jpg")
check "JPEG copy: no EXIF, GPS, XMP, ICC or comment (exiftool)" bash -c \
  '! grep -qiE "GPS|SpyCam|LeakyFirmware|XMP|Whistle|ICC|depot|\[EXIF\]" <<<"$1"' _ "$meta"
check "JPEG copy: no EXIF or ICC (PIL)" $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert not im.getexif() and "icc_profile" not in im.info and "exif" not in im.info, im.info
assert max(im.size) <= 1600, im.size' "$T/photo.jpg"
check_eq "the original is unchanged at /f/" "$(curl -s "$U/f/r/photo.jpg" | sha256sum)" "$(sha256sum <"$C/photo.jpg")"
curl -s -o "$T/pic.png" "$U/i/r/pic.png"
check "PNG copy: no text chunks, no eXIf, alpha kept" $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.mode == "RGBA", im.mode
assert not {k for k in im.info if k not in ("dpi", "gamma", "srgb")} and not im.getexif(), im.info' "$T/pic.png"
check "PNG copy: exiftool finds no author or comment" bash -c '! exiftool "$1" | grep -qiE "Whistle|secret|SpyCam"' _ "$T/pic.png"

# --- pages rendered at ingest ---
two=$(sha256sum <"$P/two.pdf" | cut -c1-64)
check "pre-rendered page view: page 2 of 2 with its text" bash -c 'grep -qF "Page 2 of 2" <<<"$1" && grep -qF "Page 5 says quinoa5" <<<"$1"' _ "$(curl -s "$U/p/pre/two.pdf?n=2")"
check_eq "pre-rendered page image" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$U/i/pre/two.pdf?n=2")" "200 image/png"
check_eq "pre-rendered image copy" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$U/i/pre/same-photo.jpg")" "200 image/jpeg"
check "serve rendered none of them (nothing of them in its cache)" bash -c '! ls "$1" | grep -q "^$2"' _ "$D/cache" "$two"

curl -s -o "$T/sideways.jpg" "$U/i/r/sideways.jpg"
check "JPEG copy: turned upright by its EXIF orientation, then without it" $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.size == (200, 300), im.size
assert not im.getexif(), dict(im.getexif())
top, bottom = im.getpixel((100, 40)), im.getpixel((100, 260))
assert top[0] > 150 and top[2] < 80 and bottom[2] > 150 and bottom[0] < 80, (top, bottom)' "$T/sideways.jpg"

# --- a hostile PDF ---
p=$(curl -s "$U/p/r/hostile.pdf?n=1")
check "hostile PDF: the page says it could not be rendered" grep -qF 'We could not render this page' <<<"$p"
check_eq "hostile PDF: its image is a 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/i/r/hostile.pdf?n=1")" 404
check "hostile PDF: the failure is remembered (answered at once)" bash -c \
  't=$(curl -s -o /dev/null -w "%{time_total}" "$1"); awk -v t="$t" "BEGIN { exit !(t < 0.1) }"' _ "$U/p/r/hostile.pdf?n=1"
check_eq "server still answers" "$(curl -s -o /dev/null -w '%{http_code}' $U/)" 200

# --- rendering under load ---
# 50 circuits at once, each asking for an uncached page; one more circuit
# asking for two at once; meanwhile a reader on another circuit downloads and
# browses. Every connection has a deadline, so the test is bounded.
cat >"$T/load.py" <<'PY'
import socket, sys, threading, time
sock, mode = sys.argv[1], sys.argv[2]
def req(circ, path, out, key):
    t0 = time.monotonic()
    try:
        s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(sock)
        s.sendall(b"PROXY TCP6 fc00:dead:beef:4dad::0:%x ::1 %d 80\r\nGET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  % (circ, circ % 65536, path.encode()))
        got = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        s.close()
        head = got.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        st = int(head.split(" ", 2)[1])
        ra = [l for l in head.split("\r\n") if l.lower().startswith("retry-after:")]
        out.append((key, st, bool(ra), time.monotonic() - t0))
    except Exception as e:
        out.append((key, 0, False, time.monotonic() - t0))
res, fast = [], []
if mode == "twice":
    ths = [threading.Thread(target=req, args=(999, "/p/r/sixty.pdf?n=%d" % n, res, "twice")) for n in (51, 52)]
    for t in ths: t.start()
    for t in ths: t.join(60)
    print("twice", " ".join(map(str, sorted(r[1] for r in res))))
    sys.exit(0)
ths = [threading.Thread(target=req, args=(1000 + i, "/p/r/sixty.pdf?n=%d" % (i + 1), res, "load")) for i in range(50)]
for t in ths: t.start()
time.sleep(0.05)
end = time.monotonic() + 3
while time.monotonic() < end and len(fast) < 60:
    req(7, "/f/r/three.pdf", fast, "f")
    req(7, "/c/r/photo.jpg", fast, "c")
for t in ths: t.join(60)
load = [r for r in res if r[0] == "load"]
ok = sum(1 for r in load if r[1] == 200)
refused = [r for r in load if r[1] in (429, 503)]
print("load", len(load), "ok", ok, "refused", len(refused), "with_retry_after", sum(1 for r in refused if r[2]))
lat = sorted(r[3] for r in fast)
bad = [r for r in fast if r[1] != 200]
p95 = lat[int(len(lat) * 0.95) - 1] if lat else 9
print("fast", len(fast), "non200", len(bad), "p95_ms %.1f" % (p95 * 1000), "max_ms %.1f" % (lat[-1] * 1000 if lat else 0))
PY
$PY "$T/load.py" "$SOCK" twice >"$T/twice.out" 2>&1
check "one circuit, two uncached pages at once: the second gets 429" grep -qx 'twice 200 429' "$T/twice.out"
$PY "$T/load.py" "$SOCK" load >"$T/load.out" 2>&1
sed 's/^/# /' "$T/load.out"
read -r _ nload _ nok _ nref _ nra <<<"$(grep '^load' "$T/load.out")"
check_eq "load: 50 answers" "$nload" 50
check "load: some pages made, the rest refused ($nok made, $nref refused)" test "$nok" -ge 1 -a "$nref" -ge 30 -a $((nok + nref)) -eq 50
check_eq "load: every refusal has Retry-After" "$nra" "$nref"
read -r _ nfast _ nbad _ p95 _ _ <<<"$(grep '^fast' "$T/load.out")"
check "load: downloads and file pages all 200 ($nfast requests)" test "$nfast" -ge 10 -a "$nbad" -eq 0
check "load: downloads and file pages p95 under 100 ms (${p95} ms)" awk -v p="$p95" 'BEGIN { exit !(p < 100) }'

js=$($BROADSIDE --data "$D" status --json 2>/dev/null)
check "status --json counts pages made, failed and refused" $PY -c '
import json, sys
r = json.loads(sys.argv[1])["render"]
assert r["made"] >= 10 and r["failed"] >= 1 and r["busy"] >= 30 and r["circuit"] >= 1, r' "$js"

# --- the cache stays bounded, oldest out first ---
for i in 0 1 2 3; do curl -s -o /dev/null "$U/i/r/noise$i.png"; done
bytes=$(du -sb "$D/cache" | cut -f1)
check "cache: within its bound plus the newest copy ($bytes bytes)" test "$bytes" -le $((1024 * 1024 + 600 * 1024))
n3=$(curl -s "$U/f/r/noise3.png" | sha256sum | cut -c1-64)
check "cache: the oldest went first (page 2 of three.pdf, the first noise copy)" bash -c \
  '! ls "$1" | grep -q -- "-p2.png$" && test "$(ls "$1" | grep -c -- "-i$")" -lt 6' _ "$D/cache"
check "cache: the newest copy is kept" test -s "$D/cache/$n3-i"
check_eq "cache: an evicted page is made again" "$(curl -s -o /dev/null -w '%{http_code}' "$U/i/r/three.pdf?n=2")" 200

# --- Chromium, JavaScript off, desktop and phone ---
CHROME=/usr/lib/chromium/chromium; [ -x "$CHROME" ] || CHROME=$(command -v chromium || true)
check "chromium is installed" test -n "$CHROME"
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
console_clean() { ! grep -aE 'CONSOLE|Content Security Policy|Refused to' "$1"; }
browse() {
  local name=$1 url=$2; shift 2
  chrome "$OUT/$name.log" --dump-dom "$url" >"$OUT/$name.dom.html"
  local t
  for t in "$@"; do check "chromium $name: DOM has '$t'" grep -qF -- "$t" "$OUT/$name.dom.html"; done
  check "chromium $name: no CSP violation or console message" console_clean "$OUT/$name.log"
  for wh in 1280,900 390,844; do
    chrome "$OUT/$name-${wh%,*}.log" --window-size=$wh --screenshot="$OUT/$name-${wh%,*}.png" "$url" >/dev/null
    check "chromium $name: screenshot at ${wh/,/x}" test -s "$OUT/$name-${wh%,*}.png"
    check "chromium $name ${wh/,/x}: no console message (the image loaded)" console_clean "$OUT/$name-${wh%,*}.log"
  done
}
browse pdfpage "$U/p/r/three.pdf?n=1" '<img src="/i/r/three.pdf?n=1"' 'Page 1 of 3' 'Page 1 says quinoa1'
browse photo "$U/c/r/photo.jpg" '<img src="/i/r/photo.jpg"' 'metadata'
chrome "$OUT/hostile.log" --dump-dom "$U/p/r/hostile.pdf?n=1" >"$OUT/hostile.dom.html"
check "chromium hostile PDF: the page says it could not be rendered" grep -qF 'We could not render this page' "$OUT/hostile.dom.html"
ls "$OUT"/*.png | sed "s|^$TOP/|# screenshot |"

# --- the render process killed: cached pages still served, the rest 503 ---
rp=$(pgrep -P "$SERVE_PID" | head -n 1)
check "the render process is serve's child" test -n "$rp"
[ -n "$rp" ] && kill -9 "$rp"
sleep 0.5
h=$(curl -s -D - -o /dev/null "$U/p/r/sixty.pdf?n=58")
check "render process gone: an uncached page gets 503 with Retry-After" bash -c 'grep -q "^HTTP/1.1 503" <<<"$1" && grep -qi "^Retry-After:" <<<"$1"' _ "$h"
check_eq "render process gone: a cached page is still served" "$(curl -s -o /dev/null -w '%{http_code}' "$U/i/r/three.pdf?n=2")" 200

check_eq "server still running" "$(curl -s -o /dev/null -w '%{http_code}' $U/)" 200
done_testing
