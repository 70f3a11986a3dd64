#!/usr/bin/env bash
# Builds the wanopt appliance from this checkout in one command: the root file system
# (build-rootfs.sh), its checks with chroot (check-rootfs.sh), then the bootable disk
# (build-disk.sh): OUT_DIR/wanopt-appliance.raw and OUT_DIR/wanopt-appliance.qcow2.
#
#   appliance-image/build-image.sh [--hostname NAME] [--ssh-key FILE] [--mirror URL] [--size SIZE] [--keep-rootfs] OUT_DIR
#
# (as root; OUT_DIR absent or empty, outside the checkout). The options go to build-rootfs.sh
# (--hostname, --ssh-key, --mirror) and build-disk.sh (--size, default 2G). The root file system
# is built in OUT_DIR/rootfs and removed at the end unless --keep-rootfs. Then boot-test.sh
# OUT_DIR/wanopt-appliance.raw boots the disk in qemu.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
script=build-image
started=$SECONDS
# shellcheck source=appliance-image/common.sh
. "$here/common.sh"
rootfs_options=()
disk_options=()
keep_rootfs=false

while (( $# )); do
    case "$1" in
        --hostname|--ssh-key|--mirror) rootfs_options+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        --size) disk_options+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        --keep-rootfs) keep_rootfs=true; shift ;;
        -h|--help) usage ;;
        -*) echo "$script: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
(( $# == 1 )) || usage
out="$1"
[[ "$out" == /* ]] || out="$PWD/$out"
if [[ -e "$out" && -n "$(ls -A "$out" 2>/dev/null)" ]]; then
    fail "$out exists and is not empty; remove it first (rm -rf $out)"
fi

"$here/build-rootfs.sh" "${rootfs_options[@]}" "$out/rootfs"
"$here/check-rootfs.sh" "$out/rootfs"
"$here/build-disk.sh" "${disk_options[@]}" "$out/rootfs" "$out/wanopt-appliance"
# --one-file-system: nothing mounted below the root file system is followed (the scripts unmount
# what they mount, so there should be nothing).
$keep_rootfs || rm -rf --one-file-system "$out/rootfs"
echo "build-image: $out/wanopt-appliance.raw and .qcow2 built in $((SECONDS - started)) s;" \
    "boot them in qemu with $here/boot-test.sh $out/wanopt-appliance.raw"
