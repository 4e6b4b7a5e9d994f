#!/usr/bin/env bash
# balance: one onion address over three appliances with Onionbalance, on a
# private Tor network. F is the publisher and the front (balance_serve_here =
# no: it only publishes descriptors); b1, b2, b3 mirror F's collection (checked
# against F's signed manifest) and join F as backends, each with its own tor.
# Through the network's client: the front address serves pages and a file that
# passes `sha256sum -c` against the manifest fetched the same way; different
# readers (SOCKS credentials) land on different backends (the distribution is
# printed; first the client must hold a front descriptor that reaches two
# backends: see held_reaches_two); before each kill, fresh readers until every backend has answered
# through the front (reach); kill -9 of one backend (serve and its tor) → the
# front still serves; bring it back → it answers through the front again; kill
# another → still served; kill -9 onionbalance → serve restarts it. Prints
# "# measured:" lines.
source "$(dirname "$0")/lib.sh"
command -v onionbalance >/dev/null || { echo "onionbalance missing (scripts/deps.sh)"; exit 1; }

F=$T/front C=$T/coll
home_ok() { get / "$1" | grep -q 'Balanced leak'; }

mkdir -p "$C/docs"
printf 'Memo 17: the balanced budget was never balanced.\n' >"$C/docs/memo.txt"
head -c 4000000 /dev/urandom >"$C/docs/archive.bin"
$BROADSIDE --data "$F" init >/dev/null 2>&1
$BROADSIDE --data "$F" add "$C" --slug leak --title "Balanced leak" >/dev/null 2>&1
FA=$($BROADSIDE --data "$F" address)
ADDR=$FA   # what get fetches
printf 'balance_serve_here = no\nbalance_testnet = yes\n' >>"$F/broadside.conf"
declare -A BA
for b in b1 b2 b3; do
  $BROADSIDE --data "$T/$b" init >/dev/null 2>&1
  BA[$b]=$($BROADSIDE --data "$T/$b" address)
  $BROADSIDE --data "$F" balance add "${BA[$b]}" "$b" >/dev/null
done
check_eq "the front lists three backends" "$($BROADSIDE --data "$F" balance ls | grep -c '^backend:')" 3

t0=$(now)
check "private network starts" tornet_start "$NET"
source "$NET/env"
check "network has a consensus" tornet_wait "$NET"
echo "# measured: network start to consensus: $(since "$t0") s"

# The front serves a local preview too: the backends mirror from it.
PF=$(free_port)
t_front=$(now)
bg_start "$T/front.log" $BROADSIDE --data "$F" serve --listen "127.0.0.1:$PF" \
  --tor-config-append "$NET/service-torrc-append"
FRONT=$BG_PID
check "front preview up" wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$PF/"
declare -A SERVE
start_backend() { # start_backend NAME
  bg_start "$T/$1.log" $BROADSIDE --data "$T/$1" serve --tor-config-append "$NET/service-torrc-append"
  SERVE[$1]=$BG_PID
}
for b in b1 b2 b3; do
  check "$b mirrors the collection, verified" $BROADSIDE --data "$T/$b" mirror \
    "http://127.0.0.1:$PF/c/leak/" --publisher-key "$F/keys/publisher.pub" --socks none -q
  check "$b joins the front" $BROADSIDE --data "$T/$b" balance join "$FA"
  start_backend "$b"
done
for b in b1 b2 b3; do
  check "$b publishes its instance" wait_for 300 published "$T/$b"
done
ob_running() { [ "$(json "$F" balance.onionbalance.state)" = running ]; }
check "the front runs onionbalance" wait_for 120 ob_running
check "the front's descriptor is published" wait_for 300 published "$F"
echo "# measured: front serve to front descriptor published: $(since "$t_front") s"
check "front address serves the home page" retry 300 home_ok
echo "# measured: front serve to first page through the front address: $(since "$t_front") s"
check "search through the front" grep -q 'never balanced' <<<"$(get '/search?q=budget' s1)"

# A file and the signed manifest, both through the front: sha256sum -c.
mkdir -p "$T/dl/docs"
get /m/leak/SHA256SUMS m1 -o "$T/dl/SHA256SUMS"
get /f/leak/docs/archive.bin f1 -o "$T/dl/docs/archive.bin"
check "file through the front passes sha256sum -c" bash -c "cd '$T/dl' && grep ' docs/archive.bin\$' SHA256SUMS | sha256sum --quiet -c"

# The client keeps the front descriptor it fetched first. Onionbalance's first
# one may list only the backends whose descriptors it had by then, and on this
# 6-relay network two backends' intro points can share a relay, which sends
# the readers of both to the backend listed first (scripts/tools/hs-intros; README,
# "Why the split used to be lopsided"). So before counting: fresh readers
# (NEWNYM) until the descriptor the client holds reaches two or more backends.
held_reaches_two() {
  local out
  out=$(/usr/bin/python3 "$TOP/scripts/tools/hs-intros" "$NET/client/control" "$FA" \
    b1="${BA[b1]}" b2="${BA[b2]}" b3="${BA[b3]}" 2>&1)
  echo "# measured: front descriptor the client holds: $out"
  [ "$(sed -n 's/.*reached: \(.*\)  (of .*/\1/p' <<<"$out" | tr ' ' '\n' | grep -c '^b[0-9]=[1-9]')" -ge 2 ]
}
reach_two() {
  local end=$((SECONDS + 240))
  until held_reaches_two; do
    [ $SECONDS -ge $end ] && return 1
    sleep 10; client_newnym || echo "# NEWNYM refused"
  done
}
check "the front descriptor the client holds reaches two or more backends" reach_two

# Which backend answers which reader: the backends' request counters.
reqs() { json "$T/$1" http.requests; }
declare -A R0
for b in b1 b2 b3; do R0[$b]=$(reqs "$b"); done
okn=0
for i in $(seq 30); do home_ok "reader$i-$RANDOM" && okn=$((okn + 1)); done
dist=""
used=0
for b in b1 b2 b3; do
  d=$(( $(reqs "$b") - ${R0[$b]} ))
  dist="$dist $b=$d"
  [ "$d" -gt 0 ] && used=$((used + 1))
done
echo "# measured: 30 readers (distinct SOCKS credentials) served $okn; requests per backend:$dist"
check "30 readers served ($okn)" test "$okn" -ge 28
check "readers land on more than one backend ($used)" test "$used" -ge 2

# reach NAME...: fresh readers until each named backend has answered one
# (bounded). A failover check is only meaningful while the backends that remain
# are in the front's descriptor and answer through it. Every tenth reader comes
# with a fresh tor (client_newnym): the client keeps the front's descriptor it
# has and skips intro points that failed it, so without this a backend that
# came back stays unused by it for minutes, though new readers would reach it.
reach() {
  local b left=" $* " end=$((SECONDS + 240)) i=0
  declare -A base
  for b in "$@"; do base[$b]=$(reqs "$b"); done
  while [ "$left" != " " ] && [ $SECONDS -lt $end ]; do
    i=$((i + 1))
    [ $((i % 10)) -eq 0 ] && { client_newnym || echo "# NEWNYM refused"; }
    home_ok "reach$i-$RANDOM" || true
    for b in $left; do
      [ "$(reqs "$b")" -gt "${base[$b]}" ] && left=${left/ $b / }
    done
    [ "$left" = " " ] || sleep 1
  done
  left=$(echo $left)
  echo "# measured: $i fresh readers for each of $* to answer one${left:+ (never: $left)}"
  [ -z "$left" ]
}

# Seize a backend: kill -9 its serve and its tor.
kill_backend() { # kill_backend NAME
  local tp
  tp=$(json "$T/$1" tor.pid)
  kill -9 "${SERVE[$1]}"
  [ "${tp:-0}" -gt 1 ] && kill -9 "$tp"
  wait_for 20 gone "${SERVE[$1]}"
}
check "b1, b2, b3 each answer readers through the front" reach b1 b2 b3
kill_backend b1
t_k=$(now)
check "b1 down: the front address still serves" retry 300 home_ok
echo "# measured: b1 killed to front serving: $(since "$t_k") s"
ok3=0
for i in $(seq 6); do home_ok "after-b1-$i-$RANDOM" && ok3=$((ok3 + 1)); done
echo "# measured: with b1 down, $ok3 of 6 fresh readers served at the first try"
start_backend b1
check "b1 back: published again" wait_for 300 published "$T/b1"
t_k=$(now)
check "b1 back: it answers readers through the front again, b3 too" reach b1 b3
echo "# measured: b1 published to answering through the front: $(since "$t_k") s"
kill_backend b2
t_k=$(now)
check "b2 down: the front address still serves" retry 300 home_ok
echo "# measured: b2 killed to front serving: $(since "$t_k") s"

# The front's onionbalance is supervised.
OB=$(json "$F" balance.onionbalance.pid)
check "onionbalance pid known" test "${OB:-0}" -gt 1
[ "${OB:-0}" -gt 1 ] && kill -9 "$OB"
new_ob() { p=$(json "$F" balance.onionbalance.pid); [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$OB" ]; }
check "kill -9 onionbalance: serve restarts it" wait_for 30 new_ob
check "… and counts it" test "$(json "$F" balance.onionbalance.restarts)" -ge 1
check "the front address still serves" retry 300 home_ok
kill "$FRONT"; wait "$FRONT" 2>/dev/null
OB=$(pgrep -f "onionbalance.*$F/run" || true)
check "onionbalance stops with the front's serve" test -z "$OB"
done_testing
