#!/usr/bin/env bash
# The image's AppArmor profiles parse (apparmor_parser -Q, nothing loaded): a
# profile that does not parse leaves tor and serve unconfined on the image,
# which only the image boot would otherwise show. A control proves the check.
. "$(dirname "$0")/../lib.sh"
P=/usr/sbin/apparmor_parser
[ -x "$P" ] || P=$(command -v apparmor_parser)
check "apparmor_parser is installed (scripts/deps.sh)" test -x "$P"
for f in "$TOP"/image/files/apparmor-*; do
  check "$(basename "$f") parses" bash -c "'$P' -Q -K '$f' >'$T/out' 2>&1 || { cat '$T/out'; exit 1; }"
done
printf 'profile bad /usr/bin/x {\n  /memfd:x (deleted) r,\n}\n' >"$T/bad"
check "control: a path with a space, unquoted, is refused" bash -c "! '$P' -Q -K '$T/bad' >/dev/null 2>&1"
done_testing
