# Sourced by the benchmark scripts: sets $repo and $jar, building bench/target/benchmarks.jar when it is
# missing or older than the sources. $1: the script's name, for messages.
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar="$repo/bench/target/benchmarks.jar"

if [[ ! -f "$jar" || -n "$(find "$repo" \( -name target -o -name .git \) -prune -o \
        \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)" ]]; then
    echo "$1: building the benchmark jar…" >&2
    log="$(mktemp "${TMPDIR:-/tmp}/$1-build.XXXXXX")"
    if ! (cd "$repo" && mvn -B -Dstyle.color=never -Dmaven.test.skip=true -pl bench -am install) > "$log" 2>&1; then
        echo "$1: build failed; last lines of $log:" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
    rm -f "$log"
fi
