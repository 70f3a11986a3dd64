#!/usr/bin/env bash
# Makes a bootable x86-64 disk image of the wanopt appliance from a root file system built by
# build-rootfs.sh: an MBR disk with an EFI system partition and the root file system (ext4),
# Debian's kernel (linux-image-amd64) and GRUB for both BIOS boot (grub-pc) and UEFI boot (a
# standalone GRUB from grub-efi-amd64-bin at EFI/BOOT/BOOTX64.EFI; no Secure Boot), console on the
# screen and on the first serial port.
#
#   appliance-image/build-disk.sh [--size SIZE] ROOTFS OUT        (as root)
#
# writes OUT.raw (SIZE, default 2G, sparse) and OUT.qcow2 (compressed). ROOTFS is copied, not
# changed: the kernel and GRUB are installed into the copy, from Debian's package registry.
set -euo pipefail

script=build-disk
started=$SECONDS
# shellcheck source=appliance-image/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

size=2G

while (( $# )); do
    case "$1" in
        --size) size="${2:?--size needs a SIZE such as 2G}"; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "$script: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
(( $# == 2 )) || usage
rootfs="$(readlink -f "$1")"
out="$2"
[[ "$out" == /* ]] || out="$PWD/$out"

[[ "$(id -u)" == 0 ]] || fail "must run as root (loop devices, mount and chroot need it)"
for tool in sfdisk losetup partx mkfs.ext4 blkid qemu-img chroot fstrim timeout; do
    command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install fdisk mount e2fsprogs qemu-utils util-linux)"
done
[[ -f "$rootfs/opt/wanopt/wanopt.jar" ]] || fail "$rootfs is not a root file system from build-rootfs.sh (no /opt/wanopt/wanopt.jar)"
[[ ! -e "$rootfs/etc/wanopt/appliance.key" ]] \
    || fail "$rootfs has been booted or checked in place ($rootfs/etc/wanopt/appliance.key exists): every appliance from this image would share its key"

raw="$out.raw"
qcow2="$out.qcow2"
work="$(mktemp -d "${TMPDIR:-/tmp}/wanopt-disk.XXXXXX")"
mnt="$work/root"
log="$work/build.log"
mkdir -p "$mnt"
loop=""
finished=false

cleanup() {
    if mountpoint -q "$mnt"; then
        umount --recursive "$mnt" 2>/dev/null || umount --recursive --lazy "$mnt"
    fi
    [[ -z "$loop" ]] || losetup --detach "$loop" 2>/dev/null || true
    if ! $finished; then
        rm -f "$raw" "$qcow2"
        [[ ! -s "$log" ]] || cp "$log" "$out.build.log"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

in_root() {
    local limit="$1"
    shift
    run_logged "$limit" "$log" chroot "$mnt" /usr/bin/env DEBIAN_FRONTEND=noninteractive "$@"
}

# 1. The disk: an MBR (BIOS firmware reads it, and UEFI firmware finds an EFI system partition on it
# as on GPT) with GRUB's BIOS core image in the gap before the first partition, the EFI system
# partition (FAT, written in step 3), then the root file system, last, so that the first boot can
# grow it into a larger disk.
step "disk $raw ($size): MBR, EFI system partition, ext4 root partition"
mkdir -p "$(dirname "$raw")"
rm -f "$raw" "$qcow2"
truncate -s "$size" "$raw"
printf 'start=1MiB, size=127MiB, type=ef\nstart=128MiB, type=83, bootable\n' \
    | run_logged 1m "$log" sfdisk --quiet --label dos "$raw"
loop="$(losetup --find --show --partscan "$raw")"
esp="${loop}p1"
part="${loop}p2"
# Some kernels (this machine's) skip the scan losetup asks for; partx adds the partitions then.
for _ in $(seq 20); do [[ -b "$part" ]] && break; sleep 0.1; done
[[ -b "$part" ]] || run_logged 1m "$log" partx --add "$loop"
for _ in $(seq 50); do [[ -b "$part" && -b "$esp" ]] && break; sleep 0.1; done
[[ -b "$part" && -b "$esp" ]] || fail "no $esp and $part for the partitions of $raw after losetup --partscan and partx --add"
run_logged 2m "$log" mkfs.ext4 -q -L wanopt-root "$part"
uuid="$(blkid -s UUID -o value "$part")"
mount "$part" "$mnt"

# 2. The root file system, then what only a disk needs: fstab, the kernel and the boot loader.
step "copying $rootfs ($(du -sh --one-file-system "$rootfs" | cut -f1))"
run_logged 20m "$log" cp -a "$rootfs/." "$mnt/"
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" > "$mnt/etc/fstab"
mount --bind /dev "$mnt/dev"
mount -t proc proc "$mnt/proc"
mount -t sysfs sysfs "$mnt/sys"
# apt needs a name server for the download; the image gets its own from DHCP when it boots.
saved_resolv="$work/resolv.conf"
cp "$mnt/etc/resolv.conf" "$saved_resolv"
cp /etc/resolv.conf "$mnt/etc/resolv.conf"
# No service may start inside the chroot while packages are installed.
printf '#!/bin/sh\nexit 101\n' > "$mnt/usr/sbin/policy-rc.d"
chmod 0755 "$mnt/usr/sbin/policy-rc.d"
# Interface names eth0 (WAN, DHCP) and eth1 (LAN) as wanopt.conf expects them, and a serial console
# for headless servers and VMs.
mkdir -p "$mnt/etc/default/grub.d"
cat > "$mnt/etc/default/grub.d/wanopt.cfg" <<'EOF'
GRUB_TIMEOUT=2
GRUB_CMDLINE_LINUX="net.ifnames=0 console=tty0 console=ttyS0,115200n8"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
EOF

step "installing linux-image-amd64, grub-pc and grub-efi-amd64-bin (apt-get, from Debian's package registry)"
in_root 10m apt-get update -q
in_root 30m apt-get install -y -q --no-install-recommends linux-image-amd64 grub-pc grub-efi-amd64-bin \
    dosfstools mtools

# 3. GRUB. For BIOS, grub-pc's core image in the gap after the MBR. For UEFI, one standalone GRUB
# image (its modules inside) at EFI/BOOT/BOOTX64.EFI, the path firmware boots without a boot entry
# in its NVRAM, which an image cannot carry. It finds the root file system by UUID and reads the same
# /boot/grub/grub.cfg. mtools writes it into the FAT partition: the build machine's kernel need not
# mount FAT.
step "GRUB for BIOS on $loop, and for UEFI at EFI/BOOT/BOOTX64.EFI"
in_root 5m grub-install --target=i386-pc --boot-directory=/boot "$loop"
cat > "$mnt/tmp/grub-efi.cfg" <<EOF
insmod part_msdos
insmod ext2
set root=
search --no-floppy --fs-uuid --set=root $uuid
if [ -n "\$root" ]; then configfile (\$root)/boot/grub/grub.cfg; fi
echo "wanopt: no file system with UUID $uuid (the appliance's root) on any disk"
EOF
in_root 5m grub-mkstandalone --format=x86_64-efi --output=/tmp/BOOTX64.EFI --locales= --fonts= --themes= \
    "boot/grub/grub.cfg=/tmp/grub-efi.cfg"
in_root 2m mkfs.vfat -F 32 -n WANOPT-EFI "$esp"
in_root 2m mmd -i "$esp" ::/EFI ::/EFI/BOOT
in_root 2m mcopy -i "$esp" /tmp/BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI
rm -f "$mnt/tmp/BOOTX64.EFI" "$mnt/tmp/grub-efi.cfg"
esp_uuid="$(blkid -s UUID -o value "$esp")"
mkdir -p "$mnt/boot/efi"
# nofail: a damaged EFI partition must not stop a BIOS boot; umask: only root reads it.
echo "UUID=$esp_uuid /boot/efi vfat umask=0077,nofail 0 2" >> "$mnt/etc/fstab"
in_root 5m update-grub
# Without udev there is no /dev/disk/by-uuid, so update-grub named the loop device; on the appliance
# (with udev) later runs of update-grub write the UUID themselves.
sed -i "s|root=$part |root=UUID=$uuid |" "$mnt/boot/grub/grub.cfg"
! grep -n "$loop" "$mnt/boot/grub/grub.cfg" || fail "grub.cfg still names $loop"
grep -q "root=UUID=$uuid" "$mnt/boot/grub/grub.cfg" || fail "grub.cfg does not boot root=UUID=$uuid (see $mnt/boot/grub/grub.cfg)"

in_root 2m apt-get clean
rm -rf "$mnt"/var/lib/apt/lists/* "$mnt/usr/sbin/policy-rc.d"
cp "$saved_resolv" "$mnt/etc/resolv.conf"
kernel="$(basename "$(readlink -f "$mnt/vmlinuz")")"
used="$(df -h --output=used,size "$mnt" | tail -n 1 | awk '{print $1 " of " $2}')"
# Free blocks go back to the sparse file, so the raw image and the qcow2 hold only what is used.
run_logged 2m "$log" fstrim "$mnt"
umount --recursive "$mnt"
losetup --detach "$loop"
loop=""

step "converting to qcow2 (compressed)"
run_logged 20m "$log" qemu-img convert -c -O qcow2 "$raw" "$qcow2"
finished=true
step "done: $kernel, file system $used used"
for image in "$raw" "$qcow2"; do
    printf '  %s: %s, %s on disk\n' "$image" "$(qemu-img info --output=json "$image" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p' | numfmt --to=iec) virtual" \
        "$(du -h "$image" | cut -f1)"
done
