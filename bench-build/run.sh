#!/usr/bin/env bash
# Cold debug builds of three small programs that make one chat completion, one after the other,
# on this machine: reqwest + serde_json + tokio alone (the floor), async-openai 0.43 (feature
# `chat-completion`), and friendli with its default features. Each build starts from an empty
# target directory (the registry's sources stay downloaded). The build of friendli with other
# features: `./run.sh friendli:ring`, `friendli:aws` (rustls with aws-lc-rs), `friendli:full`,
# `friendli:h2` (with the `http2` feature).
#
# Each line also gives the user+sys CPU time of the whole build and, from the timings report, the
# durations of the `friendli-gen` and `friendli` units (the serial chain that ends friendli's
# build). Set FRIENDLI_TREE to build the friendli program against another checkout (its path).
# Set DROP_TARGET=1 to delete each target directory after its build. Incremental compilation is
# off, as for a dependency from crates.io (a path dependency would otherwise get it).
#
#   bench-build/run.sh [program[:features] ...]     default: baseline async-openai friendli
set -euo pipefail
cd "$(dirname "$0")"
programs=("$@")
[ ${#programs[@]} -eq 0 ] && programs=(baseline async-openai friendli)
for program in "${programs[@]}"; do
    dir=${program%%:*}
    features=""
    [[ "$program" == *:* ]] && features=${program#*:}
    target=$(mktemp -d /tmp/friendli-build-cost.XXXXXX)
    args=(build -q --timings)
    [ -n "$features" ] && args+=(--no-default-features --features "$features")
    start=$(date +%s.%N)
    source_dir="$dir"
    [ "$dir" = friendli ] && [ -n "${FRIENDLI_TREE:-}" ] && source_dir="$FRIENDLI_TREE/bench-build/friendli"
    (cd "$source_dir" && CARGO_TARGET_DIR="$target" CARGO_INCREMENTAL=0 \
        /usr/bin/time -o "$target/time.txt" -f "%U %S" cargo "${args[@]}")
    end=$(date +%s.%N)
    units=$(python3 - "$target/cargo-timings/cargo-timing.html" <<'PY' || true
import json, re, sys
text = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S).group(1))
chain = {u["name"]: u["duration"] for u in units if u["name"] in ("friendli-gen", "friendli")}
print(" ".join(f"{name} {secs:.1f} s" for name, secs in sorted(chain.items())))
PY
)
    printf '%-14s %-6s %6.1f s   user+sys %6.1f s   %s   (timings: %s/cargo-timings/cargo-timing.html)\n' \
        "$dir" "${features:--}" "$(awk "BEGIN { print $end - $start }")" \
        "$(awk '{ print $1 + $2 }' "$target/time.txt")" "$units" "$target"
    if [ "${DROP_TARGET:-0}" = 1 ]; then rm -rf "$target"; fi
done
