#!/usr/bin/env bash
# Installs the Debian packages PictoVoz needs (Qt offscreen and on a real X desktop, espeak-ng
# voices, a C++ toolchain for llama-cpp-python; aplay plays speech) when any is missing. Runs
# apt-get update once, only if needed. `system-deps.sh test` adds what the tests need (Xvfb).
set -euo pipefail

pkgs=(libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
      espeak-ng libespeak-ng1 alsa-utils build-essential cmake)
# Qt's xcb platform plugin (a real X desktop): `ldd` on PySide6's libQt6XcbQpa.so.6 lists these.
# Without icccm4/keysyms1 Qt aborts at start and its message blames xcb-cursor0.
pkgs+=(libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
       libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
       libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0)
if [ "${1:-}" = "test" ]; then pkgs+=(xvfb x11-utils); fi  # Xvfb; xwininfo reads windows
# Debian's own python3.11 needs python3-venv for `python -m venv`.
python_bin=${PYTHON:-python3.11}
if ! "$python_bin" -c "import ensurepip" >/dev/null 2>&1; then pkgs+=(python3-venv); fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
