#!/usr/bin/env bash
# Builds the VM disk images of issue 3: guest disks with a partition table and a real file system
# (ext4 Linux root file systems in three versions, one NTFS data disk), as raw images and as
# monolithicSparse / monolithicFlat VMDKs. See README.md next to this script.
#
# usage: build-vm-images.sh small|reference OUTDIR
#   small      64 MiB disks, trees copied from this host's /etc and /usr; no network, seconds
#   reference  1 GiB Debian bookworm root file system made by debootstrap (needs root and a mirror,
#              env DEBIAN_MIRROR, default http://deb.debian.org/debian); minutes
# OUTDIR is replaced atomically: everything is built in OUTDIR.tmp-PID and renamed at the end.
set -euo pipefail
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"
umask 022

usage() { echo "usage: $0 small|reference OUTDIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
VARIANT=$1
OUTDIR=$(realpath -m -- "$2")
case $VARIANT in
  small)     LINUX_DISK_MIB=64;   NTFS_DISK_MIB=64;  BYTES_PER_INODE=8192 ;;
  reference) LINUX_DISK_MIB=1024; NTFS_DISK_MIB=256; BYTES_PER_INODE=16384 ;;
  *) usage ;;
esac
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Packages on top of debootstrap's minbase so that ~300 MB of the 1 GiB disk is in use.
REFERENCE_INCLUDE=systemd-sysv,udev,kmod,iproute2,openssh-server,python3,vim-tiny,less,ca-certificates,curl
# Packages "installed" into linux-v2 of the reference variant (~50 MB unpacked).
REFERENCE_V2_PACKAGES=(git git-man liberror-perl rsync strace make patch)

# Fixed clocks and identifiers make the small variant reproducible on one host.
T_V1=1700000000   # 2023-11-14 22:13:20 UTC
T_V2=1700100000
FS_UUID=5eed0000-0000-4000-8000-0000000000e4
HASH_SEED=5eed0000-0000-4000-8000-0000000000a5
PART_START_SECTOR=2048   # 1 MiB
FAKETIME_LIB=
for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
  [[ -e $f ]] && { FAKETIME_LIB=$f; break; }
done

START_US=${EPOCHREALTIME/./}
secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 / 100000 % 10)); }
elapsed() { secs $((${EPOCHREALTIME/./} - START_US)); }
say() { printf '[%7ss] %s\n' "$(elapsed)" "$*"; }
die() { printf '[%7ss] ERROR: %s\n' "$(elapsed)" "$*" >&2; exit 1; }

# step DESCRIPTION FUNCTION ARGS...: runs a build step and reports its duration
step() {
  local what=$1 t0=${EPOCHREALTIME/./}
  shift
  say "$what ..."
  "$@"
  say "$what: done in $(secs $((${EPOCHREALTIME/./} - t0))) s"
}

# quiet COMMAND...: runs a command with its output in a log; shows the log tail only when it fails
quiet() {
  local out rc=0
  out=$(mktemp -p "$SCRATCH" cmd.XXXXXX)
  "$@" >"$out" 2>&1 || rc=$?
  if ((rc != 0)); then
    tail -n 30 "$out" >&2
    die "command failed with exit status $rc (last lines of its output above): $*"
  fi
  rm -f "$out"
}

check_tools() {
  local -A package=(
    [qemu-img]=qemu-utils [mkfs.ext4]=e2fsprogs [debugfs]=e2fsprogs [e2fsck]=e2fsprogs
    [dumpe2fs]=e2fsprogs [sfdisk]=fdisk [mkntfs]=ntfs-3g [ntfscp]=ntfs-3g [ntfsinfo]=ntfs-3g
    [ntfsresize]=ntfs-3g [tar]=tar [find]=findutils [sha256sum]=coreutils [truncate]=coreutils
    [timeout]=coreutils [realpath]=coreutils)
  if [[ $VARIANT == reference ]]; then
    package+=([debootstrap]=debootstrap [apt-get]=apt [dpkg-deb]=dpkg)
  fi
  local missing=() packages=() tool
  for tool in $(printf '%s\n' "${!package[@]}" | sort); do
    if ! command -v "$tool" >/dev/null; then
      missing+=("$tool (package ${package[$tool]})")
      packages+=("${package[$tool]}")
    fi
  done
  if ((${#missing[@]})); then
    printf 'missing tools: %s\n' "${missing[*]}" >&2
    die "install them, e.g.: apt-get install --no-install-recommends $(printf '%s\n' "${packages[@]}" | sort -u | tr '\n' ' ')"
  fi
  if [[ $VARIANT == reference && $EUID -ne 0 ]]; then
    die "the reference variant runs debootstrap, which needs root"
  fi
}

WORK="$OUTDIR.tmp-$$"
SCRATCH="$WORK/.scratch"
# remove_work_dir DIR
remove_work_dir() {
  [[ -d $1 ]] || return 0
  # debootstrap mounts proc/sys in its target; an interrupted run can leave them mounted
  awk -v prefix="$1/" 'index($2, prefix) == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  # a second try covers children that were still writing when the first one ran
  rm -rf --one-file-system "$1" 2>/dev/null || { sleep 1; rm -rf --one-file-system "$1"; }
}
cleanup() { remove_work_dir "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Trees

# select_files BASE MIN_BYTES MAX_BYTES ROOT:BUDGET_MIB...
# Prints paths (relative to BASE) of world-readable regular files and (when MIN_BYTES is 0) of
# symlinks under each ROOT in sorted order, skipping files outside MIN..MAX bytes and stopping at
# the first file that would exceed the ROOT's budget. Only plain names (no spaces, quotes or control characters), so that the
# paths are safe in debugfs commands and as NTFS names.
select_files() {
  local base=$1 min=$2 max=$3 spec root budget
  shift 3
  for spec in "$@"; do
    root=${spec%:*}
    budget=$((${spec##*:} << 20))
    [[ -d $base/$root ]] || continue
    { (cd "$base" && find "$root" -regextype posix-extended -regex '[A-Za-z0-9._+@,=%~/-]+' \
        \( -type l -o \( -type f -perm -o=r \) \) -printf '%y\t%s\t%p\n' 2>/dev/null) || true; } \
      | sort -t $'\t' -k3,3 \
      | awk -F '\t' -v min="$min" -v max="$max" -v budget="$budget" '
          $1 == "l" { if (min == 0 && !full) print $3; next }
          full || $2 < min || $2 > max { next }
          used + $2 > budget { full = 1; next }
          { used += $2; print $3 }'
  done
}

# total_mib BASE: the summed apparent size of the paths (relative to BASE) read from stdin
total_mib() {
  (cd "$1" && sed 's|^/||' | xargs -r stat -c %s) | awk '{ s += $1 } END { printf "%.1f", s / 1048576 }'
}

host_library_dir() {
  local d="usr/lib/$(uname -m)-linux-gnu"
  if [[ -d /$d ]]; then echo "$d"; else echo usr/lib; fi
}

# copy_listed SOURCE_BASE LIST TARGET: copies the listed paths (relative to SOURCE_BASE) with tar
copy_listed() {
  mkdir -p "$3"
  tar -C "$1" --no-recursion --verbatim-files-from -T "$2" -cf - | tar -C "$3" -xpf -
}

# set_identity TREE HOSTNAME MACHINE_ID EPOCH_SECONDS
set_identity() {
  local tree=$1
  mkdir -p "$tree/etc"
  rm -f "$tree/etc/hostname" "$tree/etc/hosts" "$tree/etc/machine-id"
  echo "$2" >"$tree/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$2" >"$tree/etc/hosts"
  echo "$3" >"$tree/etc/machine-id"
  chmod 644 "$tree/etc/hostname" "$tree/etc/hosts"
  chmod 444 "$tree/etc/machine-id"
  touch -d "@$4" "$tree/etc/hostname" "$tree/etc/hosts" "$tree/etc/machine-id"
}

make_small_tree() {
  local tree=$1 d
  for d in boot dev home media mnt opt proc root run srv sys tmp usr/bin usr/sbin usr/lib usr/share \
           var/cache var/lib var/log var/tmp; do
    mkdir -p "$tree/$d"
  done
  ln -s usr/bin "$tree/bin"
  ln -s usr/sbin "$tree/sbin"
  ln -s usr/lib "$tree/lib"
  chmod 1777 "$tree/tmp" "$tree/var/tmp"
  chmod 700 "$tree/root"
  select_files / 0 $((1 << 20)) etc:2 usr/bin:6 usr/sbin:2 "$(host_library_dir)":6 >"$SCRATCH/v1-host-files"
  copy_listed / "$SCRATCH/v1-host-files" "$tree"
  set_identity "$tree" wanopt-vm1 5eed00000000400080000000000000a1 "$T_V1"
  # directories made here or implicitly by tar carry the current time
  find "$tree" -type d -exec touch -d "@$T_V1" {} +
  touch -h -d "@$T_V1" "$tree/bin" "$tree/sbin" "$tree/lib"
}

make_reference_tree() {
  local tree=$1
  say "debootstrap --variant=minbase --include=$REFERENCE_INCLUDE bookworm $MIRROR"
  if ! timeout 3600 debootstrap --variant=minbase --include="$REFERENCE_INCLUDE" bookworm "$tree" "$MIRROR" \
      >"$SCRATCH/debootstrap.out" 2>&1; then
    tail -n 20 "$SCRATCH/debootstrap.out" >&2
    [[ -f $tree/debootstrap/debootstrap.log ]] && tail -n 20 "$tree/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (output above)"
  fi
  # what a cleaned-up VM image holds: no package cache, no apt lists, no host DNS configuration
  rm -f "$tree"/var/cache/apt/archives/*.deb "$tree"/var/cache/apt/*.bin
  find "$tree/var/lib/apt/lists" -maxdepth 1 -type f ! -name lock -delete
  printf 'nameserver 10.0.2.3\n' >"$tree/etc/resolv.conf"
  set_identity "$tree" wanopt-vm1 5eed00000000400080000000000000a1 "$T_V1"
}

# ---------------------------------------------------------------------------------------------
# ext4

# run_debugfs IMAGE COMMAND_FILE: debugfs -f reports errors only on stderr (exit status stays 0)
run_debugfs() {
  local err="$SCRATCH/debugfs.err"
  E2FSPROGS_FAKE_TIME=${FAKE_TIME:-$T_V1} debugfs -w -f "$2" "$1" >"$SCRATCH/debugfs.out" 2>"$err" \
    || die "debugfs -w -f $2 $1 failed: $(tail -n 5 "$err")"
  if grep -v '^debugfs [0-9]' "$err" >"$err.errors"; then
    head -n 20 "$err.errors" >&2
    die "debugfs reported errors applying $2 to $1 (first lines above)"
  fi
}

fsck_ext4() {
  local out="$SCRATCH/e2fsck.out"
  e2fsck -fn "$1" >"$out" 2>&1 || { tail -n 20 "$out" >&2; die "e2fsck -fn $1 found errors"; }
}

# mkfs_ext4 TREE IMAGE SIZE_MIB: a file system holding TREE, with the inode times that mke2fs
# copies from the source (ctime, and atime it bumps by reading) pinned so rebuilds are identical
mkfs_ext4() {
  local tree=$1 image=$2
  truncate -s "$3M" "$image"
  quiet env E2FSPROGS_FAKE_TIME=$T_V1 mkfs.ext4 -q -F -b 4096 -I 256 -i "$BYTES_PER_INODE" -L wanopt-root \
    -U "$FS_UUID" -E "hash_seed=$HASH_SEED,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0,nodiscard" \
    -d "$tree" "$image"
  (cd "$tree" && find . -printf '%p\n') | LC_ALL=C sort | grep -v '"' | sed 's|^\.||; s|^$|/|' \
    | awk -v t="$T_V1" -v chown="$((EUID != 0))" '{
        printf "sif \"%s\" ctime @%s\nsif \"%s\" atime @%s\n", $0, t, $0, t
        if (chown) printf "sif \"%s\" uid 0\nsif \"%s\" gid 0\n", $0, $0 }' >"$SCRATCH/pin.cmds"
  run_debugfs "$image" "$SCRATCH/pin.cmds"
  fsck_ext4 "$image"
}

# add_commands ADD_DIR V1_TREE: debugfs commands that write every file, symlink and directory of
# ADD_DIR into the file system made from V1_TREE (replacing files that exist there)
add_commands() {
  local add=$1 base=$2 p
  (cd "$add" && find . -mindepth 1 -type d) | LC_ALL=C sort | while read -r p; do
    p=${p#.}
    [[ -e $base$p || -L $base$p ]] || echo "mkdir \"$p\""
  done
  (cd "$add" && find . \( -type f -o -type l \)) | LC_ALL=C sort | while read -r p; do
    p=${p#.}
    [[ -e $base$p || -L $base$p ]] && echo "rm \"$p\""
    if [[ -L $add$p ]]; then
      echo "symlink \"$p\" \"$(readlink "$add$p")\""
    else
      echo "write \"$add$p\" \"$p\""
    fi
    if ((EUID != 0)); then printf 'sif "%s" uid 0\nsif "%s" gid 0\n' "$p" "$p"; fi
  done
}

used_mib_ext4() {
  dumpe2fs -h "$1" 2>/dev/null | awk -F: '
    /^Block count/ { n = $2 } /^Free blocks/ { f = $2 } /^Block size/ { b = $2 }
    END { printf "%.1f", (n - f) * b / 1048576 }'
}

build_linux_v1() {
  local tree="$SCRATCH/tree"
  if [[ $VARIANT == small ]]; then make_small_tree "$tree"; else make_reference_tree "$tree"; fi
  say "tree: $(find "$tree" | wc -l) entries, $(du -sm "$tree" | cut -f1) MiB"
  mkfs_ext4 "$tree" "$SCRATCH/linux-v1.part" $((LINUX_DISK_MIB - 1))
}

# linux-v2: v1 where packages were added, then files deleted, so the freed blocks keep stale data
build_linux_v2() {
  local tree="$SCRATCH/tree" add="$SCRATCH/v2-add" deb p
  mkdir -p "$add"
  if [[ $VARIANT == small ]]; then
    select_files / 8192 $((1 << 20)) usr/share:5 >"$SCRATCH/v2-host-files"
    copy_listed / "$SCRATCH/v2-host-files" "$add"
  else
    mkdir -p "$SCRATCH/debs"
    (cd "$SCRATCH/debs" && quiet timeout 600 apt-get download "${REFERENCE_V2_PACKAGES[@]}")
    for deb in "$SCRATCH"/debs/*.deb; do quiet dpkg-deb -x "$deb" "$add"; done
  fi
  # deleted: small = the twelve largest single-link files; reference = docs, man pages and all
  # translations but English, as localepurge and a docs cleanup would do
  if [[ $VARIANT == small ]]; then
    (cd "$tree" && find . -type f -links 1 -printf '%s\t%P\n') | sort -t $'\t' -k1,1nr -k2,2 \
      | sed -n '1,12p' | cut -f2 | sed 's|^|/|' >"$SCRATCH/v2-deleted"
  else
    (cd "$tree" && find usr/share/doc usr/share/man usr/share/locale -regextype posix-extended \
        ! -regex 'usr/share/locale/en[^/]*(/.*)?' ! -name locale.alias \( -type f -o -type l \) -printf '/%p\n') \
      | grep -v '"' | sort >"$SCRATCH/v2-deleted"
  fi
  {
    add_commands "$add" "$tree"
    while read -r p; do
      [[ -e $add$p || -L $add$p ]] || echo "rm \"$p\""
    done <"$SCRATCH/v2-deleted"
  } >"$SCRATCH/v2.cmds"
  cp --sparse=always "$SCRATCH/linux-v1.part" "$SCRATCH/linux-v2.part"
  FAKE_TIME=$T_V2 run_debugfs "$SCRATCH/linux-v2.part" "$SCRATCH/v2.cmds"
  fsck_ext4 "$SCRATCH/linux-v2.part"
  {
    (cd "$add" && find . \( -type f -o -type l \) -printf '+ /%P\n') | sort
    while read -r p; do [[ -e $add$p || -L $add$p ]] || echo "- $p"; done <"$SCRATCH/v2-deleted"
  } >"$WORK/linux-v2.changes"
  V2_SUMMARY="added $(grep -c '^+' "$WORK/linux-v2.changes") files ($(du -sm "$add" | cut -f1) MiB),"
  V2_SUMMARY+=" deleted $(grep -c '^-' "$WORK/linux-v2.changes") files"
  V2_SUMMARY+=" ($(grep '^-' "$WORK/linux-v2.changes" | cut -c3- | total_mib "$tree") MiB)"
  say "linux-v2: $V2_SUMMARY"
}

# linux-clone: v1 copied to a second VM, which got its own host name and machine id
build_linux_clone() {
  local identity="$SCRATCH/clone-identity"
  set_identity "$identity" wanopt-vm2 5eed00000000400080000000000000a2 "$T_V2"
  add_commands "$identity" "$SCRATCH/tree" >"$SCRATCH/clone.cmds"
  cp --sparse=always "$SCRATCH/linux-v1.part" "$SCRATCH/linux-clone.part"
  FAKE_TIME=$T_V2 run_debugfs "$SCRATCH/linux-clone.part" "$SCRATCH/clone.cmds"
  fsck_ext4 "$SCRATCH/linux-clone.part"
}

# ---------------------------------------------------------------------------------------------
# NTFS

build_ntfs_v1() {
  local part="$SCRATCH/ntfs-v1.part" base rel
  if [[ $VARIANT == small ]]; then
    base=/
    select_files / 16384 $((2 << 20)) "$(host_library_dir)":10 usr/share:5 >"$SCRATCH/ntfs-files"
  else
    base="$SCRATCH/tree"
    select_files "$base" 16384 $((4 << 20)) "$(host_library_dir)":50 usr/share:30 >"$SCRATCH/ntfs-files"
  fi
  truncate -s $((NTFS_DISK_MIB - 1))M "$part"
  # -T: zero times; -p/-H/-S: the partition's place on the disk, as Windows' boot code expects
  quiet mkntfs -q -F -Q -T -L wanopt-data -c 4096 -s 512 -p "$PART_START_SECTOR" -H 255 -S 63 "$part"
  local -a clock=()
  # ntfscp stamps files with the current time; a frozen clock keeps rebuilds identical
  [[ -n $FAKETIME_LIB ]] && clock=(env LD_PRELOAD="$FAKETIME_LIB" FAKETIME='2023-11-14 22:13:20')
  while read -r rel; do
    quiet "${clock[@]}" ntfscp -q "$part" "$base/$rel" "/${rel//\//_}"
  done <"$SCRATCH/ntfs-files"
  quiet ntfsresize --info --force --no-progress-bar "$part"
  say "ntfs-v1: $(wc -l <"$SCRATCH/ntfs-files") files, $(total_mib "$base" <"$SCRATCH/ntfs-files") MiB"
}

used_mib_ntfs() {
  ntfsinfo -m "$1" 2>/dev/null | awk -F: '
    /Cluster Size/ && !c { c = $2 } /Volume Size in Clusters/ { n = $2 } /Free Clusters/ && f == "" { split($2, a, " "); f = a[1] }
    END { printf "%.1f", (n - f) * c / 1048576 }'
}

# ---------------------------------------------------------------------------------------------
# Disks and VMDKs

# make_disk NAME SIZE_MIB MBR_TYPE PARTITION_IMAGE LABEL_ID: MBR disk, one partition at 1 MiB
make_disk() {
  local disk="$WORK/$1.raw"
  truncate -s "$2M" "$disk"
  printf 'label: dos\nlabel-id: %s\nunit: sectors\n\nstart=%d, type=%s\n' "$5" "$PART_START_SECTOR" "$3" \
    | quiet sfdisk -q "$disk"
  quiet dd if="$4" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
}

make_disks() {
  local name
  # v2 and the clone are the same disk as v1 at a later time / copied, hence the same disk id
  for name in linux-v1 linux-v2 linux-clone; do
    make_disk "$name" "$LINUX_DISK_MIB" 83 "$SCRATCH/$name.part" 0x5eed0001
  done
  make_disk ntfs-v1 "$NTFS_DISK_MIB" 7 "$SCRATCH/ntfs-v1.part" 0x5eed0002
}

# pin_cid VMDK CID: qemu-img writes a random content id (printed with %x, so 7 or 8 digits) into
# the NUL-padded descriptor; fix it so rebuilds are identical. A sparse file embeds the
# descriptor at sectors 1..20, a flat one's descriptor file is the descriptor alone.
pin_cid() {
  local vmdk=$1 cid=$2 desc="$SCRATCH/descriptor" skip=0 count
  if [[ $(head -c 4 "$vmdk") == KDMV ]]; then
    [[ $(od -An -t u8 -j 28 -N 16 "$vmdk" | xargs) == "1 20" ]] || die "$vmdk: descriptor not at sectors 1..20"
    skip=1 count=20
  else
    count=$(($(stat -c %s "$vmdk") / 512))
  fi
  dd if="$vmdk" of="$desc" bs=512 skip="$skip" count="$count" status=none
  # the text ends at the first NUL; qemu can leave stale bytes after it when it rewrites the CID
  sed -z q <"$desc" | tr -d '\000' | sed -E "s/^CID=[0-9a-f]+\$/CID=$cid/" >"$desc.new"
  truncate -s $((count * 512)) "$desc.new"
  dd if="$desc.new" of="$vmdk" bs=512 seek="$skip" conv=notrunc status=none
}

convert_disk() {
  local disk=$1 subformat cid
  cid=$(printf '%s' "$disk" | sha256sum | cut -c1-8)
  for subformat in monolithicSparse monolithicFlat; do
    # run inside WORK so that the flat descriptor names its extent without a directory
    (cd "$WORK" && quiet qemu-img convert -f raw -O vmdk -o "subformat=$subformat" "$disk.raw" "$disk-$subformat.vmdk")
    pin_cid "$WORK/$disk-$subformat.vmdk" "$cid"
    (cd "$WORK" && quiet qemu-img compare -q -f raw -F vmdk "$disk.raw" "$disk-$subformat.vmdk")
  done
}

write_manifest() {
  (cd "$WORK" && find . -maxdepth 1 -type f ! -name MANIFEST -printf '%f\n' | sort \
    | xargs -P 2 -n 1 sha256sum) | sort -k2,2 >"$SCRATCH/sums"
  {
    echo "# sha256 apparent-bytes on-disk-bytes name"
    while read -r sum name; do
      printf '%s %s %s %s\n' "$sum" "$(stat -c %s "$WORK/$name")" \
        "$(($(stat -c '%b * %B' "$WORK/$name")))" "$name"
    done <"$SCRATCH/sums"
  } >"$WORK/MANIFEST"
}

write_build_info() {
  {
    echo "variant: $VARIANT"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "script-sha256: $(sha256sum <"$0" | cut -d' ' -f1)"
    echo "build-seconds (before MANIFEST): $(elapsed)"
    echo "disk-mib: linux $LINUX_DISK_MIB, ntfs $NTFS_DISK_MIB; partition 1 starts at sector $PART_START_SECTOR"
    local name
    for name in linux-v1 linux-v2 linux-clone; do
      echo "in-use-mib $name (ext4): $(used_mib_ext4 "$SCRATCH/$name.part")"
    done
    echo "in-use-mib ntfs-v1 (ntfs): $(used_mib_ntfs "$SCRATCH/ntfs-v1.part")"
    echo "linux-v2: $V2_SUMMARY (list: linux-v2.changes)"
    if [[ $VARIANT == reference ]]; then
      echo "source: debootstrap --variant=minbase --include=$REFERENCE_INCLUDE bookworm $MIRROR"
      echo "linux-v2 packages: ${REFERENCE_V2_PACKAGES[*]}"
      echo "tool: $(debootstrap --version 2>&1 | head -n 1)"
    else
      echo "source: files of this host ($(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"))"
    fi
    echo "tool: $(qemu-img --version | head -n 1)"
    echo "tool: $(mke2fs -V 2>&1 | head -n 1)"
    echo "tool: $(sfdisk --version)"
    echo "tool: mkntfs $(mkntfs --version 2>&1 | awk '/mkntfs v/ { print $2; exit }')"
  } >"$WORK/BUILD-INFO"
}

publish() {
  rm -rf "$SCRATCH"
  # a previous build is moved aside first: readers see the old or the new set, never a partial one
  local old="$OUTDIR.old-$$"
  if [[ -e $OUTDIR ]]; then mv -T "$OUTDIR" "$old"; fi
  mv -T "$WORK" "$OUTDIR"
  rm -rf "$old"
}

main() {
  check_tools
  local stale
  for stale in "$OUTDIR".tmp-*; do   # left by builds that were killed
    [[ -d $stale && ! -d /proc/${stale##*.tmp-} ]] && remove_work_dir "$stale"
  done
  mkdir -p "$(dirname "$OUTDIR")" "$SCRATCH" || die "cannot create $SCRATCH"
  say "building variant $VARIANT into $OUTDIR"
  step "linux-v1: tree + mkfs.ext4 -d" build_linux_v1
  step "linux-v2: add, then delete (debugfs)" build_linux_v2
  step "linux-clone: new hostname (debugfs)" build_linux_clone
  step "ntfs-v1: mkntfs + ntfscp" build_ntfs_v1
  step "partitioned disks (sfdisk + dd)" make_disks
  local disk
  for disk in linux-v1 linux-v2 linux-clone ntfs-v1; do
    step "$disk: VMDKs (qemu-img convert + compare)" convert_disk "$disk"
  done
  write_build_info
  step "MANIFEST (sha256)" write_manifest
  publish
  say "done: $OUTDIR"
  sed 's/^/  /' "$OUTDIR/BUILD-INFO"
}

main
