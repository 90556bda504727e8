#!/usr/bin/env bash
# The benchmark in one command: installs wrk (Debian) when missing, then runs
# `cargo bench --bench load`, which builds in release mode and prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq wrk
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq wrk
  fi
fi
exec cargo bench --bench load
