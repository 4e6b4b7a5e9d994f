#!/bin/sh
# image/build/finish-root.sh ROOT ARCH: the parts of the image that an existing
# server already has (fstab, locale-free console, root login policy, boot
# partition hook). Runs from mmdebstrap's customize hook, outside the chroot.
set -eu
R=$1 ARCH=$2
if [ "$ARCH" = amd64 ]; then
  cat >"$R/etc/fstab" <<FS
LABEL=broadside-root  /          ext4  defaults,noatime,errors=remount-ro  0 1
LABEL=BROADSIDE       /boot/efi  vfat  umask=0077,noatime,nofail           0 2
FS
  mkdir -p "$R/boot/efi" "$R/etc/kernel/postinst.d"
  # Kernel security updates: copy the new kernel to the EFI partition that
  # systemd-boot reads.
  cat >"$R/etc/kernel/postinst.d/zz-broadside-esp" <<'HOOK'
#!/bin/sh
set -e
mountpoint -q /boot/efi || exit 0
[ -d /boot/efi/broadside ] || exit 0
cp -L /vmlinuz /boot/efi/broadside/vmlinuz.new && mv /boot/efi/broadside/vmlinuz.new /boot/efi/broadside/vmlinuz
cp -L /initrd.img /boot/efi/broadside/initrd.img.new && mv /boot/efi/broadside/initrd.img.new /boot/efi/broadside/initrd.img
HOOK
  chmod 755 "$R/etc/kernel/postinst.d/zz-broadside-esp"
else
  cat >"$R/etc/fstab" <<FS
LABEL=broadside-root  /               ext4  defaults,noatime,errors=remount-ro  0 1
LABEL=RASPIFIRM       /boot/firmware  vfat  umask=0077,noatime,nofail           0 2
FS
  # raspi-firmware writes cmdline.txt from this (root by label, serial + HDMI).
  mkdir -p "$R/etc/default"
  printf 'ROOTPART=LABEL=broadside-root\nCONSOLES="ttyS1,115200 tty0"\n' >"$R/etc/default/raspi-firmware"
  # Debian's kernel does not enable Landlock by default: ask for it.
  echo 'lsm=landlock,lockdown,yama,integrity,apparmor,bpf' >"$R/etc/default/raspi-extra-cmdline"
  # Rewrite cmdline.txt and config.txt from these with raspi-firmware's own
  # kernel hook. (update-initramfs -u would call the same hook, after
  # rebuilding an initrd that nothing here changes: ~20 min under qemu-user.)
  # The hook refuses an unmounted /boot/firmware unless it sees a chroot
  # (ischroot), which needs /proc: mmdebstrap's hooks have it, a REUSE_ROOT
  # rebuild mounts it here.
  pm=0; mountpoint -q "$R/proc" || { mount -t proc proc "$R/proc"; pm=1; }
  rc=0; chroot "$R" sh -c 'DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware' >/dev/null 2>&1 || rc=$?
  [ $pm = 0 ] || umount "$R/proc"
  [ $rc = 0 ] || { echo "finish-root: raspi-firmware's hook failed ($rc)" >&2; exit 1; }
fi
# No network login at all (no SSH server installed). The console asks for a
# new root password at first login.
chroot "$R" passwd -d root >/dev/null
chroot "$R" chage -d 0 root
# Test hook for make image-test: runs only with broadside.selftest on the
# kernel command line.
install -m 0755 "$R/tmp/bs/image/files/selftest" "$R/usr/lib/broadside/selftest"
install -m 0644 "$R/tmp/bs/image/files/broadside-selftest.service" "$R/etc/systemd/system/"
chroot "$R" systemctl enable broadside-selftest.service >/dev/null 2>&1
: >"$R/etc/machine-id"
