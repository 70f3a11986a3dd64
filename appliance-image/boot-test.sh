#!/usr/bin/env bash
# Boots a disk image made by build-disk.sh in qemu, on a disk 1 GiB larger than the image, waits for
# sshd, logs in with a key made for the test and runs `wanopt status` as the admin account (through
# wanopt-shell), then checks as root the services, forwarding, the steering, and that the first boot
# grew the root file system into the whole disk and fitted the store's budget to it. Software
# emulation (TCG) by default; WANOPT_QEMU_ACCEL=kvm where KVM works (on nested hosts it can hang in
# the kernel's start).
#
#   appliance-image/boot-test.sh [--firmware bios|uefi] IMAGE.raw   (as root; needs qemu-system-x86_64,
#                                     ssh, and for UEFI the ovmf package; default bios)
#
# The image is not changed: the test boots a sparse copy into which it writes its public key. The
# guest's network is qemu's user network with restrict=on: it reaches nothing, the host reaches its
# sshd on a loopback port only. Exit status 0 when every step passed.
set -euo pipefail

boot_limit=900     # seconds to wait for `wanopt status` to answer (software emulation is slow)

script=boot-test
# shellcheck source=appliance-image/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

# common.sh's fail, plus the console's last lines: where a boot stopped shows there.
fail() {
    echo "$script: $*" >&2
    [[ ! -s "${console:-}" ]] || { echo "boot-test: last lines of the console:" >&2; tail -n 30 "$console" >&2; }
    exit 1
}

firmware=bios
while (( $# )); do
    case "$1" in
        --firmware) firmware="${2:-}"; shift 2 || usage ;;
        -h|--help) usage ;;
        -*) echo "$script: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
(( $# == 1 )) || usage
[[ "$firmware" == bios || "$firmware" == uefi ]] || { echo "boot-test: --firmware bios or uefi, not '$firmware'" >&2; usage; }
image="$(readlink -f "$1")"
# OVMF, the UEFI firmware for qemu (Debian's ovmf package), without Secure Boot.
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[[ "$(id -u)" == 0 ]] || fail "must run as root (the key goes into a copy of the image through a loop device)"
[[ -f "$image" ]] || fail "no image $image"
for tool in qemu-system-x86_64 ssh ssh-keygen losetup timeout; do
    command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install qemu-system-x86 openssh-client)"
done
[[ "$firmware" == bios || ( -f "$ovmf_code" && -f "$ovmf_vars" ) ]] || fail "no $ovmf_code for UEFI (apt-get install ovmf)"

work="$(mktemp -d "${TMPDIR:-/tmp}/wanopt-boot.XXXXXX")"
mnt="$work/root"
console="$work/console.log"
loop=""
qemu_pid=""
mkdir -p "$mnt"

cleanup() {
    if [[ -n "$qemu_pid" ]] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid"
        for _ in $(seq 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$qemu_pid" 2>/dev/null || true
    fi
    mountpoint -q "$mnt" && umount "$mnt"
    [[ -z "$loop" ]] || losetup --detach "$loop" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
step() {
    printf '[%4ds] %s\n' "$((SECONDS - started))" "$*"
}

# 1. A copy of the image with the test's key for root and admin.
step "copying $image and adding a test key"
cp --sparse=always "$image" "$work/disk.raw"
# A disk larger than the image, as on a server: the first boot must grow the root file system into it.
disk_size=$(( $(stat -c %s "$image") + 1024 * 1024 * 1024 ))
truncate -s "$disk_size" "$work/disk.raw"
ssh-keygen -q -t ed25519 -N '' -C wanopt-boot-test -f "$work/key"
start_sector="$(sfdisk --dump "$work/disk.raw" | sed -n 's/.*start= *\([0-9]*\),.*type=83.*/\1/p' | head -n 1)"
[[ -n "$start_sector" ]] || fail "no Linux partition in $image"
loop="$(losetup --find --show --offset $((start_sector * 512)) "$work/disk.raw")"
mount "$loop" "$mnt"
for account in root admin; do
    entry="$(grep "^$account:" "$mnt/etc/passwd")" || fail "the image has no $account account"
    home="$(cut -d: -f6 <<< "$entry")"
    ids="$(cut -d: -f3,4 <<< "$entry")"
    install -d -m 0700 -o "${ids%:*}" -g "${ids#*:}" "$mnt$home/.ssh"
    install -m 0600 -o "${ids%:*}" -g "${ids#*:}" "$work/key.pub" "$mnt$home/.ssh/authorized_keys"
done
umount "$mnt"
losetup --detach "$loop"
loop=""

# 2. Boot.
accel="${WANOPT_QEMU_ACCEL:-tcg}"
[[ "$accel" != tcg ]] || accel="tcg,thread=multi"
port=""
for candidate in $(shuf -i 20000-40000 -n 20); do
    if ! ss -Htln "sport = :$candidate" | grep -q .; then port=$candidate; break; fi
done
[[ -n "$port" ]] || fail "no free loopback port for sshd"
step "booting ($accel, $firmware, 2 CPUs, 1.5 GiB), sshd forwarded to 127.0.0.1:$port; console: $console"
extra=()
[[ "$accel" != kvm ]] || extra+=(-cpu host)
if [[ "$firmware" == uefi ]]; then
    cp "$ovmf_vars" "$work/efi-vars.fd"
    extra+=(-drive "if=pflash,format=raw,readonly=on,file=$ovmf_code" -drive "if=pflash,format=raw,file=$work/efi-vars.fd")
fi
qemu-system-x86_64 -accel "$accel" "${extra[@]}" -machine q35 -smp 2 -m 1536 -display none -monitor none \
    -serial "file:$console" -drive "file=$work/disk.raw,format=raw,if=virtio" \
    -netdev "user,id=wan,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=wan \
    -daemonize -pidfile "$work/qemu.pid"
qemu_pid="$(cat "$work/qemu.pid")"

ssh_to() {
    local account="$1"
    shift
    timeout "${ssh_limit:-60}" ssh -q -i "$work/key" -p "$port" -o BatchMode=yes -o ConnectTimeout=10 \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "$account@127.0.0.1" "$@"
}

# 3. sshd, then the daemon through the admin's shell.
until ssh_to admin version > /dev/null 2>&1; do
    kill -0 "$qemu_pid" 2>/dev/null || fail "qemu exited"
    (( SECONDS - started < boot_limit )) || fail "no SSH login after $boot_limit s"
    sleep 3
done
step "SSH login as admin works (key only); the console showed:"
grep -E "wanopt first boot|login:" "$console" | sed 's/^/    /' | head -n 3
until status="$(ssh_to admin wanopt status 2>&1)"; do
    kill -0 "$qemu_pid" 2>/dev/null || fail "qemu exited"
    (( SECONDS - started < boot_limit )) || fail "wanopt status did not answer after $boot_limit s: $status"
    sleep 3
done
booted_in=$((SECONDS - started))
step "ssh admin@appliance wanopt status:"
sed 's/^/    /' <<< "$status"

checks="$(ssh_to root 'if [ -d /sys/firmware/efi ]; then booted=uefi; else booted=bios; fi &&
    echo "booted by $booted firmware" && [ "$booted" = '"$firmware"' ] &&
    systemctl is-active wanopt-firstboot wanopt ssh systemd-networkd &&
    echo "ip_forward $(sysctl -n net.ipv4.ip_forward), tcp_rmem $(sysctl -n net.ipv4.tcp_rmem)" &&
    nft list table ip wanopt > /dev/null && echo "table ip wanopt installed" &&
    ls -ld /run/wanopt /run/wanopt/admin.sock /etc/wanopt/appliance.key &&
    grep -o "CapAmb.*" /proc/$(systemctl show -p MainPID --value wanopt)/status &&
    ps -o user=,cmd= -C java | cut -c1-80 &&
    journalctl --disk-usage &&
    root_mib=$(df --output=size -BM / | tail -n 1 | tr -dc 0-9) &&
    echo "root file system: $root_mib MiB on a disk of '"$((disk_size >> 20))"' MiB" &&
    [ "$root_mib" -gt '"$(( (disk_size >> 20) - 300 ))"' ] &&
    grep -h "disk-budget = .*fitted at first boot" /etc/wanopt/wanopt.conf &&
    debconf-show grub-pc | grep "install_devices: /dev/vda" &&
    if journalctl -u wanopt | grep "exceeds the"; then exit 1; fi &&
    echo "the store fits its disk: no disk-budget warning in the journal"' 2>&1)" || fail "the checks as root failed: $checks"
step "as root:"
sed 's/^/    /' <<< "$checks"
ssh_to admin 'cat /etc/shadow' > /dev/null 2>&1 && fail "wanopt-shell let admin run cat"
step "admin's shell refuses other commands"
# What a grub-pc upgrade does: re-install the BIOS boot loader on the disk the first boot recorded.
grub="$(ssh_limit=600 ssh_to root 'DEBIAN_FRONTEND=noninteractive dpkg-reconfigure grub-pc 2>&1' 2>&1)" \
    || fail "dpkg-reconfigure grub-pc failed: $grub"
grep -q "Installing for i386-pc platform" <<< "$grub" || fail "dpkg-reconfigure grub-pc did not re-install GRUB: $grub"
step "a grub-pc upgrade re-installs GRUB for BIOS on the recorded disk"
step "passed: booted ($firmware) to wanopt status in $booted_in s ($accel)"
