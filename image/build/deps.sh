#!/usr/bin/env bash
# Host packages for make image / image-pi / image-test / image-pi-test / install-test:
# the lists live in scripts/deps.sh (purposes image and image-pi).
set -euo pipefail
exec bash "$(dirname "$0")/../../scripts/deps.sh" "image${1:+-pi}"
