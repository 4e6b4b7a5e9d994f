#!/usr/bin/env bash
# mirror against an origin that holds the publisher's key, or that lies and
# stalls (tests/hostile_origin.py on loopback, --socks none). The publisher A
# makes versions v1..v4 of a collection; the origin serves whichever manifests
# the test puts in its folder. Rollback (v2 installed, v1 served), a mix of
# v2's index.json with v1's SHA256SUMS, the same version with other content,
# a manifest signed for another file and an unversioned (old) manifest are
# each refused with a message that names the attack, and the mirror keeps v2.
# A large drop of files needs --accept-removals. Hostile bodies (1 GiB, endless
# chunked, random, 1 byte per interval) are each refused within seconds,
# leave no manifest behind and keep the quarantine bounded.
. "$(dirname "$0")/../lib.sh"
A=$T/a B=$T/b C=$T/coll R=$T/origin
mkdir -p "$C" "$R/m/demo" "$R/f"
for i in $(seq -w 1 20); do echo "file $i" >"$C/f$i.txt"; done
echo "names a source" >"$C/exposed.txt"
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$B" init >/dev/null 2>&1
# keep VERSION: its manifests aside; the origin serves every file any version listed.
keep() { mkdir -p "$T/$1" "$R/f/demo"; cp "$A/manifests/demo/"* "$T/$1/"; cp "$C"/* "$R/f/demo/"; }
# v1, then v2 without exposed.txt and with new.txt (in the same second, often).
$BROADSIDE --data "$A" add "$C" --slug demo --title Demo -q >/dev/null; keep v1
rm "$C/exposed.txt"; echo "new" >"$C/new.txt"
$BROADSIDE --data "$A" refresh demo -q >/dev/null; keep v2
# v3 drops 5 of 21 files; v4 adds three that the origin will garble.
rm "$C"/f0[1-5].txt
$BROADSIDE --data "$A" refresh demo -q >/dev/null; keep v3
for i in 1 2 3; do head -c 2000 /dev/urandom >"$C/rnd-$i.bin"; done
$BROADSIDE --data "$A" refresh demo -q >/dev/null; keep v4
check_eq "v1 and v2 carry different signed versions" \
  "$(sed -n 's/.*\tversion:\([^\t]*\).*/\1/p' "$T/v1/index.json.minisig" "$T/v2/index.json.minisig" | sort -u | wc -l)" 2

rm -f "$T/origin.port"
bg_start "$T/origin.log" python3 "$TOP/tests/hostile_origin.py" "$T/origin.port" "$R"
check "origin answers" wait_for 10 test -s "$T/origin.port"
P=$(cat "$T/origin.port")
serve() { rm -f "$R/m/demo/"*; cp "$T/$1/"* "$R/m/demo/"; }   # serve VERSION
mode() { echo "$*" >"$R/mode"; }
mirror() { $BROADSIDE --data "$B" mirror "http://127.0.0.1:$P/c/demo/" --publisher-key "$A/keys/publisher.pub" \
  --socks none -q "$@"; }
M=$B/mirrors/demo
keeps_v2() {
  test -e "$M/new.txt" && test ! -e "$M/exposed.txt" && cmp -s "$B/manifests/demo/SHA256SUMS" "$T/v2/SHA256SUMS" &&
    cmp -s "$B/manifests/demo/index.json" "$T/v2/index.json"
}

serve v2
out=$(mirror 2>&1); rc=$?
check_eq "v2 mirrors" "$rc" 0
check "… B has v2" keeps_v2
out=$(mirror 2>&1); rc=$?
check_eq "the same v2 again is fine" "$rc" 0

# The rollback of the review: the origin's key holder serves v1 (genuinely signed).
serve v1
: >"$R/requests.log"
out=$(mirror 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "rollback to v1: non-zero exit" test "$rc" -ne 0
check "… the message names the attack" grep -q "rollback: .*older than the installed" <<<"$out"
check "… B keeps v2 (exposed.txt not fetched back, new.txt kept, v2 manifests served)" keeps_v2
check "… refused from the signatures alone: v1's manifests were not downloaded" \
  bash -c "grep -q '^/m/demo/index.json.minisig$' '$R/requests.log' && ! grep -q '^/m/demo/index.json$' '$R/requests.log'"
check "… no fetched manifest left behind" bash -c "! ls '$B/mirrors/.demo.partial' 2>/dev/null | grep -q '^index.json\|^SHA256SUMS'"

# v2's index.json with v1's SHA256SUMS.
serve v2; cp "$T/v1/SHA256SUMS" "$T/v1/SHA256SUMS.minisig" "$R/m/demo/"
out=$(mirror 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "v2 index + v1 SHA256SUMS: non-zero exit" test "$rc" -ne 0
check "… the message names the attack" grep -q "mix-and-match: index.json is version .* but SHA256SUMS is version" <<<"$out"
check "… B keeps v2" keeps_v2

# A genuine signature over another file: SHA256SUMS served as index.json.
serve v2; cp "$T/v2/SHA256SUMS" "$R/m/demo/index.json"; cp "$T/v2/SHA256SUMS.minisig" "$R/m/demo/index.json.minisig"
out=$(mirror 2>&1); rc=$?
check "a signature for SHA256SUMS served as index.json's: refused" test "$rc" -ne 0
check "… file: is named" grep -q "signed as file:SHA256SUMS, not index.json" <<<"$out"
check "… B keeps v2" keeps_v2

# The same version with other content: the key holder re-signs an edited v2.
mkdir -p "$T/eq"; cp "$T/v2/"* "$T/eq/"
sed -i 's/"title":"Demo"/"title":"Demo!"/' "$T/eq/index.json"
tc=$(sed -n 's/^trusted comment: //p' "$T/v2/index.json.minisig")
rm "$T/eq/index.json.minisig"
minisign -S -s "$A/keys/publisher.key" -m "$T/eq/index.json" -t "$tc" >/dev/null 2>&1 </dev/null
check "the key holder's re-signed v2 verifies with minisign" minisign -Vq -p "$A/keys/publisher.pub" -m "$T/eq/index.json"
serve eq
out=$(mirror 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "same version, other content: refused" test "$rc" -ne 0
check "… the message names it" grep -q "equivocation: .*same version as the installed one but other content" <<<"$out"
check "… B keeps v2" keeps_v2

# An unversioned manifest (as signed before versions existed) counts as the oldest.
mkdir -p "$T/old"; cp "$T/v1/"* "$T/old/"
for f in index.json SHA256SUMS; do
  tc=$(sed -n 's/^trusted comment: //p' "$T/v1/$f.minisig" | sed 's/\tversion:[^\t]*//')
  rm "$T/old/$f.minisig"
  minisign -S -s "$A/keys/publisher.key" -m "$T/old/$f" -t "$tc" >/dev/null 2>&1 </dev/null
done
serve old
out=$(mirror 2>&1); rc=$?
check "an unversioned manifest after a versioned one: refused as a rollback" grep -q "rollback: " <<<"$out"
check "… B keeps v2" keeps_v2

# v3 drops 5 of 21 files (24% > 10%).
serve v3
out=$(mirror 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "dropping 24% of the files stops" test "$rc" -ne 0
check "… with a clear message" grep -q "removes 5 of the 21 installed files (more than 10%).*--accept-removals" <<<"$out"
check "… and keeps them" test -e "$M/f01.txt"
out=$(mirror --max-removals 30 2>&1); rc=$?
check_eq "--max-removals 30 lets it through" "$rc" 0
check "… the files are gone" test ! -e "$M/f01.txt"
check "… and v3 is installed" cmp -s "$B/manifests/demo/index.json" "$T/v3/index.json"

# ---------- hostile bodies: each bounded in time, cleaned up, reported ----------
BOUNDS=(--max-manifest-size 1048576 --min-rate 1000 --min-rate-time 2 --deadline 20 --quarantine-max 4000)
hostile() { # hostile NAME MODE... : run the mirror against MODE, time it
  mode "${@:2}"
  local t0=$(date +%s.%N)
  out=$(mirror "${BOUNDS[@]}" 2>&1); rc=$?
  el=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
  echo "# $1: exit $rc after $el s: $(tail -1 <<<"$out")"
  check "$1: non-zero exit" test "$rc" -ne 0
  check "$1: refused within 15 s" python3 -c "import sys; sys.exit(not $el < 15)"
  check "$1: no manifest left in the work folder" \
    bash -c "! ls '$B/mirrors/.demo.partial' 2>/dev/null | grep -q '^index.json\|^SHA256SUMS'"
  check "$1: $INST still installed" cmp -s "$B/manifests/demo/index.json" "$T/$INST/index.json"
}
serve v4
INST=v3
hostile "1 GiB index.json" huge index.json
check "… says the cap" grep -q "index.json is larger than 1048576 bytes (--max-manifest-size)" <<<"$out"
hostile "endless chunked SHA256SUMS" chunked SHA256SUMS
check "… says the cap" grep -q "SHA256SUMS is larger than 1048576 bytes" <<<"$out"
BOUNDS=(--min-rate 1000 --min-rate-time 2 --deadline 20 --quarantine-max 4000)
hostile "endless chunked index.json, the default cap" chunked index.json
check "… says the default cap" grep -q "index.json is larger than 67108864 bytes" <<<"$out"
BOUNDS=(--max-manifest-size 1048576 --min-rate 1000 --min-rate-time 2 --deadline 20 --quarantine-max 4000)
hostile "random index.json" random index.json
check "… BAD SIGNATURE" grep -q "BAD SIGNATURE" <<<"$out"
hostile "random index.json again" random index.json
hostile "random index.json.minisig" random index.json.minisig
check "… BAD SIGNATURE" grep -q "BAD SIGNATURE: index.json.minisig is not a minisign signature" <<<"$out"
hostile "1 GiB SHA256SUMS.minisig" huge SHA256SUMS.minisig
check "… says the cap" grep -q "SHA256SUMS.minisig is larger than 4096 bytes" <<<"$out"
hostile "1 byte per 0.5 s index.json" trickle index.json 0.5
check "… says the rate" grep -q "slower than 1000 bytes/s for 2 s (--min-rate, --min-rate-time)" <<<"$out"
# v4's manifests verify but its files do not: v4 stays staged, v3 stays
# installed and served whole (readers never see half a version).
hostile "random file bodies" random rnd-*
check "… quarantined" grep -q "QUARANTINED: rnd-" <<<"$out"
hostile "random file bodies again" random rnd-*
check_eq "… the REPORT keeps every line" "$(wc -l <"$M.quarantine/REPORT")" 6
check "… the bodies kept stay within --quarantine-max" \
  test "$(find "$M.quarantine" -type f ! -name REPORT -printf '%s\n' | awk '{s+=$1} END {print s+0}')" -le 4000
check "… the REPORT says which bodies were dropped" grep -q "body not kept" "$M.quarantine/REPORT"
hostile "1 byte per 0.5 s files" trickle rnd-* 0.5
check "… says the rate" grep -q "slower than 1000 bytes/s" <<<"$out"
BOUNDS=(--min-rate 1 --min-rate-time 30 --deadline 4)
hostile "1 byte per 0.5 s files, --deadline 4" trickle rnd-* 0.5
check "… says the deadline" grep -q "deadline of 4 s (--deadline) passed" <<<"$out"

# Two runs of one collection cannot interleave.
mode trickle rnd-* 0.5
mirror --deadline 6 >/dev/null 2>&1 &
MP=$!
sleep 1
out=$(mirror 2>&1); rc=$?
check "a second run while one is going: refused" test "$rc" -ne 0
check "… saying why" grep -q "another mirror run of demo is in progress" <<<"$out"
wait $MP
check "… none of v4's files is in place" bash -c "! ls '$M'/rnd-* 2>/dev/null | grep -q ."
mode static
out=$(mirror 2>&1); rc=$?
check_eq "the honest v4 mirrors afterwards" "$rc" 0
check "… v4 installed" cmp -s "$B/manifests/demo/index.json" "$T/v4/index.json"
done_testing
