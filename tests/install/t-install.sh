#!/usr/bin/env bash
# Installs the Solace build into a temporary prefix, then builds and runs a small consumer
# against it four ways: CMake find_package with Solace::solace and Solace::solace_static, and
# pkg-config for a shared and a static link. Exits non-zero on the first failure.
# Environment (set by ctest): SOLACE_BUILD (build directory), SOLACE_SOURCE (source directory).
set -u
: "${SOLACE_BUILD:?SOLACE_BUILD must name the Solace build directory}"
: "${SOLACE_SOURCE:?SOLACE_SOURCE must name the Solace source directory}"
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
consumer="$SOLACE_SOURCE/tests/install/consumer"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/solace-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

# fail <what>: prints the failure and stops.
fail() {
  echo "t-install: FAILED: $1" >&2
  exit 1
}

# step <what> <command...>: runs the command with its output in $tmp/log; on failure shows the
# command and its output, and stops.
step() {
  local what=$1
  shift
  echo "t-install: $what"
  if ! "$@" >"$tmp/log" 2>&1; then
    echo "t-install: command: $*" >&2
    sed 's/^/  | /' "$tmp/log" >&2
    fail "$what"
  fi
}

# check_runs <what> <program> [env...]: runs a consumer and checks its "consumer ok" line.
check_runs() {
  local what=$1 program=$2
  shift 2
  step "run $what" env "$@" "$program"
  grep -q '^consumer ok ' "$tmp/log" || fail "$what printed no 'consumer ok' line"
}

# check_loads_from <what> <program> [env...]: checks libsolace.so is loaded from the prefix.
check_loads_from() {
  local what=$1 program=$2 found
  shift 2
  found=$(env "$@" ldd "$program" | awk '/libsolace\.so/ {print $3}')
  [ "$(dirname "$found")" = "$libdir" ] || fail "$what loads libsolace.so from '$found'"
}

# check_needs_shared <what> <program> <yes|no>: checks whether the program loads libsolace.so.
check_needs_shared() {
  local needed
  needed=$(readelf -d "$2" | grep -c 'NEEDED.*libsolace\.so') || true
  if [ "$3" = yes ] && [ "$needed" = 0 ]; then fail "$1 does not load libsolace.so"; fi
  if [ "$3" = no ] && [ "$needed" != 0 ]; then fail "$1 loads libsolace.so (expected static)"; fi
}

# A sanitized Solace needs a sanitized consumer (the runtime must be linked into the program).
sanitize_flags=""
if grep -q '^SOLACE_SANITIZE:BOOL=ON' "$SOLACE_BUILD/CMakeCache.txt" 2>/dev/null; then
  sanitize_flags="-fsanitize=address,undefined"
fi

step "install into $prefix" cmake --install "$SOLACE_BUILD" --prefix "$prefix"

# GNUInstallDirs may choose lib, lib64 or lib/<multiarch>: find where the files went.
pc_file=$(find "$prefix" -name solace.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc_file" ] || fail "no pkgconfig/solace.pc under $prefix"
libdir=$(dirname "$(dirname "$pc_file")")
echo "t-install: library directory ${libdir#"$prefix"/}"
for f in libsolace.so libsolace.a cmake/Solace/SolaceConfig.cmake; do
  [ -e "$libdir/$f" ] || fail "$libdir/$f not installed"
done
[ -e "$prefix/include/solace.h" ] && [ -e "$prefix/include/solace/base.h" ] ||
  fail "headers not installed under $prefix/include"

# (a) CMake: find_package(Solace) and each of the two targets.
for target in solace solace_static; do
  build="$tmp/cmake-$target"
  step "configure consumer with Solace::$target" cmake -S "$consumer" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DSOLACE_TARGET="Solace::$target" \
    -DCMAKE_C_FLAGS="$sanitize_flags" -DCMAKE_EXE_LINKER_FLAGS="$sanitize_flags"
  grep -q "^Solace_DIR:PATH=$prefix/" "$build/CMakeCache.txt" ||
    fail "find_package(Solace) did not find the package in $prefix"
  step "build consumer with Solace::$target" cmake --build "$build"
  check_runs "CMake consumer (Solace::$target)" "$build/consumer"
  [ $target = solace ] && expect=yes || expect=no
  check_needs_shared "CMake consumer (Solace::$target)" "$build/consumer" $expect
  [ $target = solace ] && check_loads_from "CMake consumer" "$build/consumer"
done

# (b) pkg-config, relocated: the .pc file must point into $prefix, not the configured prefix.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pc_libdir=$($PKG_CONFIG --variable=libdir solace) || fail "pkg-config cannot read solace.pc"
[ "$(cd "$pc_libdir" 2>/dev/null && pwd -P)" = "$(cd "$libdir" && pwd -P)" ] ||
  fail "solace.pc gives libdir $pc_libdir, installed in $libdir"

read -r -a flags <<<"$($PKG_CONFIG --cflags --libs solace)" || fail "pkg-config --libs solace"
step "compile with pkg-config (shared)" \
  $CC $sanitize_flags "$consumer/main.c" -o "$tmp/pc-shared" "${flags[@]}"
check_runs "pkg-config consumer (shared)" "$tmp/pc-shared" LD_LIBRARY_PATH="$libdir"
check_needs_shared "pkg-config consumer (shared)" "$tmp/pc-shared" yes
check_loads_from "pkg-config consumer (shared)" "$tmp/pc-shared" LD_LIBRARY_PATH="$libdir"

# A static link: pkg-config --static adds the backends; -l:libsolace.a picks the archive even
# though libsolace.so sits beside it.
read -r -a flags <<<"$($PKG_CONFIG --static --cflags --libs solace)" ||
  fail "pkg-config --static --libs solace"
for i in "${!flags[@]}"; do [ "${flags[$i]}" = -lsolace ] && flags[$i]=-l:libsolace.a; done
step "compile with pkg-config --static" \
  $CC $sanitize_flags "$consumer/main.c" -o "$tmp/pc-static" "${flags[@]}"
check_runs "pkg-config consumer (static)" "$tmp/pc-static"
check_needs_shared "pkg-config consumer (static)" "$tmp/pc-static" no

echo "t-install: passed"
