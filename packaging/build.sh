#!/usr/bin/env bash
# Build the PyInstaller one-folder bundle: dist/pictovoz/pictovoz (+ dist/pictovoz/_internal).
# `make package` runs this after installing PyInstaller into .venv. PREFETCH=1 first fills
# assets/pictograms with the default boards' pictograms (needs the ARASAAC API online).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VENV_BIN:-.venv/bin}
start=$(date +%s)

if [ "${PREFETCH:-0}" = 1 ]; then
    for lang in es en; do
        "$bin/pictovoz" prefetch --board "default:$lang" --dest assets/pictograms
    done
fi

"$bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/pictovoz.spec

size=$(du -sh dist/pictovoz | cut -f1)
echo "Bundle dist/pictovoz: $size, built in $(( $(date +%s) - start )) s"
