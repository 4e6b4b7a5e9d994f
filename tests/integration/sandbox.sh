#!/usr/bin/env bash
# sandbox: `serve` restricts itself after start-up (sandbox.h). Checks, on the
# real binary with its real sandbox:
#  - inside the running server (BROADSIDE_SANDBOX_PROBE test hook, run right
#    after the sandbox is applied): the onion secret key cannot be opened, no
#    AF_INET/AF_INET6 socket, exec of /bin/true fails (the server would be
#    replaced if it did not);
#  - from outside, through HTTP: a collection whose root was swapped for a
#    symbolic link to another folder is not served (403) with the sandbox, and
#    IS served without it (what the sandbox protects against); a collection
#    added while serve runs answers 403 until serve restarts;
#  - tor (DisableNetwork 1: never the real Tor network) is started by the
#    spawner outside the sandbox, and after kill -9 the supervisor restarts it;
#  - sandbox = required starts here (Landlock ABI >= 1); a bad value is a
#    config error with file:line.
# http.sh and the other integration tests run with the sandbox on (the default).
. "$(dirname "$0")/../lib.sh"

D=$T/data C=$T/coll
mkdir -p "$C" "$T/outside" "$T/late"
echo "published" >"$C/a.txt"
echo "late" >"$T/late/b.txt"
$BROADSIDE --data "$D" init >/dev/null
check "add" $BROADSIDE --data "$D" add "$C" --slug demo --title Demo
printf 'DisableNetwork 1\n' >"$T/tor-append"
printf 'search_threads = 2\n' >>"$D/broadside.conf"
ll_abi=$(python3 -c 'import ctypes; print(max(ctypes.CDLL(None).syscall(444, None, 0, 1), 0))')

PORT=$(free_port)
U=http://127.0.0.1:$PORT
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
serve() { # serve LOG [env...]: start serve in the background, wait for it
  local log=$1; shift
  PORT=$(free_port); U=http://127.0.0.1:$PORT
  bg_start "$log" env "$@" $BROADSIDE --data "$D" serve --listen 127.0.0.1:$PORT \
    --tor-config-append "$T/tor-append"
  SERVE_PID=$BG_PID
  wait_for 20 curl -sf -o /dev/null $U/
}
stop() { kill "$SERVE_PID" 2>/dev/null; for _ in $(seq 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done; }
status_field() { $BROADSIDE --data "$D" status --json 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['tor']['$1'])" 2>/dev/null; }

# --- 1. the probe inside the sandboxed server --------------------------------
secret=$D/onion/public/hs_ed25519_secret_key
check "serves with the sandbox on and the probe run" serve "$T/s1.log" BROADSIDE_SANDBOX_PROBE="$secret"
log=$(cat "$T/s1.log")
check "seccomp filter loaded" grep -q 'sandbox: seccomp filter loaded' <<<"$log"
if [ "$ll_abi" -gt 0 ]; then
  check "landlock applied" grep -q "sandbox: landlock ABI $ll_abi applied" <<<"$log"
  check "cannot open the onion secret key" grep -q "sandbox probe: open $secret: Permission denied" <<<"$log"
else
  echo "# this kernel has no Landlock: file checks skipped"
fi
check "cannot open an AF_INET socket" grep -q 'sandbox probe: socket(AF_INET): Operation not permitted' <<<"$log"
check "cannot open an AF_INET6 socket" grep -q 'sandbox probe: socket(AF_INET6): Operation not permitted' <<<"$log"
check "cannot open an AF_UNIX socket either (tor's control connection comes from the spawner)" grep -q 'sandbox probe: socket(AF_UNIX): Operation not permitted' <<<"$log"
check "cannot exec" grep -q 'sandbox probe: exec /bin/true: Operation not permitted' <<<"$log"
# (Under ASan the sanitizer needs clone for its own threads, so fork passes there.)
[ -z "${ASAN_SLOW:-}" ] && check "cannot fork" grep -q 'sandbox probe: fork: Operation not permitted' <<<"$log"
check "the server survived the probe" kill -0 "$SERVE_PID"
check_eq "files are served" "$(curl -s $U/f/demo/a.txt)" published
check "the secret key is still readable outside the server" test -r "$secret"

# --- 2. tor restarts after kill -9, from outside the sandbox -------------------
check "tor started" wait_for 30 bash -c "[ \"\$($BROADSIDE --data '$D' status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"tor\"][\"pid\"])')\" -gt 0 ]"
tor1=$(status_field pid)
ppid=$(awk '{print $4}' /proc/"$tor1"/stat 2>/dev/null)
check "tor's parent is the spawner, not the sandboxed server" bash -c "[ '$ppid' != '$SERVE_PID' ] && grep -q broadside-spawn /proc/$ppid/comm"
check "tor itself is not under the server's seccomp filter" grep -q '^Seccomp:[[:space:]]*[02]' /proc/"$tor1"/status
check "the server is under seccomp (mode 2)" grep -q '^Seccomp:[[:space:]]*2' /proc/"$SERVE_PID"/status
# Libraries the server never calls are not in it: libcurl (loaded by mirror
# runs only) and what it pulls in, GnuTLS and p11-kit among them.
check "the server has no libcurl, GnuTLS or p11-kit mapped" bash -c "! grep -qE 'libcurl|libgnutls|libp11-kit|libldap' /proc/$SERVE_PID/maps"
check "the server has no_new_privs" grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$SERVE_PID"/status
# The search threads (search_threads = 2, set above) start after the sandbox: each
# thread is under the filter (and Landlock, which binds later threads only).
tasks=$(ls /proc/"$SERVE_PID"/task)
check_eq "serve runs its two search threads" "$(wc -w <<<"$tasks")" 3
for t in $tasks; do
  check "thread $t is under seccomp with no_new_privs" bash -c \
    "grep -q '^Seccomp:[[:space:]]*2' /proc/$SERVE_PID/task/$t/status && grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$SERVE_PID/task/$t/status"
done
check "a search is answered by the sandboxed threads" bash -c "curl -sf '$U/search?q=published' | grep -q 'a.txt'"
check "no fallback to searching on the loop" bash -c "! grep -q 'searches run on the event loop' '$T/s1.log'"
kill -9 "$tor1"
check "tor restarted after kill -9" wait_for 30 bash -c "p=\$($BROADSIDE --data '$D' status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"tor\"][\"pid\"])'); [ \"\$p\" -gt 0 ] && [ \"\$p\" != $tor1 ] && kill -0 \$p"
check_eq "restarts counted" "$(status_field restarts)" 1
check "the restarted tor reaches its control socket" wait_for 30 bash -c "$BROADSIDE --data '$D' status --json | grep -q '\"bootstrap\":[0-9]'"

# --- 3. a collection added while serving is outside until restart ------------
check "add a collection while serving" $BROADSIDE --data "$D" add "$T/late" --slug late --title Late
if [ "$ll_abi" -gt 0 ]; then
  check_eq "its files answer 403 until serve restarts" "$(code $U/f/late/b.txt)" 403
fi
tor2=$(status_field pid)
stop
tor_gone() { ! kill -0 "$1" 2>/dev/null; }
check "tor stops with serve" wait_for 10 tor_gone "$tor2"
check "serve restarts" serve "$T/s2.log"
check_eq "after the restart they are served" "$(curl -s $U/f/late/b.txt)" late

# --- 4. a root swapped for a symbolic link ------------------------------------
stop
cp -p "$C/a.txt" "$T/outside/a.txt"
echo "not published" >"$T/outside/a.txt.tmp"; touch -r "$C/a.txt" "$T/outside/a.txt.tmp"
# Same size and mtime as the catalogued file, other bytes: only the root differs.
printf 'PUBLISHED\n' >"$T/outside/a.txt"; touch -r "$C/a.txt" "$T/outside/a.txt"
mv "$C" "$C.orig"; ln -s "$T/outside" "$C"
if [ "$ll_abi" -gt 0 ]; then
  check "serve with a swapped root" serve "$T/s3.log"
  check "the log names the swapped root" grep -q 'sandbox: collection demo: root .* now leads to' "$T/s3.log"
  check_eq "its files answer 403" "$(code $U/f/demo/a.txt)" 403
  stop
fi
sed -i 's/^#\?sandbox = .*/sandbox = no/' "$D/broadside.conf"
check "serve with sandbox = no" serve "$T/s4.log"
check "the log says the sandbox is off" grep -q 'sandbox = no' "$T/s4.log"
check_eq "without the sandbox the swapped root IS served" "$(curl -s $U/f/demo/a.txt)" PUBLISHED
check "tor is a direct child without the sandbox" wait_for 30 bash -c "p=\$($BROADSIDE --data '$D' status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"tor\"][\"pid\"])'); [ \"\$p\" -gt 0 ] && [ \"\$(awk '{print \$4}' /proc/\$p/stat)\" = $SERVE_PID ]"
stop
rm "$C"; mv "$C.orig" "$C"

# --- 5. config -----------------------------------------------------------------
sed -i 's/^sandbox = .*/sandbox = maybe/' "$D/broadside.conf"
out=$($BROADSIDE --data "$D" serve -n 2>&1)
check "a bad sandbox value is a file:line error" grep -q "broadside.conf:[0-9]*: sandbox: 'maybe' is not one of yes, required, no" <<<"$out"
sed -i 's/^sandbox = .*/sandbox = required/' "$D/broadside.conf"
if [ "$ll_abi" -gt 0 ]; then
  check "sandbox = required starts on this kernel" serve "$T/s5.log"
  check_eq "and serves" "$(curl -s $U/f/demo/a.txt)" published
  stop
fi
check "the example config documents the key" grep -q '^#sandbox = yes' <($BROADSIDE --data "$T/fresh" init >/dev/null 2>&1; cat "$T/fresh/broadside.conf")
done_testing
