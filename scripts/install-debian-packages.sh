#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need: Chromium,
# driven by Playwright, nginx, the server the container runs, and wrk, the
# benchmarks' load generator. Safe to run again: when all three are already
# there, apt is not touched at all.
set -euo pipefail

# Fonts: without recommends Chromium may find none and draw text as boxes.
packages=(chromium nginx fonts-dejavu-core wrk)

if [[ -x /usr/bin/chromium && -x /usr/sbin/nginx && -x /usr/bin/wrk ]]; then
    echo "install-debian-packages: chromium, nginx and wrk already installed"
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
