#!/usr/bin/env bash
# tests/fresh/fresh.sh: the README's two commands on a brand-new Debian 12.
# A minbase root (mmdebstrap, the host's apt sources) with nothing else but
# make, git and ca-certificates gets a git clone of this tree's HEAD (so no
# build output comes along); inside it, each once:
#   make run   until the preview answers 200 on / and on a search, and the
#              onion key exists; then Ctrl-C (SIGINT), and serve and its tor
#              must be gone. Its tor runs with DisableNetwork 1
#              (DEMO_TOR_APPEND): the test never reaches the real Tor network.
#   make test TESTS_ONLY=unit (FRESH_TESTS to change the stages)
# Either needing a second try, or a package scripts/deps.sh does not install,
# fails the test. Runs as root: a chroot in its own mount and PID namespaces
# (unshare), so its mounts and processes end with it; apt reaches the mirror
# through the host's network. Prints what apt installed and each step's time,
# then "N passed, N failed". KEEP=1 keeps the root (build/fresh).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=${FRESH_DIR:-$TOP/build/fresh}
R=$W/root
# .debs are kept between runs here (CI runs on the same machine every time) and
# bind-mounted at the root's /var/cache/apt/archives, so they are not downloaded
# again; it is seeded with hard links from the host's apt cache. The root still
# starts with only make, git and ca-certificates installed.
CACHE=${FRESH_APT_CACHE:-/var/cache/broadside-fresh}
SOURCES=${FRESH_SOURCES:-/etc/apt/sources.list.d/debian.sources}
TESTS=${FRESH_TESTS:-unit}
NS_PID="" start=$SECONDS p=0 f=0
check() { local w=$1; shift; if "$@"; then p=$((p+1)); echo "ok - $w"; else f=$((f+1)); echo "not ok - $w"; fi; }
step_time() { echo "  time: $1 $(( SECONDS - $2 )) s"; }
finish() {
  # The background step is a subshell running timeout: stopping timeout stops
  # unshare, whose namespace init then takes every process inside along.
  [ -n "$NS_PID" ] && kill $(pgrep -P "$NS_PID") "$NS_PID" 2>/dev/null && wait "$NS_PID" 2>/dev/null
  # The namespaces took their mounts along; this is for a root left mounted by hand.
  grep -q " $R/" /proc/mounts && umount -R -l "$R"/* 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $R"; else rm -rf "$R"; fi
  echo "fresh: $(( SECONDS - start )) s in all"
  echo "$p passed, $f failed"
}
trap finish EXIT
trap 'echo "fresh: stopped by a signal"; f=$((f+1)); exit 1' INT TERM HUP  # finish runs on tests/run's timeout too
fail_now() { echo "fresh: $*"; f=$((f+1)); exit 1; }

[ "$(id -u)" = 0 ] || fail_now "needs root (mmdebstrap, chroot)"
for c in mmdebstrap unshare curl git; do command -v $c >/dev/null || fail_now "no $c (scripts/deps.sh test)"; done
[ -f "$SOURCES" ] || fail_now "no apt sources at $SOURCES (set FRESH_SOURCES)"

installed() { # the root's installed packages, one a line, sorted
  awk '/^Package:/ { p = $2 } /^Status: install ok installed/ { print p }' "$R/var/lib/dpkg/status" | sort
}
# in_root TIMEOUT CMD: CMD (a bash script) in the root, in new mount and PID
# namespaces: /proc, /sys, /dev and the apt cache mounted there end with it, and
# so does every process it leaves (the namespace's init exits).
in_root() {
  local limit=$1 cmd=$2
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout --kill-after=10 "$limit" unshare --mount --pid --fork --kill-child -- bash -c '
    R=$1 CACHE=$2
    mount -t proc proc "$R/proc" && mount -t sysfs sys "$R/sys" &&
      mount --rbind /dev "$R/dev" && mount --bind "$CACHE" "$R/var/cache/apt/archives" || exit 1
    cp -L /etc/resolv.conf "$R/etc/resolv.conf"
    exec chroot "$R" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c "$3"' \
    fresh "$R" "$CACHE" "$cmd"
}

echo "--- a Debian 12 root: minbase + make git ca-certificates"
t=$SECONDS
mkdir -p "$W" "$CACHE"
rm -rf "$R"
# Hard links when the host's cache is on the same file system; else no seed.
cp -aln /var/cache/apt/archives/*.deb "$CACHE/" 2>/dev/null
# A throw-away root: dpkg need not fsync (force-unsafe-io, kept for the apt runs
# inside). Seeding the root's cache lets mmdebstrap skip downloads it made before; the
# customize hook keeps what it downloaded (its cleanup empties the root's cache).
timeout 600 mmdebstrap --quiet --variant=minbase --include=make,git,ca-certificates \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt=force-unsafe-io \
  --skip=download/empty \
  --setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && { cp -al '$CACHE'/*.deb \"\$1/var/cache/apt/archives/\" 2>/dev/null || true; }" \
  --customize-hook="cp -an \"\$1\"/var/cache/apt/archives/*.deb '$CACHE/' 2>/dev/null || true" \
  bookworm "$R" "$SOURCES" || fail_now "mmdebstrap failed"
installed >"$W/pkgs-base"
echo "  root: $(wc -l <"$W/pkgs-base") packages (minbase + make git ca-certificates)"
check "the root has make and git but no compiler, pkg-config, tor or python3" \
  bash -c "grep -qx make '$W/pkgs-base' && grep -qx git '$W/pkgs-base' && ! grep -Eqx 'gcc|gcc-12|pkg-config|tor|python3' '$W/pkgs-base'"
git clone -q "$TOP" "$R/root/broadside" || fail_now "git clone failed"
echo "  clone: $(git -C "$R/root/broadside" log -1 --format='%h %s' | cut -c1-70)"
step_time root $t

echo "--- make run (once), until the preview answers and the onion key exists"
t=$SECONDS
port=""
for _ in $(seq 50); do  # the root shares the host's network: a port nobody holds
  port=$((20000 + RANDOM % 20000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
printf 'DisableNetwork 1\n' >"$R/root/tor-append"
rm -f "$R/root/stop"
# Started in its own process group so that Ctrl-C reaches make, serve and tor
# alike; it waits for the host's checks (the stop file), then sends SIGINT.
in_root 1200 "
  cd /root/broadside
  DEMO_PORT=$port DEMO_TOR_APPEND=/root/tor-append setsid make run >/root/make-run.log 2>&1 &
  pid=\$!
  while [ ! -e /root/stop ] && kill -0 \$pid 2>/dev/null; do sleep 0.5; done
  kill -0 \$pid 2>/dev/null || { wait \$pid; echo \"make run exited by itself (\$?)\"; exit 1; }
  kill -INT -- -\$pid
  for _ in \$(seq 60); do kill -0 -- -\$pid 2>/dev/null || break; sleep 0.5; done
  left=\$(cat /proc/[0-9]*/comm 2>/dev/null | grep -Ex 'tor|broadside|make' | sort | uniq -c)
  [ -z \"\$left\" ] || { echo \"still running after SIGINT: \$left\"; exit 1; }
  echo 'make run stopped by SIGINT; serve and tor gone'
" >"$W/run-step.log" 2>&1 &
NS_PID=$!
key=$R/root/broadside/build/demo/data/onion/public/hs_ed25519_secret_key
code() { curl -s -o "$W/body" -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port$1" 2>/dev/null; }
ready=0
for _ in $(seq 1100); do
  kill -0 "$NS_PID" 2>/dev/null || break
  if [ "$(code /)" = 200 ]; then ready=1; break; fi
  sleep 1
done
ready_s=$(( SECONDS - t ))
sed 's/^/  | /' "$R/root/make-run.log" 2>/dev/null | grep -E '^  \| (deps|run:|  local preview|  onion address|.*(error:|Error [0-9]))' | cut -c1-200
check "make run: the preview answers 200 on / (after ${ready_s} s)" test $ready = 1
check "make run: /search?q=burglary answers 200 with results" \
  bash -c "[ \"\$(curl -s -o '$W/search' -w '%{http_code}' --max-time 10 'http://127.0.0.1:$port/search?q=burglary')\" = 200 ] && grep -Eq 'href=\"/(c|r)/demo/' '$W/search'"
check "make run: the onion key exists in the demo data dir" test -s "$key"
touch "$R/root/stop"
wait "$NS_PID"; rc=$?; NS_PID=""
sed 's/^/  | /' "$W/run-step.log"
check "make run stops on SIGINT, its serve and tor with it" test $rc = 0
[ $ready = 1 ] || { echo "  make run's log (end):"; tail -n 30 "$R/root/make-run.log" | sed 's/^/  | /'; }
installed >"$W/pkgs-run"
comm -13 "$W/pkgs-base" "$W/pkgs-run" >"$W/new-run"
echo "  make run installed $(wc -l <"$W/new-run") packages: $(tr '\n' ' ' <"$W/new-run" | cut -c1-1500)"
only_test=$(comm -13 <(bash "$TOP/scripts/deps.sh" --list run | tr ' ' '\n' | sort) \
                     <(bash "$TOP/scripts/deps.sh" --list test | tr ' ' '\n' | sort) | grep -Fxf - "$W/new-run")
check "make run installed no test-only package${only_test:+ (got: $(tr '\n' ' ' <<<"$only_test"))}" test -z "$only_test"
step_time "make run" $t

echo "--- deps again: nothing to install, apt not called"
out=$(in_root 120 "cd /root/broadside && bash scripts/deps.sh run" 2>&1); rc=$?
check "scripts/deps.sh run a second time is silent and succeeds${out:+ (said: $out)}" test $rc = 0 -a -z "$out"

echo "--- make test TESTS_ONLY=$TESTS (once)"
t=$SECONDS
in_root 2400 "cd /root/broadside && FUZZ_SECONDS=${FUZZ_SECONDS:-20} make test TESTS_ONLY=$TESTS" >"$W/test-step.log" 2>&1; rc=$?
grep -E '^deps|^  (ok|FAIL) |^[0-9]+ passed|^failed|rror' "$W/test-step.log" | sed 's/^/  | /' | cut -c1-200
[ $rc = 0 ] || tail -n 20 "$W/test-step.log" | sed 's/^/  | /'
check "make test TESTS_ONLY=$TESTS succeeds the first time" test $rc = 0
check "its closing line says 0 failed" bash -c "grep -E '^[0-9]+ passed, [0-9]+ failed' '$W/test-step.log' | tail -n 1 | grep -Eq '^[1-9][0-9]* passed, 0 failed'"
installed >"$W/pkgs-test"
comm -13 "$W/pkgs-run" "$W/pkgs-test" >"$W/new-test"
echo "  make test installed $(wc -l <"$W/new-test") more packages: $(tr '\n' ' ' <"$W/new-test" | cut -c1-1500)"
step_time "make test" $t
echo "  apt cache $CACHE: $(du -sh "$CACHE" | cut -f1)"
[ $f = 0 ]
