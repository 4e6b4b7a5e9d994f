#!/usr/bin/env bash
# Visual check of the reader pages: render samples with the unit test binary,
# serve them over loopback (root-relative /static/style.css needs a server),
# and screenshot each at desktop (1280x900) and phone (412x900) width with
# headless Chromium. Usage: scripts/demo/web-screenshots.sh [OUTDIR]  (needs make unit)
# Note: --blink-settings=scriptEnabled=false makes new headless Chromium skip
# the screenshot, so it is not used; the pages contain no script anyway.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/screenshots}
site=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$site"; }
trap cleanup EXIT
build/tests/test_page --write "$site" >/dev/null
port=$((20000 + RANDOM % 20000))
(cd "$site" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/home.html" && break; sleep 0.1; done
mkdir -p "$out"
chrome=/usr/lib/chromium/chromium; [ -x "$chrome" ] || chrome=chromium
for page in "$site"/*.html; do
  name=$(basename "$page" .html)
  for size in 1280,900 412,900; do
    ud=$(mktemp -d)
    timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$ud" \
      --window-size="$size" --screenshot="$PWD/$out/$name-${size%,*}.png" \
      "http://127.0.0.1:$port/$name.html" >/dev/null 2>&1 || echo "screenshot failed: $name $size" >&2
    rm -rf "$ud"
  done
done
ls "$out"
