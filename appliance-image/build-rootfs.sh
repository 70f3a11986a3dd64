#!/usr/bin/env bash
# Builds the wanopt appliance's root file system: Debian 12 (bookworm) from Debian's package
# registry with debootstrap, a headless JRE, nftables, OpenSSH (keys only), systemd, and wanopt built
# from this checkout. The result boots as is once a kernel and a boot loader are added.
#
#   appliance-image/build-rootfs.sh [OPTIONS] OUT_DIR        (as root; OUT_DIR absent or empty)
#
#   --hostname NAME      host name, and the appliance id first boot issues the key for (wanopt)
#   --ssh-key FILE       authorized_keys for root and for the "admin" account (none: nobody can
#                        log in until a key is added, e.g. with chroot OUT_DIR)
#   --mirror URL         Debian mirror (http://deb.debian.org/debian, as apt uses on this machine)
#
# Environment: WANOPT_DEB_CACHE keeps the downloaded .debs between builds
# (/var/cache/wanopt-image/debs). Then run appliance-image/check-rootfs.sh OUT_DIR.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
script=build-rootfs
started=$SECONDS
# shellcheck source=appliance-image/common.sh
. "$here/common.sh"
repo="$(dirname "$here")"
suite=bookworm
mirror=http://deb.debian.org/debian
hostname=wanopt
ssh_key=""
deb_cache="${WANOPT_DEB_CACHE:-/var/cache/wanopt-image/debs}"

# Beyond minbase: what the appliance runs and what an admin needs on it (an editor, module loading
# for nftables' tproxy/socket expressions, time sync so certificates validate, D-Bus for *ctl tools).
# fdisk (sfdisk) lets the first boot grow the root partition to fill a larger disk.
packages=(systemd systemd-sysv systemd-timesyncd dbus kmod openjdk-17-jre-headless nftables iproute2
    openssh-server nano fdisk)

in_root() {
    timeout 120 chroot "$out" "$@"
}

while (( $# )); do
    case "$1" in
        --hostname) hostname="${2:?--hostname needs a NAME}"; shift 2 ;;
        --ssh-key) ssh_key="${2:?--ssh-key needs a FILE}"; shift 2 ;;
        --mirror) mirror="${2:?--mirror needs a URL}"; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "$script: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
(( $# == 1 )) || usage
out="$1"

[[ "$(id -u)" == 0 ]] || fail "must run as root (debootstrap, chroot and file ownership need it)"
for tool in debootstrap chroot timeout; do
    command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install debootstrap coreutils)"
done
[[ "$hostname" =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]] || fail "--hostname $hostname: use letters, digits, '.' and '-'"
[[ -z "$ssh_key" || -r "$ssh_key" ]] || fail "--ssh-key $ssh_key: cannot read it"
[[ "$out" == /* ]] || out="$PWD/$out"
case "$out/" in
    "$repo"/*) fail "$out is inside the checkout; build the root file system elsewhere (e.g. /tmp/wanopt-rootfs)" ;;
    /) fail "refusing to build into /" ;;
esac
if [[ -e "$out" && -n "$(ls -A "$out" 2>/dev/null)" ]]; then
    fail "$out exists and is not empty; remove it first (rm -rf $out)"
fi

logs="$(mktemp -d "${TMPDIR:-/tmp}/wanopt-rootfs-logs.XXXXXX")"

# 1. wanopt, first: a broken checkout should fail before the long debootstrap.
step "building wanopt from $repo"
run_logged 30m "$logs/wanopt-build.log" "$repo/wanopt" version
jar="$repo/proxy/target/wanopt.jar"
[[ -f "$jar" && -d "$repo/proxy/target/lib" ]] || fail "the build left no $jar and proxy/target/lib"
step "built $(tail -n 1 "$logs/wanopt-build.log")"

# 2. Debian. debootstrap resolves Depends only, so nothing recommended comes along.
step "debootstrap $suite (minbase + ${packages[*]}) from $mirror into $out"
mkdir -p "$out" "$deb_cache"
run_logged 60m "$logs/debootstrap.log" debootstrap --variant=minbase --components=main \
    --cache-dir="$deb_cache" --include="$(IFS=,; echo "${packages[*]}")" "$suite" "$out" "$mirror"
mountpoint -q "$out/proc" && fail "debootstrap left $out/proc mounted"

# 3. wanopt into /opt/wanopt, with its wrapper, the admin shell and the appliance's system files.
step "installing wanopt into /opt/wanopt and the appliance's system files"
install -d -m 0755 "$out/opt/wanopt/lib"
install -m 0644 "$jar" "$out/opt/wanopt/wanopt.jar"
install -m 0644 "$repo"/proxy/target/lib/*.jar "$out/opt/wanopt/lib/"
# RocksDB's jar carries its native library for every platform (92 MB); the appliance needs only the
# one for x86-64 glibc Linux. The JDK's jar tool repacks it without the others (7 MB).
for rocksdb_jar in "$out"/opt/wanopt/lib/rocksdbjni-*.jar; do
    if ! command -v jar >/dev/null; then
        echo "build-rootfs: no jar tool (a JDK's) on PATH: $rocksdb_jar keeps every platform's library" >&2
        break
    fi
    unpacked="$(mktemp -d "${TMPDIR:-/tmp}/wanopt-rocksdb.XXXXXX")"
    (cd "$unpacked" && jar xf "$rocksdb_jar")
    [[ -f "$unpacked/librocksdbjni-linux64.so" ]] || fail "$rocksdb_jar has no librocksdbjni-linux64.so"
    find "$unpacked" -maxdepth 1 -name 'librocksdbjni-*' ! -name librocksdbjni-linux64.so -delete
    jar --create --file "$rocksdb_jar" --manifest "$unpacked/META-INF/MANIFEST.MF" -C "$unpacked" .
    rm -rf "$unpacked"
done
cp -R --no-preserve=ownership "$here/rootfs/." "$out/"
install -m 0755 "$repo/config/examples/wanopt-shell" "$out/usr/local/bin/wanopt-shell"
install -d -m 0755 "$out/usr/share/doc/wanopt"
install -m 0644 "$here/README.md" "$repo/docs/management.md" "$repo/docs/in-path.md" "$out/usr/share/doc/wanopt/"

# 4. Accounts: the service user, the group that may use the admin socket, and an admin login whose
# shell offers wanopt commands only. Passwords are unset but not locked ('*'): sshd refuses locked
# accounts even with a good key, and with PasswordAuthentication off no password is ever asked.
in_root groupadd --system wanopt-admin
in_root useradd --system --user-group --home-dir /var/lib/wanopt --no-create-home \
    --shell /usr/sbin/nologin --comment "wanopt appliance daemon" wanopt
echo /usr/local/bin/wanopt-shell >> "$out/etc/shells"
in_root useradd --create-home --shell /usr/local/bin/wanopt-shell --groups wanopt-admin \
    --comment "wanopt admin (wanopt commands only)" admin
in_root usermod -p '*' admin
if [[ -n "$ssh_key" ]]; then
    for account in root admin; do
        home="$(in_root getent passwd "$account" | cut -d: -f6)"
        install -d -m 0700 "$out$home/.ssh"
        install -m 0600 "$ssh_key" "$out$home/.ssh/authorized_keys"
        in_root chown -R "$account:" "$home/.ssh"
    done
fi

# 5. The site file: the in-path branch example, with the appliance's key paths, its admin group and
# the host name as id. The key files are made at first boot (wanopt-firstboot).
install -d -m 0755 "$out/etc/wanopt"
conf="$out/etc/wanopt/wanopt.conf"
[[ "$(tail -n 1 "$repo/config/examples/branch-in-path.conf")" == "}" ]] \
    || fail "config/examples/branch-in-path.conf no longer ends with the closing brace this script expects"
{
    echo "# wanopt appliance site file: the in-path branch example (config/examples/branch-in-path.conf),"
    echo "# with the appliance's key files (made at first boot) and its admin group. The first boot also"
    echo "# fits store.disk-budget to the disk. Edit the peers, in-path rules and lan-interfaces for this"
    echo "# site; check with wanopt config check FILE, then systemctl restart wanopt (or wanopt reload for"
    echo "# rules)."
    echo "#"
    sed -e "s|^\([[:space:]]*appliance-id[[:space:]]*=\).*|\1 \"$hostname\"|" \
        -e 's|"/etc/wanopt/branch1\.key"|"/etc/wanopt/appliance.key"|' \
        -e 's|"/etc/wanopt/branch1\.crt"|"/etc/wanopt/appliance.crt"|' \
        -e 's|^\([[:space:]]*disk-budget[[:space:]]*=.*\)$|\1   # first boot sets this to fit the disk|' \
        -e '$d' "$repo/config/examples/branch-in-path.conf"
    echo
    echo "  management {"
    echo "    # Members of this group may use the wanopt CLI (status, peers, flows, ...)."
    echo "    admin-group = \"wanopt-admin\""
    echo "  }"
    echo "}"
} > "$conf"
chmod 0644 "$conf"
for expected in "appliance-id = \"$hostname\"" '"/etc/wanopt/appliance.key"' '"/etc/wanopt/appliance.crt"' \
        '"/etc/wanopt/ca.crt"' '"/var/lib/wanopt/store"' "# first boot sets this to fit the disk"; do
    grep -qF "$expected" "$conf" || fail "the adapted $conf lacks $expected: has the branch-in-path example changed?"
done

# 6. Host identity and packages. Everything unique to one appliance is made at first boot: SSH host
# keys (wanopt-firstboot) and the machine id (systemd, when /etc/machine-id is empty).
echo "$hostname" > "$out/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$hostname" > "$out/etc/hosts"
rm -f "$out"/etc/ssh/ssh_host_*
: > "$out/etc/machine-id"
rm -f "$out/var/lib/dbus/machine-id"
echo "# the DHCP lease or the admin sets the name servers" > "$out/etc/resolv.conf"
cat > "$out/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
EOF
in_root apt-get clean
rm -rf "$out"/var/lib/apt/lists/* "$out"/var/log/*.log "$out"/var/cache/debconf/*-old

# 7. Services. systemctl --root works on the tree without a running systemd.
run_logged 2m "$logs/systemctl.log" systemctl --root="$out" enable \
    wanopt-firstboot.service wanopt.service ssh.service systemd-networkd.service systemd-timesyncd.service

rm -rf "$logs"
step "done: $out, $(du -sh --one-file-system "$out" | cut -f1)" \
    "(wanopt $(du -sh "$out/opt/wanopt" | cut -f1), JRE $(du -sh "$out/usr/lib/jvm" | cut -f1))"
[[ -n "$ssh_key" ]] || echo "build-rootfs: no --ssh-key: nobody can log in over SSH until a key is added to /root/.ssh/authorized_keys" >&2
echo "next: $here/check-rootfs.sh $out"
