#!/usr/bin/env bash
# image/test/test-pi.sh OUTDIR: make image-pi-test. Boots a copy of the Raspberry Pi
# image under qemu-system-aarch64 and runs the same self-test as the amd64
# image. qemu 7.2 (Debian 12) emulates no Pi 4, so this is its generic arm64
# "virt" machine: the image's own kernel and initrd (taken from its boot
# partition, as the Pi's firmware would load them) and its root by label on a
# virtio disk. What it shows: the arm64 userland, units, first boot, tor,
# sandbox and AppArmor work; what it cannot: the Pi firmware, its device tree
# and its SD/USB/Ethernet drivers (the contents check in build-pi.sh covers
# the files). Software emulation (TCG); -netdev user,restrict=on: the guest
# reaches nothing. Prints the checks and ends with "N passed, N failed".
set -uo pipefail
OUT=${1:-build/image}
OUT=$(cd "$OUT" && pwd)
IMG=$OUT/broadside-pi.img DISK=$OUT/test-pi-disk.raw LOG=$OUT/serial-pi.log
K=$OUT/test-pi-vmlinuz I=$OUT/test-pi-initrd
command -v qemu-system-aarch64 >/dev/null ||
  { echo "image-pi-test: no qemu-system-aarch64 (apt-get install qemu-system-arm)"; echo "0 passed, 1 failed"; exit 1; }
[ -r "$IMG" ] || { echo "image-pi-test: no $IMG (make image-pi)"; echo "0 passed, 1 failed"; exit 1; }
export MTOOLS_SKIP_CHECK=1
# The kernel and initrd config.txt names (what the Pi firmware would load).
cfg=$(mtype -i "$IMG@@1M" ::/config.txt | tr -d '\r')
kname=$(sed -n 's/^kernel=//p' <<<"$cfg" | tail -n 1)
iname=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' <<<"$cfg" | tail -n 1)
[ -n "$kname" ] && [ -n "$iname" ] ||
  { echo "image-pi-test: config.txt names no kernel/initramfs"; echo "0 passed, 1 failed"; exit 1; }
mcopy -o -i "$IMG@@1M" "::/$kname" "$K" && mcopy -o -i "$IMG@@1M" "::/$iname" "$I" ||
  { echo "image-pi-test: cannot read $kname/$iname from the boot partition"; echo "0 passed, 1 failed"; exit 1; }
cp --sparse=always "$IMG" "$DISK"
# The image's own command line (root by label, LSMs), with the virt machine's
# serial console instead of the Pi's and the test hook.
cmdline=$(mtype -i "$IMG@@1M" ::/cmdline.txt | tr -d '\r\n' | sed 's/console=[^ ]*//g; s/  */ /g')
start=$SECONDS
timeout 2400 qemu-system-aarch64 -machine virt -cpu cortex-a72 -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$K" -initrd "$I" -append "console=ttyAMA0 $cmdline broadside.selftest" \
  -drive file="$DISK",format=raw,if=virtio \
  -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 >"$LOG" 2>&1
rc=$?
echo "image-pi-test: qemu ran $((SECONDS - start)) s (exit $rc); serial log: $LOG"
rm -f "$DISK" "$K" "$I"
exec bash "$(dirname "$0")/selftest-report.sh" "$LOG"
