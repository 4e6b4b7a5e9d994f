#!/usr/bin/env bash
# image/test.sh OUTDIR: make image-test. Boots the amd64 image under qemu
# (software emulation unless /dev/kvm exists; -netdev user,restrict=on: the
# guest reaches nothing) with broadside.selftest on the kernel command line;
# the image runs image/selftest and powers off. Prints the checks and ends
# with "N passed, N failed".
set -uo pipefail
OUT=${1:-build/image}
DISK=$OUT/test-overlay.qcow2
LOG=$OUT/serial.log
qemu-img create -q -f qcow2 -F qcow2 -b "$(cd "$OUT" && pwd)/broadside-amd64.qcow2" "$DISK"
accel=(); [ -w /dev/kvm ] && accel=(-enable-kvm -cpu host)
start=$SECONDS
timeout 1200 qemu-system-x86_64 "${accel[@]}" -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img" \
  -append "root=LABEL=broadside-root ro console=ttyS0,115200 lsm=landlock,lockdown,yama,integrity,apparmor,bpf broadside.selftest" \
  -drive file="$DISK",format=qcow2,if=virtio \
  -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 >"$LOG" 2>&1
rc=$?
echo "image-test: qemu ran $((SECONDS - start)) s (exit $rc); serial log: $LOG"
grep -a '^selftest: ' "$LOG" | tr -d '\r' | sed 's/^selftest: //'
grep -a 'Broadside onion address' "$LOG" | head -n 1 | tr -d '\r'
rm -f "$DISK"
line=$(grep -a -E '^selftest: [0-9]+ passed, [0-9]+ failed' "$LOG" | tail -n 1 | tr -d '\r' | sed 's/^selftest: //')
if [ -z "$line" ]; then echo "0 passed, 1 failed"; exit 1; fi
echo "$line"
case $line in *", 0 failed") exit 0 ;; *) exit 1 ;; esac
