#!/usr/bin/env bash
# Installs the system packages the project needs, when they are missing.
# Safe to run again: it does nothing when everything is already installed.
set -euo pipefail

packages=(libedit-dev libsndfile1-dev libmpg123-dev libasound2-dev pulseaudio libasound2-plugins libsoxr-dev libpng-dev libfftw3-dev sox libsox-fmt-mp3)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
