#!/usr/bin/env bash
# image/test/selftest-report.sh LOG: what image/files/selftest printed on a booted image's
# serial console (test.sh, test-pi.sh): its lines, the onion address, and its
# "N passed, N failed" last, exiting 0 only if none failed. A login prompt
# (getty on the same serial line) may stand in front of a line.
LOG=$1
results() { tr -d '\r' <"$LOG" | sed -n 's/^[a-z0-9-]* login: selftest: /selftest: /; s/^selftest: //p'; }
results
grep -a 'Broadside onion address' "$LOG" | head -n 1 | tr -d '\r'
line=$(results | grep -a -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -z "$line" ]; then echo "0 passed, 1 failed"; exit 1; fi
echo "$line"
case $line in *", 0 failed") exit 0 ;; *) exit 1 ;; esac
