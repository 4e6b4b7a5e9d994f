#!/usr/bin/env bash
# Takedown drill on the private Tor network: origin A, and mirrors B and C
# that follow it (mirror_interval 10s, through their own tor's SocksPort, a
# Unix socket). A
# lists B and C in its signed address list. A adds a file → B and C serve it
# after their next scheduled run. Then A is killed and its data destroyed. A
# reader who knew only A's address (and had seen "This collection is also at"
# on A's page, and pinned A's key) goes to B, follows the link to the signed
# list on B's page, verifies it with `minisign -V`, reaches C through it, and
# verifies a file downloaded from C with `sha256sum -c`. Prints "# measured:".
source "$(dirname "$0")/lib.sh"

A=$T/a B=$T/b C=$T/c COLL=$T/coll
mkdir -p "$COLL"
echo "the leak" >"$COLL/README.txt"
head -c 300000 /dev/urandom >"$COLL/scan.bin"
t0=$(now)
check "private network starts" tornet_start "$NET"
source "$NET/env"
for d in "$A" "$B" "$C"; do $BROADSIDE --data "$d" init >/dev/null 2>&1; done
ADDR_A=$($BROADSIDE --data "$A" address) ADDR_B=$($BROADSIDE --data "$B" address) ADDR_C=$($BROADSIDE --data "$C" address)
$BROADSIDE --data "$A" add "$COLL" --slug leak --title "The leak" -q
$BROADSIDE --data "$A" mirrors add "$ADDR_B" --note "B" >/dev/null
$BROADSIDE --data "$A" mirrors add "$ADDR_C" --note "C" >/dev/null
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --tor-config-append "$NET/service-torrc-append"
A_PID=$BG_PID
check "network has a consensus" tornet_wait "$NET"
on() { tor_get "$SOCKS_PORT" "$1" "$2" "$4" -f -o "$3"; }   # on ADDR PATH OUT ISOLATION
check "A answers over tor" retry 300 on "$ADDR_A" /m/publisher.pub /dev/null
echo "# measured: network start to A answering: $(since "$t0") s"
# The reader, before the takedown: A's key, and the addresses A's page lists.
check "the reader pins A's key" retry 60 on "$ADDR_A" /m/publisher.pub "$T/reader.pub"
check "… and sees A's page" retry 60 on "$ADDR_A" /c/leak/ "$T/a-page.html"
check "A's page says the collection is also at B and C" \
  bash -c "grep -q 'also at: .*$ADDR_B.*$ADDR_C\|also at: .*$ADDR_C.*$ADDR_B' '$T/a-page.html'"

# B and C mirror A by hand once, then follow it from serve.
for m in B C; do
  d=${!m}
  printf 'mirror_interval = 10s\nmirror_jitter = 10\n' >>"$d/broadside.conf"
  check "$m mirrors A through tor" retry 180 bash -c "$BROADSIDE --data '$d' mirror 'http://$ADDR_A/c/leak/' \
    --publisher-key '$T/reader.pub' --socks 127.0.0.1:$SOCKS_PORT -q >>'$T/$m-mirror.log' 2>&1"
  bg_start "$T/$m.log" $BROADSIDE --data "$d" serve --tor-config-append "$NET/service-torrc-append"
done
check "B answers over tor" retry 300 on "$ADDR_B" /c/leak/ /dev/null
check "C answers over tor" retry 300 on "$ADDR_C" /c/leak/ /dev/null

# A adds a file: B and C serve it after their next run.
echo "added after the mirrors" >"$COLL/late.txt"
$BROADSIDE --data "$A" refresh leak -q >/dev/null
t_add=$(now)
check "B serves A's new file after its next run" retry 180 on "$ADDR_B" /f/leak/late.txt /dev/null
echo "# measured: A's refresh to B serving it: $(since "$t_add") s"
check "C serves it too" retry 180 on "$ADDR_C" /f/leak/late.txt /dev/null
echo "# measured: A's refresh to C serving it: $(since "$t_add") s"
# One more run of B with nothing new, for its time (≤ 11 s).
n_runs=$(grep -c "mirror leak: run [0-9]* done" "$T/B.log")
wait_for 30 bash -c "[ \$(grep -c 'mirror leak: run [0-9]* done' '$T/B.log') -gt $n_runs ]"
echo "# B's scheduled runs:"; grep -o "mirror leak: \(run [0-9]* done in [0-9.]* s\|mirror leak: .* fetched.*\)" "$T/B.log" | sed 's/^/#   /'

# The takedown: A is killed, its data and files destroyed.
kill "$A_PID"
check "A stops" wait_for 30 gone "$A_PID"
rm -rf "$A" "$COLL"
check "A no longer answers" bash -c "! curl -sf -m 20 --socks5-hostname 127.0.0.1:$SOCKS_PORT -o /dev/null http://$ADDR_A/"

# The reader reaches B, finds the signed list on B's page, verifies it.
R=$T/reader; mkdir -p "$R"
check "the reader gets B's page" retry 60 on "$ADDR_B" /c/leak/ "$R/b-page.html"
link=$(grep -o 'href="/m/[a-z0-9/-]*mirrors.txt"' "$R/b-page.html" | head -1 | cut -d'"' -f2)
check "B's page links the signed list" test -n "$link"
check "… which the reader downloads from B" retry 60 on "$ADDR_B" "$link" "$R/mirrors.txt"
check "… with its signature" retry 60 on "$ADDR_B" "$link.minisig" "$R/mirrors.txt.minisig"
check "minisign -V: the list is A's, as A signed it" minisign -V -q -p "$T/reader.pub" -m "$R/mirrors.txt"
check "… it names A as the origin, and C" bash -c "grep -q '^$ADDR_A origin' '$R/mirrors.txt' && grep -q '^$ADDR_C' '$R/mirrors.txt'"
# From the verified list, the reader reaches C and checks a file from it.
other=$(grep -v '^#' "$R/mirrors.txt" | awk '{print $1}' | grep -vx "$ADDR_A" | grep -vx "$ADDR_B" | head -1)
check_eq "the list leads to C" "$other" "$ADDR_C"
for f in SHA256SUMS SHA256SUMS.minisig; do retry 60 on "$other" "/m/leak/$f" "$R/$f"; done
check "C's SHA256SUMS verifies with A's key" minisign -V -q -p "$T/reader.pub" -m "$R/SHA256SUMS"
mkdir -p "$R/files"
check "the reader downloads late.txt from C" retry 60 on "$other" /f/leak/late.txt "$R/files/late.txt"
check "… and it passes sha256sum -c" bash -c "cd '$R/files' && grep '  late.txt$' ../SHA256SUMS | sha256sum --quiet -c"
# A run that started as A went can wait out the fetch's 120 s connect timeout
# (tor keeps trying A's introduction points) before it records its error.
check "B's status shows the failing runs since A went" \
  wait_for 180 bash -c "$BROADSIDE --data '$B' status --json | grep -q '\"last_error\":\"cannot fetch'"
echo "# B's status: $($BROADSIDE --data "$B" status --json | grep -o '"last_error":"[^"]*"')"
echo "# measured: whole drill: $(since "$t0") s"
done_testing
