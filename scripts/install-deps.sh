#!/usr/bin/env bash
# Installs the Debian packages Solace builds, tests and benchmarks with.
# Idempotent: when every package is present it returns in well under a second.
set -euo pipefail

packages=(
  build-essential cmake pkg-config gfortran clang-format
  libopenmpi-dev openmpi-bin
  petsc-dev
  libsundials-dev
  liblapacke-dev libopenblas-dev
  libhdf5-openmpi-dev hdf5-tools
  libfftw3-dev
  python3-h5py python3-numpy python3-scipy python3-sklearn
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
