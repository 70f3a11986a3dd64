#!/usr/bin/env bash
# Boots a disk image made by build-disk.sh in qemu (software emulation; WANOPT_QEMU_ACCEL=kvm
# where KVM works: on nested hosts it can hang in the kernel's start, so it is not the default), waits for sshd, logs in with a key made for the test and runs `wanopt status` as the
# admin account (through wanopt-shell), then checks the services, forwarding and the steering as root.
#
#   appliance-image/boot-test.sh IMAGE.raw        (as root; needs qemu-system-x86_64, ssh)
#
# The image is not changed: the test boots a sparse copy into which it writes its public key. The
# guest's network is qemu's user network with restrict=on: it reaches nothing, the host reaches its
# sshd on a loopback port only. Exit status 0 when every step passed.
set -euo pipefail

boot_limit=900     # seconds to wait for `wanopt status` to answer (software emulation is slow)

fail() {
    echo "boot-test: $*" >&2
    [[ ! -s "${console:-}" ]] || { echo "boot-test: last lines of the console:" >&2; tail -n 30 "$console" >&2; }
    exit 1
}

(( $# == 1 )) || { sed -n '6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2; }
image="$(readlink -f "$1")"
[[ "$(id -u)" == 0 ]] || fail "must run as root (the key goes into a copy of the image through a loop device)"
[[ -f "$image" ]] || fail "no image $image"
for tool in qemu-system-x86_64 ssh ssh-keygen losetup timeout; do
    command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install qemu-system-x86 openssh-client)"
done

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
ssh-keygen -q -t ed25519 -N '' -C wanopt-boot-test -f "$work/key"
start_sector="$(sfdisk --dump "$work/disk.raw" | sed -n 's/.*start= *\([0-9]*\).*/\1/p' | head -n 1)"
[[ -n "$start_sector" ]] || fail "no partition in $image"
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
step "booting ($accel, BIOS, 2 CPUs, 1.5 GiB), sshd forwarded to 127.0.0.1:$port; console: $console"
cpu=()
[[ "$accel" != kvm ]] || cpu=(-cpu host)
qemu-system-x86_64 -accel "$accel" "${cpu[@]}" -machine q35 -smp 2 -m 1536 -display none -monitor none \
    -serial "file:$console" -drive "file=$work/disk.raw,format=raw,if=virtio" \
    -netdev "user,id=wan,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=wan \
    -daemonize -pidfile "$work/qemu.pid"
qemu_pid="$(cat "$work/qemu.pid")"

ssh_to() {
    local account="$1"
    shift
    timeout 60 ssh -q -i "$work/key" -p "$port" -o BatchMode=yes -o ConnectTimeout=10 \
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
step "ssh admin@appliance wanopt status:"
sed 's/^/    /' <<< "$status"

checks="$(ssh_to root 'systemctl is-active wanopt-firstboot wanopt ssh systemd-networkd &&
    echo "ip_forward $(sysctl -n net.ipv4.ip_forward), tcp_rmem $(sysctl -n net.ipv4.tcp_rmem)" &&
    nft list table ip wanopt > /dev/null && echo "table ip wanopt installed" &&
    ls -ld /run/wanopt /run/wanopt/admin.sock /etc/wanopt/appliance.key &&
    grep -o "CapAmb.*" /proc/$(systemctl show -p MainPID --value wanopt)/status &&
    ps -o user=,cmd= -C java | cut -c1-80 &&
    journalctl --disk-usage &&
    grep -h "disk-budget =" /etc/wanopt/wanopt.conf &&
    if journalctl -u wanopt | grep "exceeds the"; then exit 1; fi &&
    echo "the store fits its disk: no disk-budget warning in the journal"' 2>&1)" || fail "the checks as root failed: $checks"
step "as root:"
sed 's/^/    /' <<< "$checks"
ssh_to admin 'cat /etc/shadow' > /dev/null 2>&1 && fail "wanopt-shell let admin run cat"
step "passed: admin's shell refuses other commands; booted to wanopt status in $((SECONDS - started)) s ($accel)"
