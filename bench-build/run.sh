#!/usr/bin/env bash
# Cold debug builds of three small programs that make one chat completion, one after the other,
# on this machine: reqwest + serde_json + tokio alone (the floor), async-openai 0.43 (feature
# `chat-completion`), and friendli with its default features. Each build starts from an empty
# target directory (the registry's sources stay downloaded). The build of friendli with other
# features: `./run.sh friendli:ring`, `friendli:aws` (rustls with aws-lc-rs), `friendli:full`,
# `friendli:h2` (with the `http2` feature).
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
    (cd "$dir" && CARGO_TARGET_DIR="$target" cargo "${args[@]}")
    end=$(date +%s.%N)
    printf '%-14s %-6s %6.1f s   (timings: %s/cargo-timings/cargo-timing.html)\n' \
        "$dir" "${features:--}" "$(awk "BEGIN { print $end - $start }")" "$target"
done
