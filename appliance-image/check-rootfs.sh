#!/usr/bin/env bash
# Checks a root file system made by build-rootfs.sh, inside it with chroot (systemd-nspawn is not
# needed): runs the first-boot step, then `wanopt version`, `wanopt config check` (as root and as the
# service user), `systemd-analyze verify` on the units, `sshd -t`, the service's clean-up command,
# and that the services are enabled.
#
#   appliance-image/check-rootfs.sh ROOTFS        (as root)
#
# The checks run on an overlay (or, where overlayfs is unavailable, a copy) of ROOTFS, so ROOTFS
# stays as built: no SSH host keys, no TLS key, ready to become a disk image. Exit status 0 when
# every check passed, 1 with the failing check's output otherwise.
set -euo pipefail

script=check-rootfs
# shellcheck source=appliance-image/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

(( $# == 1 )) || usage
rootfs="$(readlink -f "$1")"
[[ "$(id -u)" == 0 ]] || fail "must run as root (mount and chroot need it)"
[[ -f "$rootfs/opt/wanopt/wanopt.jar" ]] \
    || fail "$rootfs/opt/wanopt/wanopt.jar is missing: is $rootfs a root file system from build-rootfs.sh?"

work="$(mktemp -d "${TMPDIR:-/tmp}/wanopt-check.XXXXXX")"
root="$work/root"
mkdir -p "$root" "$work/upper" "$work/work"

cleanup() {
    # Submounts first (proc, sys, dev), then the overlay itself; lazily if something still holds them.
    if mountpoint -q "$root"; then
        umount --recursive "$root" 2>/dev/null || umount --recursive --lazy "$root"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
if mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$work/upper,workdir=$work/work" "$root" 2>/dev/null; then
    echo "checking $rootfs through an overlay (the root file system itself is not changed)"
else
    echo "checking a copy of $rootfs (overlayfs unavailable here)"
    cp -a "$rootfs/." "$root/"
    mount --bind "$root" "$root"
fi
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount --bind /dev "$root/dev"
mkdir -p "$root/run/sshd"

passed=0
# run_check NAME LIMIT COMMAND...: runs COMMAND; prints its output and time, stops on failure.
run_check() {
    local name="$1" limit="$2" status=0 begin=$SECONDS output
    shift 2
    output="$(timeout --kill-after=10s "$limit" "$@" 2>&1)" || status=$?
    if (( status != 0 )); then
        printf '%s\n' "$output" | tail -n 30 >&2
        fail "FAILED: $name: exit status $status$( ((status == 124)) && echo " (timed out after $limit)")"
    fi
    printf '%s\n' "$output" | sed 's/^/    /'
    printf 'ok   %-50s %3ds\n' "$name" "$((SECONDS - begin))"
    passed=$((passed + 1))
}

# check NAME LIMIT COMMAND...: runs COMMAND inside the root file system.
check() {
    local name="$1" limit="$2"
    shift 2
    run_check "$name" "$limit" chroot "$root" "$@"
}

check "first boot (wanopt-firstboot)" 5m /usr/local/sbin/wanopt-firstboot
check "first boot fitted store.disk-budget to the disk" 1m grep -H "disk-budget = .*fitted at first boot" /etc/wanopt/wanopt.conf
check "wanopt version" 2m /usr/local/bin/wanopt version
check "wanopt config check (root)" 2m /usr/local/bin/wanopt config check /etc/wanopt/wanopt.conf
# The daemon runs as wanopt with the admin group: it must be able to read its key.
check "wanopt config check (as the wanopt user)" 2m \
    setpriv --reuid=wanopt --regid=wanopt --groups=wanopt-admin /usr/local/bin/wanopt config check /etc/wanopt/wanopt.conf
# verify exits 0 on what it ignores (unknown keys, bad values): any message counts as a failure.
check "systemd-analyze verify (wanopt units)" 2m sh -c \
    'found=$(systemd-analyze verify /etc/systemd/system/wanopt.service /etc/systemd/system/wanopt-firstboot.service 2>&1)
     [ -z "$found" ] || { echo "$found"; exit 1; }'
check "sshd -t (keys only, drop-in read)" 1m sh -c \
    '/usr/sbin/sshd -t && /usr/sbin/sshd -T | grep -E "^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin|allowgroups) "'
check "clean-up command of the unit (nft-rules --remove)" 2m sh -c \
    '/usr/local/bin/wanopt nft-rules --config /etc/wanopt/wanopt.conf --remove --if-managed | grep -q "nft delete table ip wanopt" && echo "prints the removal of table ip wanopt"'
check "services enabled" 1m \
    systemctl is-enabled wanopt-firstboot.service wanopt.service ssh.service systemd-networkd.service systemd-timesyncd.service
check "sysctl drop-in" 1m sh -c 'grep -H "^net.ipv4.ip_forward = 1$" /etc/sysctl.d/90-wanopt.conf'

# The daemon as the unit runs it (user wanopt, only the three capabilities, no new privileges), in a
# network, PID and mount namespace of its own: its in-path steering goes into that namespace, its
# peers are unreachable there, and it ends with the namespace. The admin account asks it for its
# status through wanopt-shell, as over SSH. After SIGKILL the unit's ExecStopPost must remove the
# steering left behind; after SIGTERM the daemon must have removed it itself.
caps="+net_admin,+net_raw,+net_bind_service"
run_check "daemon: status for the admin, clean-up after kill -9 and stop" 3m \
    unshare --net --pid --mount --fork chroot "$root" sh -c '
        set -eu
        mount -t proc proc /proc
        ip link set lo up
        systemd-tmpfiles --create /etc/tmpfiles.d/wanopt.conf
        install -d -m 0750 -o wanopt -g wanopt /var/lib/wanopt
        # A command prefix, not a function: a function run with & would fork a shell, and $! would
        # name that shell instead of the daemon.
        as_service="setpriv --reuid=wanopt --regid=wanopt --groups=wanopt-admin --no-new-privs \
            --inh-caps='"$caps"' --ambient-caps='"$caps"' --bounding-set=-all,'"$caps"'"
        steering() { nft list table ip wanopt > /dev/null 2>&1; }
        start() {
            $as_service /usr/local/bin/wanopt run --config /etc/wanopt/wanopt.conf > /tmp/daemon.log 2>&1 &
            daemon=$!
            waited=0
            until [ -S /run/wanopt/admin.sock ] && steering; do
                kill -0 $daemon 2>/dev/null || { echo "the daemon exited:"; tail -n 20 /tmp/daemon.log; exit 1; }
                [ $waited -lt 60 ] || { echo "not up after 60 s:"; tail -n 20 /tmp/daemon.log; exit 1; }
                sleep 1; waited=$((waited + 1))
            done
            echo "up after ${waited} s, steering installed: $(ls -l /run/wanopt/admin.sock)"
        }
        trap "kill -9 \$daemon 2>/dev/null || true" EXIT

        start
        setpriv --reuid=admin --regid=admin --init-groups /usr/local/bin/wanopt-shell -c status
        kill -KILL $daemon; wait $daemon || true
        steering || { echo "no steering left after kill -9: nothing to test"; exit 1; }
        stop_post=$(sed -n "s/^ExecStopPost=//p" /etc/systemd/system/wanopt.service)
        eval "$as_service $stop_post"
        if steering; then echo "ExecStopPost left table ip wanopt after kill -9"; exit 1; fi
        echo "kill -9: the unit'"'"'s ExecStopPost removed the steering"

        rm -f /run/wanopt/admin.sock
        start
        kill -TERM $daemon; wait $daemon || true
        if steering; then echo "table ip wanopt left after a clean stop"; exit 1; fi
        echo "SIGTERM: the daemon removed its steering; its log:"
        sed "s/^/  /" /tmp/daemon.log | tail -n 6'

echo "check-rootfs: all $passed checks passed in $((SECONDS - started)) s"
