# shellcheck shell=bash disable=SC2154 # $script and $started come from the sourcing script
# Shell functions of the appliance-image build scripts, which source this file after setting
# $script (their name in messages) and $started (SECONDS at their start).

# usage: prints the usage lines of the calling script's header comment (those indented by three
# spaces), and exits 2.
usage() {
    sed -n '1,/^set -euo pipefail$/s/^#   //p' "$0" >&2
    exit 2
}

fail() {
    echo "$script: $*" >&2
    exit 1
}

# step TEXT: prints TEXT after the seconds since the script started.
step() {
    printf '[%4ds] %s\n' "$((SECONDS - started))" "$*"
}

# run_logged LIMIT LOG COMMAND...: runs COMMAND with a time limit, its output appended to LOG; on
# failure names the command, its exit status and LOG's last lines, and exits.
run_logged() {
    local limit="$1" log="$2" status=0
    shift 2
    timeout --kill-after=10s "$limit" "$@" >> "$log" 2>&1 || status=$?
    if (( status != 0 )); then
        echo "$script: '$*' failed with exit status $status$( ((status == 124)) && echo " (timed out after $limit)"); last lines of $log:" >&2
        tail -n 25 "$log" >&2
        exit 1
    fi
}
