#!/usr/bin/env bash
# image/test/install-test.sh OUTDIR: make install-test. First the Debian package on
# the host: lintian, and both manuals rendered (man -l) with every command of
# the command table and every key of the config parser in them. Then
# scripts/install.sh (which installs the package) on a plain Debian 12 system,
# as an operator runs it on a VPS, then again as a re-run; an upgrade to a
# package with a higher version (built here); apt remove, apt purge; and the
# bare package as any Debian user installs it: apt install, broadside init,
# systemctl start. The system is a systemd-nspawn container booted with systemd, in its
# own network namespace (--private-network: only loopback, so the firewall
# the script loads stays in the container and its tor reaches nothing). The
# container's root is Debian's minbase plus the script's own packages
# (`install.sh --packages`), so the script's apt step finds them installed;
# everything after that runs as on a real server. Prints "N passed, N failed".
# REUSE_ROOT=1 keeps the clean root for the next run (development).
set -uo pipefail
OUT=${1:-build/image}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
R=$OUT/install-root NS_PID="" start=$SECONDS
p=0 f=0
check() { local w=$1; shift; if "$@" >/dev/null 2>&1; then p=$((p+1)); echo "ok - $w"; else f=$((f+1)); echo "not ok - $w"; fi; }
finish() {
  [ -n "$NS_PID" ] && kill "$NS_PID" 2>/dev/null
  for _ in $(seq 60); do [ -n "$NS_PID" ] && kill -0 "$NS_PID" 2>/dev/null || break; sleep 0.5; done
  [ -n "$NS_PID" ] && kill -9 "$NS_PID" 2>/dev/null
  [ "${KEEP:-0}" = 1 ] || rm -rf "$R"
}
trap finish EXIT
command -v systemd-nspawn >/dev/null || { echo "install-test: no systemd-nspawn (apt-get install systemd-container)"; echo "0 passed, 1 failed"; exit 1; }
DEB=$(ls -t "$TOP"/build/deb/broadside_*_amd64.deb 2>/dev/null | head -n 1)
[ -f "$DEB" ] || { echo "install-test: build the package first (make deb)"; echo "0 passed, 1 failed"; exit 1; }
for t in lintian man dpkg-deb; do
  command -v $t >/dev/null || { echo "install-test: no $t (scripts/deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
done
lap=$SECONDS
phase() { echo "--- $* (previous step $((SECONDS - lap)) s, total $((SECONDS - start)) s)"; lap=$SECONDS; }

phase "the package: $(basename "$DEB")"
dpkg -c "$DEB" | awk '$1 !~ /^d/ { print "  |", $1, $6 }'
lintian --pedantic --fail-on error,warning "$DEB" >"$OUT/lintian.log" 2>&1; rc=$?
grep -v 'running with root privileges' "$OUT/lintian.log" | sed 's/^/  lintian: /'
check "lintian: no error or warning that is not overridden" test "$rc" = 0
M=$OUT/deb-contents; rm -rf "$M"; dpkg-deb -x "$DEB" "$M"
for page in man1/broadside.1 man5/broadside.conf.5; do
  MANWIDTH=80 man -l "$M/usr/share/man/$page.gz" >"$OUT/$(basename "$page").txt" 2>/dev/null
  warn=$(man --warnings -l "$M/usr/share/man/$page.gz" 2>&1 >/dev/null)
  [ -n "$warn" ] && echo "$warn" | sed 's/^/  groff: /'
  check "man -l renders $page without warnings" bash -c "[ \$(wc -l <'$OUT/$(basename "$page").txt') -gt 50 ] && [ -z '$warn' ]"
done
cmds=$("$M/usr/bin/broadside" help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
miss=""; for c in $cmds; do grep -Eq "^   $c\$" "$OUT/broadside.1.txt" || miss="$miss $c"; done
[ -n "$miss" ] && echo "  not in broadside(1):$miss"
check "broadside(1) has every command of the command table ($(echo $cmds | wc -w))" test -z "$miss" -a -n "$cmds"
rm -rf "$OUT/keys-data"
"$M/usr/bin/broadside" --data "$OUT/keys-data" init >/dev/null 2>&1
cp "$OUT/keys-data/broadside.conf" "$OUT/init.conf" 2>/dev/null
ckeys=$(sed -n 's/^#\([a-z_]*\) = .*/\1/p' "$OUT/init.conf"); rm -rf "$OUT/keys-data"
miss=""; for k in $ckeys; do grep -Eq "^ +$k( |\$)" "$OUT/broadside.conf.5.txt" || miss="$miss $k"; done
[ -n "$miss" ] && echo "  not in broadside.conf(5):$miss"
check "broadside.conf(5) has every key of the parser's table ($(echo $ckeys | wc -w))" test -z "$miss" -a -n "$ckeys"
# ... with tor in its own group (debian/rules sets tor_group; sysusers makes it) and vanguards on.
sed -e 's/^#tor_group = .*/tor_group = broadside-tor/' -e 's/^#vanguards = no$/vanguards = yes/' "$OUT/init.conf" >"$OUT/init-package.conf"
check "the conffile /etc/broadside/broadside.conf is what broadside init writes, with tor_group = broadside-tor and vanguards on" \
  cmp -s "$M/etc/broadside/broadside.conf" "$OUT/init-package.conf"
ver=$(dpkg-deb -f "$DEB" Version)
phase "a second package, $ver+up1, for the upgrade"
nice make -C "$TOP" --no-print-directory deb DEB_VERSION="$ver+up1" DEB_OUT="$OUT/deb-up" >"$OUT/deb-up.log" 2>&1
DEB2=$(ls "$OUT"/deb-up/broadside_"$ver"+up1_amd64.deb 2>/dev/null)
check "make deb DEB_VERSION=$ver+up1 builds" test -f "$DEB2"

phase "the container's root"
pkgs=$(sh "$TOP/scripts/install.sh" --packages | tr ' ' ',')
rm -rf "$R"
if [ "${REUSE_ROOT:-0}" = 1 ] && [ -d "$R.base/usr" ]; then
  echo "install-test: copying the clean root kept in $R.base (REUSE_ROOT=1)"
else
  rm -rf "$R.base"
  echo "install-test: Debian 12 root (minbase, systemd, the script's packages)"
  mmdebstrap --quiet --variant=minbase --include="systemd-sysv,iproute2,procps,$pkgs" \
    --aptopt='Acquire::Languages "none"' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --customize-hook='echo debian-vps >"$1/etc/hostname"' \
    bookworm "$R.base" "deb $MIRROR bookworm main" || { echo "0 passed, 1 failed"; exit 1; }
fi
cp -a "$R.base" "$R"
[ "${REUSE_ROOT:-0}" = 1 ] || rm -rf "$R.base"
# What an operator has after `git clone` and `make deb`.
mkdir -p "$R/root/broadside/scripts" "$R/root/broadside/build/deb" "$R/root/up"
cp -r "$TOP/image" "$TOP/README.md" "$R/root/broadside/"
cp "$TOP/scripts/install.sh" "$R/root/broadside/scripts/"
cp "$DEB" "$R/root/broadside/build/deb/"
[ -f "${DEB2:-}" ] && cp "$DEB2" "$R/root/up/"
phase "root ready"

systemd-nspawn -q -D "$R" -b --private-network --register=no --keep-unit \
  --console=passive >"$OUT/install-nspawn.log" 2>&1 &
NS_PID=$!
leader=""
for _ in $(seq 100); do
  leader=$(pgrep -P "$NS_PID" -x systemd 2>/dev/null | head -n 1)  # the container's init
  [ -n "$leader" ] && break; sleep 0.2
done
[ -n "$leader" ] || { echo "install-test: the container did not start"; cat "$OUT/install-nspawn.log"; echo "0 passed, 1 failed"; exit 1; }
in_ct() { nsenter -t "$leader" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
for _ in $(seq 120); do
  case $(in_ct systemctl is-system-running 2>/dev/null) in running|degraded) break ;; esac
  sleep 1
done
echo "install-test: container booted: $(in_ct systemctl is-system-running 2>&1)"
addr_of() { in_ct runuser -u broadside -- broadside --data /var/lib/broadside address; }
serve_pid() { in_ct systemctl show -p MainPID --value broadside.service; }
serve_ok() { # active, and answers a request with tor's PROXY line on its Unix socket
  local i
  for i in $(seq 30); do
    if in_ct systemctl is-active -q broadside.service &&
       printf 'PROXY TCP6 fc00:dead:beef:4dad::0:7 ::1 49 80\r\nGET / HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n\r\n' |
         python3 "$TOP/tests/rawhttp.py" "unix:$R/var/lib/broadside/run/http.sock" 2>/dev/null |
         grep -q '^HTTP/1.1 200 OK'; then return 0; fi
    sleep 1
  done
  in_ct journalctl -u broadside.service -u broadside-firstboot.service --no-pager | tail -n 15 | sed 's/^/  journal: /'
  return 1
}
check_serving() { # check_serving WHAT: serve_ok as a check, the journal shown if not
  local out ok
  out=$(serve_ok); ok=$?
  [ -n "$out" ] && echo "$out"
  check "$1" test "$ok" = 0
}

phase "first install (install.sh)"
in_ct sh /root/broadside/scripts/install.sh >"$OUT/install-1.log" 2>&1; rc=$?
sed 's/^/  | /' "$OUT/install-1.log" | grep -v '^  | *$' | head -n 30
check "install.sh exits 0 on a plain Debian 12" test "$rc" = 0
check "broadside installed as a package" bash -c "nsenter -t $leader -a dpkg-query -W -f='\${Status}' broadside | grep -q 'ok installed'"
check "it prints the onion address" grep -Eq 'Broadside onion address: http://[a-z2-7]{56}\.onion/' "$OUT/install-1.log"
check_serving "broadside.service active and serving on its socket"
sp=$(serve_pid)
# Pids are the container's: read its /proc from inside.
check "serve runs as user broadside" bash -c "[ \"\$(nsenter -t $leader -a stat -c %U /proc/$sp)\" = broadside ]"
check "serve is under its seccomp filter" bash -c "nsenter -t $leader -a cat /proc/$sp/status | grep -q '^Seccomp:[[:space:]]*2'"
tp=$(in_ct runuser -u broadside -- broadside --data /var/lib/broadside status --json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["tor"]["pid"])' 2>/dev/null)
check "serve supervises its tor (status --json)" bash -c "[ '${tp:-0}' -gt 0 ] && nsenter -t $leader -a cat /proc/${tp:-0}/comm | grep -qx tor"
check "Debian's own tor service is off" bash -c "! nsenter -t $leader -a systemctl is-active -q tor@default.service && ! nsenter -t $leader -a systemctl is-enabled -q tor.service"
check "nft ruleset loaded: input policy drop" bash -c "nsenter -t $leader -a nft list chain inet broadside input | grep -q 'policy drop'"
check "no inbound SSH rule (default)" bash -c "! nsenter -t $leader -a nft list ruleset | grep -q 'dport 22'"
in_ct ss -Hltun | awk '{ print "  listen:", $1, $5 }'
check "no TCP listener off loopback" bash -c "! nsenter -t $leader -a ss -Hltn | awk '{print \$4}' | grep -Ev '^(127\\.[0-9.]+(%lo)?|\\[::1\\]):[0-9]+$' | grep -q ."
check "no UDP socket off loopback" bash -c "! nsenter -t $leader -a ss -Hlun | awk '{print \$4}' | grep -Ev '^(127\\.[0-9.]+(%lo)?|\\[::1\\]):[0-9]+$' | grep -q ."
check "journald in RAM (no /var/log/journal)" bash -c "test -f '$R/etc/systemd/journald.conf.d/broadside.conf' && test ! -d '$R/var/log/journal'"
check "/tmp on tmpfs from the next boot (tmp.mount enabled)" bash -c "[ \"\$(nsenter -t $leader -a systemctl is-enabled tmp.mount)\" = enabled ]"
check "AppArmor profile installed" test -f "$R/etc/apparmor.d/broadside"
check "security updates configured" test -f "$R/etc/apt/apt.conf.d/20auto-upgrades"
open=$(find "$R/var/lib/broadside" -perm /077 ! -type s ! -name '*.pub')
[ -n "$open" ] && echo "  open to group/others: $open"
check "data dir 0700, nothing but public keys open to group or others" bash -c "[ \$(stat -c %a '$R/var/lib/broadside') = 700 ] && [ -z '$open' ]"
addr1=$(addr_of)
keys() { find "$R/var/lib/broadside/keys" "$R/var/lib/broadside/onion" -type f -name '*secret*' -o -path '*/keys/*' -type f | sort | xargs sha256sum; }
key1=$(keys)
echo "  keys: $(keys | wc -l) files"

phase "over SSH without --keep-ssh: refused, nothing changed"
in_ct env SSH_CONNECTION="192.0.2.1 5000 192.0.2.2 22" sh /root/broadside/scripts/install.sh >"$OUT/install-ssh.log" 2>&1; rc=$?
sed 's/^/  | /' "$OUT/install-ssh.log" | head -n 3
check "over SSH it refuses without --keep-ssh" bash -c "[ $rc -ne 0 ] && grep -q keep-ssh '$OUT/install-ssh.log'"
check "serve untouched by the refusal" test "$(serve_pid)" = "$sp"

phase "re-run: install.sh again (--keep-ssh), the same package"
in_ct env SSH_CONNECTION="192.0.2.1 5000 192.0.2.2 22" sh /root/broadside/scripts/install.sh --keep-ssh >"$OUT/install-2.log" 2>&1; rc=$?
sed 's/^/  | /' "$OUT/install-2.log" | grep -E 'install: (packages|done)|address' | head -n 5
check "re-run exits 0" test "$rc" = 0
check "re-run skips apt's downloads (packages present)" grep -q 'packages: all installed' "$OUT/install-2.log"
check_serving "serving again after the re-run"
sp2=$(serve_pid)
check "serve restarted on the package's binary" bash -c "[ '$sp2' != '$sp' ] && nsenter -t $leader -a readlink /proc/$sp2/exe | grep -qx /usr/bin/broadside"
check "same onion address after the re-run" test "$(addr_of)" = "$addr1"
check "onion and signing keys unchanged" test "$(keys)" = "$key1"
check "--keep-ssh opens inbound TCP 22" bash -c "nsenter -t $leader -a nft list chain inet broadside input | grep -q 'dport 22 accept'"

phase "a collection in /srv/broadside, then apt upgrade to $ver+up1"
mkdir -p "$R/srv/broadside/x" && echo "a publisher's file" >"$R/srv/broadside/x/a.txt"
in_ct runuser -u broadside -- broadside --data /var/lib/broadside add /srv/broadside/x --slug x --title X --quiet >/dev/null 2>&1
cat1=$(in_ct runuser -u broadside -- broadside --data /var/lib/broadside ls 2>&1)
echo "$cat1" | sed 's/^/  ls: /'
check "the collection is catalogued" grep -q x <<<"$cat1"
sp=$(serve_pid)
in_ct apt-get install -y -qq --no-install-recommends "/root/up/$(basename "${DEB2:-none}")" >"$OUT/upgrade.log" 2>&1; rc=$?
tail -n 3 "$OUT/upgrade.log" | sed 's/^/  | /'
check "apt install of the higher version exits 0" test "$rc" = 0
check "the package is now $ver+up1" bash -c "[ \"\$(nsenter -t $leader -a dpkg-query -W -f='\${Version}' broadside)\" = '$ver+up1' ]"
check_serving "serving after the upgrade"
check "the package restarted serve" test "$(serve_pid)" != "$sp"
check "same onion address after the upgrade" test "$(addr_of)" = "$addr1"
check "onion and signing keys unchanged by the upgrade" test "$(keys)" = "$key1"
check "catalogue unchanged by the upgrade" test "$(in_ct runuser -u broadside -- broadside --data /var/lib/broadside ls 2>&1)" = "$cat1"

phase "apt remove: service and program gone, data kept"
in_ct apt-get remove -y -qq broadside >"$OUT/remove.log" 2>&1; rc=$?
check "apt remove exits 0" test "$rc" = 0
check "broadside.service no longer runs" bash -c "! nsenter -t $leader -a systemctl is-active -q broadside.service"
check "/usr/bin/broadside gone" test ! -e "$R/usr/bin/broadside"
check "the data directory and its keys kept" test "$(keys)" = "$key1"
check "the conffile kept (dpkg: rc)" bash -c "test -f '$R/etc/broadside/broadside.conf' && nsenter -t $leader -a dpkg -l broadside | grep -q '^rc'"

phase "apt purge: what the package made goes, the publisher's files stay"
in_ct apt-get purge -y -qq broadside >"$OUT/purge.log" 2>&1; rc=$?
check "apt purge exits 0" test "$rc" = 0
left=$(cd "$R" && ls -d var/lib/broadside etc/broadside etc/apparmor.d/broadside etc/apparmor.d/local/broadside \
  usr/lib/sysusers.d/broadside.conf usr/lib/tmpfiles.d/broadside.conf lib/systemd/system/broadside.service \
  etc/systemd/system/multi-user.target.wants/broadside.service 2>/dev/null)
[ -n "$left" ] && echo "  left after purge: $left"
check "data dir, config, AppArmor profile, unit, sysusers/tmpfiles gone" test -z "$left"
check "the publisher's collection under /srv/broadside stays" grep -q "a publisher's file" "$R/srv/broadside/x/a.txt"
check "dpkg knows broadside no more" bash -c "! nsenter -t $leader -a dpkg-query -W -f='\${Status}' broadside 2>/dev/null | grep -q installed"

phase "the bare package: apt install, broadside init, systemctl start"
in_ct apt-get install -y -qq --no-install-recommends "/root/broadside/build/deb/$(basename "$DEB")" >"$OUT/apt-install.log" 2>&1; rc=$?
check "apt install ./broadside_*.deb exits 0" test "$rc" = 0
# The container's uids are its own: stat inside it.
check "user broadside (sysusers) and /var/lib/broadside 0700 (tmpfiles)" bash -c "nsenter -t $leader -a getent passwd broadside >/dev/null && [ \"\$(nsenter -t $leader -a stat -c '%a %U' /var/lib/broadside)\" = '700 broadside' ]"
check "group broadside-tor (sysusers; tor runs in it)" bash -c "nsenter -t $leader -a getent group broadside-tor >/dev/null"
check "before init, the service is skipped, not failing" bash -c "! nsenter -t $leader -a systemctl is-failed -q broadside.service"
in_ct runuser -u broadside -- broadside --data /var/lib/broadside init >"$OUT/init.log" 2>&1; rc=$?
check "broadside init as the user broadside" test "$rc" = 0
# The unit reads the conffile (serve --conf), under the data dir's file.
echo 'publisher_name = "Set in etc"' >>"$R/etc/broadside/broadside.conf"
in_ct systemctl start broadside.service
check_serving "systemctl start broadside: serving on its socket"
check "the service reads /etc/broadside/broadside.conf" bash -c "printf 'PROXY TCP6 fc00:dead:beef:4dad::0:7 ::1 49 80\r\nGET / HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n\r\n' | python3 '$TOP/tests/rawhttp.py' 'unix:$R/var/lib/broadside/run/http.sock' | grep -q 'Set in etc'"
addr2=$(addr_of)
check "a new identity after the purge" bash -c "echo '$addr2' | grep -Eq '^[a-z2-7]{56}\.onion\$' && [ '$addr2' != '$addr1' ]"
sp=$(serve_pid)
check "serve is confined by its unit (user broadside, seccomp)" bash -c "[ \"\$(nsenter -t $leader -a stat -c %U /proc/$sp)\" = broadside ] && nsenter -t $leader -a cat /proc/$sp/status | grep -q '^Seccomp:[[:space:]]*2'"
phase "done"
echo "install-test: done in $((SECONDS - start)) s (address $addr1)"
[ -n "${HOLD:-}" ] && { echo "holding: nsenter -t $leader -a bash"; sleep "$HOLD"; }
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
