#!/bin/sh
# demo.sh: what `make demo` runs. Placeholder until qt-build lands.
set -eu
cd "$(dirname "$0")/.."
qt-build/qt-build --version
