#!/usr/bin/env bash
# The Debian packages the test suite runs for real, installed when missing:
#   promtool                 (package prometheus)       checks the alert rules and scrape config
#   chromium, chromedriver   (chromium, chromium-driver) drive the office console in a browser test
#   a Chinese font           (fonts-noto-cjk)            so the console's screenshots are readable
#
#   deploy/local/debian-tools.sh        install what is missing (root only), else say what is
set -euo pipefail

declare -A PACKAGE_OF=([promtool]=prometheus [chromium]=chromium [chromedriver]=chromium-driver)

has_chinese_font() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }

missing=()
for tool in promtool chromium chromedriver; do
    command -v "$tool" >/dev/null || missing+=("${PACKAGE_OF[$tool]}")
done
has_chinese_font || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

die() { echo "debian-tools.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; only root can install them: apt-get install ${missing[*]}"
command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get to install them with"
echo "debian-tools.sh: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update >/dev/null || die "apt-get update failed: the package registry is unreachable"
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
fi
for tool in promtool chromium chromedriver; do
    command -v "$tool" >/dev/null || die "$tool is still missing after installing ${missing[*]}"
done
has_chinese_font || die "no Chinese font after installing ${missing[*]}"
