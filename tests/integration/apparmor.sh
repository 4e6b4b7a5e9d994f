#!/usr/bin/env bash
# The image's AppArmor profiles parse (apparmor_parser -Q, nothing loaded): a
# profile that does not parse leaves tor and serve unconfined on the image,
# which only the image boot would otherwise show. The document jail's child
# profiles (broadside-docworker, broadside-tool-NAME, which docjail.c stacks
# on a worker and on each tool) are each parsed, one exists for every tool
# the code runs, and each denies the keys. Controls prove the checks.
. "$(dirname "$0")/../lib.sh"
P=/usr/sbin/apparmor_parser
[ -x "$P" ] || P=$(command -v apparmor_parser)
# Parse for the features of AppArmor ABI 3.0 (the image's kernel has them),
# not for this kernel's (without AppArmor the parser refuses a stack rule).
A=/etc/apparmor.d/abi/3.0
P="$P -M $A"
F=$TOP/image/files/apparmor-broadside
check "apparmor_parser is installed (scripts/deps.sh)" test -x "${P%% *}" -a -r "$A"
for f in "$TOP"/image/files/apparmor-*; do
  check "$(basename "$f") parses" bash -c "$P -Q -K '$f' >'$T/out' 2>&1 || { cat '$T/out'; exit 1; }"
done
printf 'profile bad /usr/bin/x {\n  /memfd:x (deleted) r,\n}\n' >"$T/bad"
check "control: a path with a space, unquoted, is refused" bash -c "! $P -Q -K '$T/bad' >/dev/null 2>&1"

# Every profile in the file, by the names the parser read.
$P -N "$F" 2>/dev/null | sort >"$T/names"
# The tools the code runs by absolute path (their defaults in the headers).
grep -ho '"/usr/bin/[a-z0-9_-]*"' "$TOP"/appliance/docs/*.h | tr -d '"' | sort -u >"$T/tools"
check "the code runs 8 or more tools (the list below is not empty)" [ "$(wc -l <"$T/tools")" -ge 8 ]
check "broadside-docworker is a profile of the file" grep -qx broadside-docworker "$T/names"
grep -q '"stack " DOCJAIL_AA_WORKER' "$TOP/appliance/docs/docjail.c" &&
  grep -q '#define DOCJAIL_AA_WORKER "broadside-docworker"' "$TOP/appliance/docs/docjail_int.h"
check "a worker stacks that very name (docjail.c)" [ $? = 0 ]
# One profile's text: from its "profile NAME" line to its closing brace.
body() { sed -n "/^profile $1 /,/^}/p" "$F"; }
for t in $(cat "$T/tools"); do
  n=$(basename "$t")
  check "broadside-tool-$n is a profile of the file" grep -qx "broadside-tool-$n" "$T/names"
  check "broadside-tool-$n may run $t, and broadside may too" bash -c \
    "sed -n '/^profile broadside-tool-$n /,/^}/p' '$F' | grep -q '^  $t mrix,' && grep -q '^  $t rix,' '$F'"
done
for n in $(grep -E '^broadside-(docworker|tool-)' "$T/names"); do
  body "$n" >"$T/p-$n"
  # Each child profile on its own, with the tunables it needs.
  { echo 'abi <abi/3.0>,'; echo 'include <tunables/global>'; cat "$T/p-$n"; } >"$T/one-$n"
  check "$n parses on its own" bash -c "$P -Q -K '$T/one-$n' >'$T/out' 2>&1 || { cat '$T/out'; exit 1; }"
  check "$n denies keys/, onion/ and tor/ of the data directory, ptrace and the network" bash -c \
    "grep -q '^  deny /var/lib/broadside/keys/\*\* ' '$T/p-$n' && grep -q '^  deny /var/lib/broadside/onion/\*\* ' '$T/p-$n' &&
     grep -q '^  deny /var/lib/broadside/tor/\*\* ' '$T/p-$n' && grep -q '^  deny ptrace,' '$T/p-$n' &&
     grep -Eq '^  deny network( inet)?,' '$T/p-$n' && ! grep -Eq '^  network (inet|inet6|netlink|packet)' '$T/p-$n'"
  check "$n includes no abstraction (base reads too much)" bash -c "! grep -q 'include <abstractions' '$T/p-$n'"
done
check "broadside may stack the child profiles" bash -c \
  "grep -q '^  change_profile -> &broadside-docworker,' '$F' && grep -q '^  change_profile -> &broadside-tool-\*,' '$F'"
# Controls: a child profile broken inside is refused (the whole file is
# parsed, not only its first profile), and a missing tool profile is seen.
sed '/^profile broadside-tool-tesseract /a\  /memfd:x (deleted) r,' "$F" >"$T/bad-child"
check "control: a child profile broken inside is refused" bash -c "! $P -Q -K '$T/bad-child' >/dev/null 2>&1"
sed '/^profile broadside-tool-unrtf /,/^}/d' "$F" >"$T/no-unrtf"
check "control: a file without broadside-tool-unrtf lacks that name" bash -c \
  "$P -Q -K '$T/no-unrtf' >/dev/null 2>&1 && ! $P -N '$T/no-unrtf' 2>/dev/null | grep -qx broadside-tool-unrtf"
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
  echo "# AppArmor is not enabled in this kernel: the profiles are parsed only here; the image loads them"
fi
done_testing
