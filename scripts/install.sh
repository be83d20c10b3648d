#!/usr/bin/env bash
# Installs khabar as a systemd service: the release binary in /usr/local/bin, the units in
# /etc/systemd/system, the default configuration in /etc/khabar (kept if already there).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product khabar
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo install -m 0755 .build/release/khabar /usr/local/bin/khabar
$sudo install -m 0644 systemd/khabar.service "systemd/khabar-backfill@.service" /etc/systemd/system/
$sudo install -d -m 0755 /etc/khabar
[ -e /etc/khabar/khabar.yaml ] || $sudo install -m 0644 config/khabar.yaml /etc/khabar/khabar.yaml
if [ -d /run/systemd/system ]; then
    $sudo systemctl daemon-reload
    echo "installed; start with: systemctl enable --now khabar"
else
    echo "installed (systemd is not running here, so nothing was started)"
fi
