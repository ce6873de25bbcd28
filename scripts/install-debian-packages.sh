#!/usr/bin/env bash
# Installs the Debian packages the browser tests need: Chromium, driven by
# Playwright, and nginx, the server the container runs. Safe to run again:
# when both binaries are already there, apt is not touched at all.
set -euo pipefail

# Fonts: without recommends Chromium may find none and draw text as boxes.
packages=(chromium nginx fonts-dejavu-core)

if [[ -x /usr/bin/chromium && -x /usr/sbin/nginx ]]; then
    echo "install-debian-packages: chromium and nginx already installed"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
else
    sudo=()
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
