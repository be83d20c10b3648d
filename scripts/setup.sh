#!/usr/bin/env bash
# Installs the system packages khabar builds against (Debian/Ubuntu), only when missing.
# Needs root or sudo for apt-get; does nothing when everything is present.
set -euo pipefail

# postgresql: the tests start a server of their own (initdb, pg_ctl in a temporary directory)
# to hold the shared PostgreSQL state to the same contract as SQLite.
packages=(libxml2-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev pkg-config postgresql)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "khabar setup: installing ${missing[*]}" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "khabar setup: the Swift toolchain (6.1 or later) is not on PATH; install it from swift.org" >&2
    exit 1
fi
