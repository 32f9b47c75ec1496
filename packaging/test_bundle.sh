#!/usr/bin/env bash
# Run the bundled app the way a fresh install does: from another folder, with a clean environment
# (no venv, no source tree on the path) and an empty per-user folder, headless. Checks
# `--version`, a model download through the bundled huggingface-hub from a local fake Hub
# (tests/hf_hub_server.py on 127.0.0.1, run by the system python3), `models list`, and
# `--self-test` (model, window, speech). Exits non-zero if any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$(realpath "${1:-dist/pictovoz}")
exe="$bundle/pictovoz"
[ -x "$exe" ] || { echo "No bundle at $bundle: run make package first" >&2; exit 2; }

home=$(mktemp -d -t pictovoz-bundle-XXXXXX)
hub_pid=""
cleanup() {
    [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT
extra_env=()
run() {
    (cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 \
        PICTOVOZ_HOME="$home/pictovoz" QT_QPA_PLATFORM=offscreen "${extra_env[@]}" "$exe" "$@")
}

# Pictograms come from the bundle only: the test must not depend on (or reach) ARASAAC.
mkdir -p "$home/pictovoz/config"
echo '{"version": 1, "pictogram_downloads": false}' > "$home/pictovoz/config/settings.json"

run --version

# A fake Hub serving a tiny GGUF (header only): proves the frozen downloader works offline.
python3 - "$home/hub-url" <<'PY' &
import struct, sys, time
sys.path.insert(0, "tests")
from hf_hub_server import FakeHub

with FakeHub() as hub:
    hub.add("pictovoz/bundle-test", "tiny.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 0) + bytes(4096))
    with open(sys.argv[1] + ".tmp", "w") as fh:
        fh.write(hub.url)
    import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(300)
PY
hub_pid=$!
for _ in $(seq 50); do [ -s "$home/hub-url" ] && break; sleep 0.1; done
extra_env=(HF_ENDPOINT="$(cat "$home/hub-url")" HF_HUB_DISABLE_PROGRESS_BARS=1)
run models download pictovoz/bundle-test tiny.gguf
extra_env=()
kill "$hub_pid" && hub_pid=""
run models list

start=$(date +%s%N)
run --self-test --self-test-out "$home/out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "bundled self-test: ${ms} ms wall, a first run (it assembles the embedded model too)"
