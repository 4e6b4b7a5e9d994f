#!/usr/bin/env bash
# The HTTP server against real clients (curl, wget, a raw socket client): files,
# validators, ranges, resume of a 5 GB file, traversal and malformed input, the
# Unix socket with PROXY lines, config checking.
. "$(dirname "$0")/../lib.sh"
RAW="python3 $TOP/tests/rawhttp.py"
D=$T/data C=$T/coll
mkdir -p "$C/sub" "$C/deep/er"
echo "hello world" >"$C/sub/a.txt"
head -c 1048576 /dev/urandom >"$C/random.bin"
head -c 300 /dev/urandom >"$C/deep/er/small.bin"
printf 'quote"and<angle>&amp\n' >"$C/sub/we\"ird <name> & 'q'.txt"
printf 'MZ' >"$C/sub/evil"$'\xe2\x80\xae'"gpj.exe"
printf 'x' >"$C/sub/esc"$'\x1b'"[31m"$'\r'"x.txt"
printf 'back\n' >"$C/sub/back\\slash.txt"
truncate -s 5G "$C/sparse-5g.img"
# The resume tests move the whole file through curl and wget twice; under ASan
# (ASAN_SLOW=1) the server does the same sendfile work, so a smaller file will do.
RESUME=sparse-5g.img RSIZE=5368709120
if [ -n "${ASAN_SLOW:-}" ]; then RESUME=sparse-600m.img RSIZE=629145600; truncate -s 600M "$C/$RESUME"; fi
: >"$C/empty.txt"
ln -s /etc/passwd "$C/link-out"
ln -s sub "$C/link-dir"
mkfifo "$C/fifo"

$BROADSIDE --data "$D" init >/dev/null
# Short timeouts so the slow-client checks below take seconds.
printf 'header_timeout = 2\nidle_timeout = 3\n' >>"$D/broadside.conf"
check "add registers the collection" $BROADSIDE --data "$D" add "$C" --slug demo --title "Demo <b>&</b>" --description "A test"
echo "dropped in later" >"$C/late.txt"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT --no-tor
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

hdr() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- home, files, headers ---
home=$(curl -s $U/)
check "home lists the collection, escaped" grep -q 'Demo &lt;b&gt;&amp;&lt;/b&gt;' <<<"$home"
sum=$(sha256sum "$C/random.bin" | cut -d' ' -f1)
check_eq "file bytes intact" "$(curl -s $U/f/demo/random.bin | sha256sum | cut -d' ' -f1)" "$sum"
h=$(hdr $U/f/demo/random.bin)
check "ETag is the SHA-256" grep -q "^ETag: \"$sum\"" <<<"$h"
check "Content-Length" grep -q '^Content-Length: 1048576$' <<<"$h"
check "Accept-Ranges" grep -q '^Accept-Ranges: bytes$' <<<"$h"
check "nosniff" grep -q '^X-Content-Type-Options: nosniff$' <<<"$h"
check "attachment" grep -q '^Content-Disposition: attachment; filename="random.bin"' <<<"$h"
check "no Server header" bash -c "! grep -qi '^Server:' <<<\"\$1\"" _ "$h"
check "no Date header" bash -c "! grep -qi '^Date:' <<<\"\$1\"" _ "$h"
check "Content-Type from mime.types" grep -q '^Content-Type: text/plain' <<<"$(hdr $U/f/demo/sub/a.txt)"
check_eq "weird name served" "$(curl -s "$U/f/demo/sub/we%22ird%20%3Cname%3E%20%26%20'q'.txt")" 'quote"and<angle>&amp'
check "RFC 6266 filename*" grep -q "filename\*=UTF-8''we%22ird%20%3Cname%3E%20&%20%27q%27.txt" <<<"$(hdr "$U/f/demo/sub/we%22ird%20%3Cname%3E%20%26%20'q'.txt")"
h=$(hdr "$U/f/demo/sub/evil%E2%80%AEgpj.exe")
echo "# $(grep -i '^content-disposition' <<<"$h")"
check "filename*: a bidi override is replaced as on the pages" grep -q "filename\*=UTF-8''evil%EF%BF%BDgpj.exe$" <<<"$h"
h=$(hdr "$U/f/demo/sub/esc%1B%5B31m%0Dx.txt")
echo "# $(grep -i '^content-disposition' <<<"$h")"
check "filename*: ESC and CR become control pictures" grep -q "filename\*=UTF-8''esc%E2%90%9B%5B31m%E2%90%8Dx.txt$" <<<"$h"
check_eq "empty file" "$(code $U/f/demo/empty.txt)" 200
check_eq "nested file" "$(code $U/f/demo/deep/er/small.bin)" 200

# --- HEAD and validators ---
h=$(curl -s -I $U/f/demo/random.bin | tr -d '\r')
check "HEAD has the length" grep -q '^Content-Length: 1048576$' <<<"$h"
check_eq "HEAD has no body" "$(curl -s -I $U/f/demo/random.bin | wc -c | awk '{print ($1 < 1000)}')" 1
check_eq "If-None-Match → 304" "$(code -H "If-None-Match: \"$sum\"" $U/f/demo/random.bin)" 304
check_eq "If-None-Match list, weak → 304" "$(code -H "If-None-Match: \"x\", W/\"$sum\"" $U/f/demo/random.bin)" 304
check_eq "If-None-Match other → 200" "$(code -H 'If-None-Match: "other"' $U/f/demo/random.bin)" 200
lm=$(hdr $U/f/demo/random.bin | sed -n 's/^Last-Modified: //p')
check_eq "If-Modified-Since → 304" "$(code -H "If-Modified-Since: $lm" $U/f/demo/random.bin)" 304
check_eq "If-Modified-Since old → 200" "$(code -H 'If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT' $U/f/demo/random.bin)" 200
check_eq "If-Match wrong → 412" "$(code -H 'If-Match: "nope"' $U/f/demo/random.bin)" 412
check_eq "If-Match right → 200" "$(code -H "If-Match: \"$sum\"" $U/f/demo/random.bin)" 200

# --- ranges ---
check_eq "206 single range" "$(code -r 100-199 $U/f/demo/random.bin)" 206
check_eq "range bytes" "$(curl -s -r 100-199 $U/f/demo/random.bin | sha256sum)" "$(tail -c +101 "$C/random.bin" | head -c 100 | sha256sum)"
check "Content-Range" grep -q '^Content-Range: bytes 100-199/1048576$' <<<"$(hdr -r 100-199 $U/f/demo/random.bin)"
check "suffix range" grep -q '^Content-Range: bytes 1048476-1048575/1048576$' <<<"$(hdr -r -100 $U/f/demo/random.bin)"
mp=$(hdr -r 0-9,5000-5009 $U/f/demo/random.bin)
check "multipart/byteranges" grep -q '^Content-Type: multipart/byteranges; boundary=' <<<"$mp"
curl -s -r 0-9,5000-5009 -o "$T/mp.bin" $U/f/demo/random.bin
check "multipart parts and lengths" python3 - "$T/mp.bin" "$C/random.bin" "$(sed -n 's/^Content-Length: //p' <<<"$mp")" <<'PY'
import re, sys
body = open(sys.argv[1], 'rb').read(); src = open(sys.argv[2], 'rb').read()
assert len(body) == int(sys.argv[3]), (len(body), sys.argv[3])
parts = re.findall(rb'Content-Range: bytes (\d+)-(\d+)/(\d+)\r\n\r\n', body)
assert [(int(a), int(b)) for a, b, _ in parts] == [(0, 9), (5000, 5009)], parts
for a, b, _ in parts:
    i = body.index(b'Content-Range: bytes %s-%s' % (a, b)); j = body.index(b'\r\n\r\n', i) + 4
    assert body[j:j + int(b) - int(a) + 1] == src[int(a):int(b) + 1]
assert body.rstrip().endswith(b'--')
PY
check_eq "416 beyond the end" "$(code -r 2000000-3000000 $U/f/demo/random.bin)" 416
check "416 Content-Range" grep -q '^Content-Range: bytes \*/1048576$' <<<"$(hdr -r 2000000-3000000 $U/f/demo/random.bin)"
check_eq "malformed Range ignored → 200" "$(code -H 'Range: bytes=9-1' $U/f/demo/random.bin)" 200
check_eq "If-Range match → 206" "$(code -r 0-9 -H "If-Range: \"$sum\"" $U/f/demo/random.bin)" 206
check_eq "If-Range stale → 200" "$(code -r 0-9 -H 'If-Range: "old"' $U/f/demo/random.bin)" 200
check_eq "If-Range date → 206" "$(code -r 0-9 -H "If-Range: $lm" $U/f/demo/random.bin)" 206
check_eq "overlapping ranges coalesce" "$(curl -s -r 0-,0-,0- $U/f/demo/random.bin | wc -c)" 1048576

# --- resume a big sparse file with curl -C - and wget -c ---
big=$(openssl dgst -sha256 -r "$C/$RESUME" | cut -d' ' -f1)
check "big file's ETag is its SHA-256" grep -q "^ETag: \"$big\"" <<<"$(hdr -I $U/f/demo/$RESUME)"
timeout 1 curl -s --limit-rate 200M -o "$T/c.img" $U/f/demo/$RESUME
part=$(stat -c %s "$T/c.img")
check "curl was interrupted part-way ($part bytes)" test "$part" -gt 0 -a "$part" -lt $RSIZE
curl -s -C - -o "$T/c.img" $U/f/demo/$RESUME
check_eq "curl -C - resumed to the right sha256" "$(openssl dgst -sha256 -r "$T/c.img" | cut -d' ' -f1)" "$big"
rm -f "$T/c.img"
timeout 1 wget -q --limit-rate=200m -O "$T/w.img" $U/f/demo/$RESUME
part=$(stat -c %s "$T/w.img")
check "wget was interrupted part-way ($part bytes)" test "$part" -gt 0 -a "$part" -lt $RSIZE
wget -q -c -O "$T/w.img" $U/f/demo/$RESUME
check_eq "wget -c resumed to the right sha256" "$(openssl dgst -sha256 -r "$T/w.img" | cut -d' ' -f1)" "$big"
rm -f "$T/w.img"
check_eq "range past 4 GiB" "$(curl -s -r 5000000000-5000000009 $U/f/demo/sparse-5g.img | od -An -tx1 | tr -d ' \n')" 00000000000000000000

# --- only catalogued files, never outside the root ---
check_eq "uncatalogued file → 404" "$(code $U/f/demo/late.txt)" 404
check_eq "symlink out → 404" "$(code $U/f/demo/link-out)" 404
check_eq "through a symlinked dir → 404" "$(code $U/f/demo/link-dir/a.txt)" 404
check_eq "FIFO → 404" "$(code --max-time 5 $U/f/demo/fifo)" 404
check_eq "unknown collection → 404" "$(code $U/f/nope/a.txt)" 404
check_eq "dot-dot → 400" "$(code --path-as-is $U/f/demo/../../../etc/passwd)" 400
check_eq "encoded dot-dot → 400" "$(code --path-as-is $U/f/demo/%2e%2e/%2e%2e/etc/passwd)" 400
check_eq "encoded slash → 400" "$(code $U/f/demo/sub%2Fa.txt)" 400
check_eq "NUL → 400" "$(code $U/f/demo/sub/a.txt%00.jpg)" 400
check_eq "backslash → 400" "$(code "$U/f/demo/sub%5Ca.txt")" 400
check "a name with a backslash is not catalogued (no address could reach it)" \
  bash -c "! curl -s '$U/c/demo/sub/' | grep -q 'slash.txt'"
check "… and refresh says so" bash -c "$BROADSIDE --data '$D' refresh demo 2>&1 | grep -q 'back.x5cslash.txt: not published: its name holds a backslash'"
check_eq "unknown path → 404" "$(code $U/nothing/here)" 404

# --- malformed and hostile requests: 4xx, and the server keeps serving ---
raw() { printf "$1" | $RAW tcp:127.0.0.1:$PORT --shut | head -n 1 | tr -d '\r'; }
check_eq "garbage → 400" "$(raw 'BLAH\r\n\r\n')" "HTTP/1.1 400 Bad Request"
check_eq "HTTP/1.1 without Host → 400" "$(raw 'GET / HTTP/1.1\r\n\r\n')" "HTTP/1.1 400 Bad Request"
check_eq "two Hosts → 400" "$(raw 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')" "HTTP/1.1 400 Bad Request"
check_eq "HTTP/2.0 line → 505" "$(raw 'GET / HTTP/2.0\r\nHost: a\r\n\r\n')" "HTTP/1.1 505 HTTP Version Not Supported"
check_eq "POST → 405" "$(raw 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc')" "HTTP/1.1 405 Method Not Allowed"
check "405 has Allow" grep -q '^Allow: GET, HEAD' <<<"$(printf 'DELETE / HTTP/1.1\r\nHost: a\r\n\r\n' | $RAW tcp:127.0.0.1:$PORT --shut | tr -d '\r')"
check_eq "GET with a body → 413" "$(raw 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello')" "HTTP/1.1 413 Content Too Large"
check_eq "chunked GET → 413" "$(raw 'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')" "HTTP/1.1 413 Content Too Large"
long=$(head -c 9000 /dev/zero | tr '\0' a)
check_eq "9000-byte target → 414" "$(raw "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n")" "HTTP/1.1 414 URI Too Long"
many=$(for i in $(seq 70); do printf 'X-H%d: v\\r\\n' $i; done)
check_eq "70 headers → 431" "$(raw "GET / HTTP/1.1\r\nHost: a\r\n$many\r\n")" "HTTP/1.1 431 Request Header Fields Too Large"
big_h=$(head -c 17000 /dev/zero | tr '\0' b)
check_eq "17 kB header → 431" "$(raw "GET / HTTP/1.1\r\nHost: a\r\nX: $big_h\r\n\r\n")" "HTTP/1.1 431 Request Header Fields Too Large"
check_eq "NUL in request line → 400" "$(raw 'GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n')" "HTTP/1.1 400 Bad Request"
check_eq "server still serves" "$(code $U/f/demo/sub/a.txt)" 200

# --- keep-alive and pipelining ---
check_eq "keep-alive reuses one connection" "$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}' $U/f/demo/sub/a.txt $U/f/demo/sub/a.txt | tr -d '\n')" 10
pl=$(printf 'GET /f/demo/sub/a.txt HTTP/1.1\r\nHost: a\r\n\r\nHEAD /f/demo/deep/er/small.bin HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' | $RAW tcp:127.0.0.1:$PORT | tr -d '\r' | grep -a '^HTTP/1.1' | tr '\n' ' ')
check_eq "pipelined responses in order" "$pl" "HTTP/1.1 200 OK HTTP/1.1 200 OK HTTP/1.1 404 Not Found "
check_eq "HTTP/1.0 closes" "$(printf 'GET / HTTP/1.0\r\n\r\n' | $RAW tcp:127.0.0.1:$PORT --timeout 3 | grep -c '^Connection: close')" 1

# --- deadlines: a slow head gets 408, idle connections are closed ---
t0=$SECONDS
# Bounds are loose (a loaded machine wakes late); without the deadlines the
# client would wait out its own 20 s timeout.
slow=$(printf 'GET / HTTP/1.1\r\nHost: a\r\n' | $RAW tcp:127.0.0.1:$PORT --timeout 20 | head -n 1 | tr -d '\r')
check_eq "incomplete head → 408 after header_timeout" "$slow" "HTTP/1.1 408 Request Timeout"
check "… within about 2 s" test $((SECONDS - t0)) -le 12
t0=$SECONDS
check_eq "silent connection closed unanswered" "$(printf '' | $RAW tcp:127.0.0.1:$PORT --timeout 20)" "CLOSED-WITHOUT-RESPONSE"
check "… after header_timeout" test $((SECONDS - t0)) -le 12
t0=$SECONDS
idle=$(printf 'GET /f/demo/sub/a.txt HTTP/1.1\r\nHost: a\r\n\r\n' | $RAW tcp:127.0.0.1:$PORT --timeout 20 | grep -ac '^hello world')
check_eq "keep-alive answered" "$idle" 1
check "idle keep-alive closed after idle_timeout (3 s)" test $((SECONDS - t0)) -ge 2 -a $((SECONDS - t0)) -le 13
# An idle connection gives up its buffers (http_conn.c, park) and takes them
# back when bytes come: a request after a pause, then two pipelined ones, then
# idle again until idle_timeout closes it.
t0=$SECONDS
again=$(printf 'GET /f/demo/sub/a.txt HTTP/1.1\r\nHost: a\r\n\r\n\fGET /f/demo/sub/a.txt HTTP/1.1\r\nHost: a\r\n\r\nHEAD /f/demo/deep/er/small.bin HTTP/1.1\r\nHost: a\r\n\r\n\fGET /nope HTTP/1.1\r\nHost: a\r\n\r\nGET /f/demo/sub/a.txt HTTP/1.1\r\nHost: a\r\n\r\n' |
	$RAW tcp:127.0.0.1:$PORT --pause 0.5 --timeout 20 | tr -d '\r')
check_eq "idle, then a request and a pipelined one, twice: all answered in order" \
	"$(grep -a '^HTTP/1.1' <<<"$again" | tr '\n' ' ')" "HTTP/1.1 200 OK HTTP/1.1 200 OK HTTP/1.1 200 OK HTTP/1.1 404 Not Found HTTP/1.1 200 OK "
check_eq "… with the three bodies" "$(grep -ac '^hello world' <<<"$again")" 3
check "… and closed idle_timeout after the last" test $((SECONDS - t0)) -ge 3 -a $((SECONDS - t0)) -le 14

# --- the Unix socket tor forwards to: PROXY line required ---
S=unix:$D/run/http.sock
px=$(printf 'PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80\r\nGET /f/demo/sub/a.txt HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n\r\n' | $RAW $S | tr -d '\r')
check "PROXY line + request → 200" grep -q '^HTTP/1.1 200 OK' <<<"$px"
check "… with the body" grep -q '^hello world$' <<<"$px"
px=$(printf 'PROXY TCP6 fc00:dead:beef:4dad::0:32 ::1 49 80\r\n\fGET /f/demo/sub/a.txt HTTP/1.1\r\nHost: x.onion\r\n\r\n\fGET /f/demo/sub/a.txt HTTP/1.1\r\nHost: x.onion\r\n\r\nGET / HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n\r\n' |
	$RAW $S --pause 0.5 --timeout 10 | tr -d '\r')
check_eq "PROXY line, idle, request, idle, two pipelined → three answers" "$(grep -ac '^HTTP/1.1 200 OK' <<<"$px")" 3
check_eq "no PROXY line → closed unanswered" "$(printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | $RAW $S --timeout 3)" "CLOSED-WITHOUT-RESPONSE"
check_eq "bad PROXY line → closed unanswered" "$(printf 'PROXY TCP6 nonsense\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n' | $RAW $S --timeout 3)" "CLOSED-WITHOUT-RESPONSE"
check_eq "curl over the socket without PROXY → refused" "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket $D/run/http.sock http://x/)" 000

# --- config checking ---
check "serve -n accepts the config" $BROADSIDE --data "$D" serve -n
cp "$D/broadside.conf" "$T/conf.bak"
printf 'write_timeout = 60\nno_such_key = 1\n' >>"$D/broadside.conf"
lines=$(wc -l <"$D/broadside.conf")
err=$($BROADSIDE --data "$D" serve -n 2>&1)
check "unknown key: file:line" grep -q "broadside.conf:$lines: unknown key 'no_such_key'" <<<"$err"
cp "$T/conf.bak" "$D/broadside.conf"; printf 'max_ranges = soon\n' >>"$D/broadside.conf"
check "bad value: file:line and why" grep -q "broadside.conf:$((lines - 1)): max_ranges: 'soon' is not a whole number" <<<"$($BROADSIDE --data "$D" serve -n 2>&1)"
cp "$T/conf.bak" "$D/broadside.conf"; printf 'no equals sign\n' >>"$D/broadside.conf"
check "line without =" grep -q "broadside.conf:$((lines - 1)): expected 'key = value'" <<<"$($BROADSIDE --data "$D" serve -n 2>&1)"
cp "$T/conf.bak" "$D/broadside.conf"
check "non-loopback listen refused" grep -q 'not a loopback address' <<<"$($BROADSIDE --data "$D" serve --no-tor --listen 0.0.0.0:$(free_port) 2>&1)"
chmod 755 "$D"
check "too-open data dir refused" grep -q 'too open' <<<"$($BROADSIDE --data "$D" serve -n 2>&1)"
chmod 700 "$D"
check "every subcommand has --help" bash -c "for c in init add ls rm serve; do $BROADSIDE \$c --help | grep -q usage || exit 1; done"
check "server survived everything" kill -0 $BG_PID
# --- small files kept open for a second (fcache.h) ---
echo "first" >"$C/hot.txt"
$BROADSIDE --data "$D" refresh demo >/dev/null 2>&1
check_eq "a small file" "$(curl -s $U/f/demo/hot.txt)" first
check_eq "again, from the kept fd" "$(curl -s $U/f/demo/hot.txt)" first
check_eq "a range of the kept file" "$(curl -s -r 1-3 $U/f/demo/hot.txt)" irs
check_eq "HEAD of the kept file" "$(curl -s -I $U/f/demo/hot.txt | tr -d '\r' | grep -i '^content-length')" "Content-Length: 6"
echo "SECOND" >"$C/hot.txt"
sleep 1.2
check_eq "changed on disk, a second later: 503, not the new bytes" "$(code $U/f/demo/hot.txt)" 503
$BROADSIDE --data "$D" refresh demo >/dev/null 2>&1
# (The server reads the catalogue in snapshots of up to 100 ms from a request.)
sleep 0.2
check_eq "refreshed: the new bytes" "$(curl -s $U/f/demo/hot.txt)" SECOND
check_eq "and again, from the kept fd" "$(curl -s $U/f/demo/hot.txt)" SECOND
# A new file renamed over it (a new inode: the kept fd still reads the old one).
echo "third!!" >"$C/hot.tmp" && mv "$C/hot.tmp" "$C/hot.txt"
$BROADSIDE --data "$D" refresh demo >/dev/null 2>&1
sleep 0.2
check_eq "refreshed within the kept second: the new bytes, not the kept file" "$(curl -s $U/f/demo/hot.txt)" 'third!!'

done_testing
