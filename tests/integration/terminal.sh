#!/usr/bin/env bash
# Names reach the operator's terminal unable to act on it: a collection whose
# folder and files are named with an escape sequence, CR, a C1 control and bidi
# overrides/isolates goes through every command that prints names (add and
# refresh reports, ls, search, restore's report, mirror, status, balance), and
# the raw bytes of each output hold no ESC, CR, C1 control or bidi control.
. "$(dirname "$0")/../lib.sh"
EVIL=$'x\x1b[2J\x1b]0;pwned\x07\rfake\xc2\x9b31m\xe2\x80\xaegpj\xe2\x81\xa7.exe'
A=$T/a B=$T/b C="$T/coll$EVIL"
mkdir -p "$C/sub$EVIL"
echo "needle in a haystack" >"$C/sub$EVIL/needle$EVIL.txt"
echo "needle again" >"$C/$EVIL"
echo "not published" >"$C/back\\slash$EVIL"   # listed in the add report
echo "correct horse battery staple" >"$T/pass"

# clean NAME FILE: FILE holds no ESC, CR, C1 (as UTF-8) or bidi control.
clean() {
  python3 - "$2" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
bad = re.findall(rb"\x1b|\r|\x9b|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]", b)
sys.exit(1 if bad else 0)
PY
  local rc=$?
  [ $rc -eq 0 ] || { echo "# $1 printed:"; cat -v "$2" | head -n 20 | sed 's/^/#   /'; }
  return $rc
}
# run NAME CMD...: run with stdout and stderr in one file, then check it.
run() {
  local name=$1; shift
  "$@" >"$T/out.$name" 2>&1
  echo "# $name: exit $?, $(wc -c <"$T/out.$name") bytes"
  check "$name: output holds no ESC, CR, C1 or bidi control" clean "$name" "$T/out.$name"
}
shows() { # shows NAME TEXT: the output mentions the escaped name
  check "$1: shows the name escaped ($2)" grep -qF -- "$2" "$T/out.$1"
}

$BROADSIDE --data "$A" init >/dev/null 2>&1
run add $BROADSIDE --data "$A" add "$C" --slug demo --title "Demo"
shows add 'back\x5cslash'
echo changed >>"$C/$EVIL"
run refresh $BROADSIDE --data "$A" refresh demo
run ls $BROADSIDE --data "$A" ls
shows ls 'x\x1b[2J'
run ls-json $BROADSIDE --data "$A" ls --json
check "ls --json is still JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out.ls-json"
run search $BROADSIDE --data "$A" search needle
shows search 'needle'
run search-collection $BROADSIDE --data "$A" search needle --collection demo
run search-json $BROADSIDE --data "$A" search needle --json
check "search --json is still JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out.search-json"

# restore's report names the files that are missing: restore onto an empty folder.
$BROADSIDE --data "$A" backup "$T/a.bk" --passphrase-file "$T/pass" >/dev/null 2>&1
mkdir -p "$T/empty"
run restore $BROADSIDE --data "$T/r" restore "$T/a.bk" --passphrase-file "$T/pass" --data-root "$C=$T/empty"
shows restore 'missing'

# mirror: a file the origin lists but cannot serve is reported by name.
PA=$(free_port)
bg_start "$T/a.log" $BROADSIDE --data "$A" serve --listen 127.0.0.1:$PA --no-tor
check "origin answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PA/
rm "$C/$EVIL"
$BROADSIDE --data "$B" init >/dev/null 2>&1
run mirror $BROADSIDE --data "$B" mirror "http://127.0.0.1:$PA/c/demo/" \
  --publisher-key "$A/keys/publisher.pub" --socks none
shows mirror 'cannot fetch'
run mirror-ls $BROADSIDE --data "$B" ls

# status and balance: the names an operator gave and what tor or onionbalance said.
$BROADSIDE --data "$A" balance add "$($BROADSIDE --data "$B" address)" "b$EVIL" >/dev/null 2>&1
run balance $BROADSIDE --data "$A" balance ls
run status $BROADSIDE --data "$A" status
done_testing
