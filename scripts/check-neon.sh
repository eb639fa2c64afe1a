#!/usr/bin/env bash
# Verifies the arm64 NEON kernels without an ARM machine: cross-compiles the C test harness
# (native/test/harness.c: every kernel the CPU supports against a naive C reference) for
# aarch64 and runs it under qemu-user, once on a CPU with the dot-product extension (SDOT
# int8 path) and once on a Cortex-A53 (ARMv8.0, no SDOT: the SMULL int8 path).
# Then cross-compiles and links the whole addon (binding included) for aarch64, which shows it
# builds there; it is not loaded (that needs an arm64 Node). Needs Debian's
# gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu and qemu-user packages; not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-aarch64}
for tool in "$CC" "$QEMU"; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install gcc-aarch64-linux-gnu qemu-user)" >&2; exit 2; }
done
mkdir -p build
out=build/native-harness-aarch64
"$CC" -O3 -std=gnu11 -Wall -Wextra -static -o "$out" native/test/harness.c native/src/plan.c native/src/isa_*.c
echo "== $("$CC" --version | head -1)"
for cpu in ${QEMU_CPUS:-max cortex-a53}; do
  echo "== qemu-aarch64 -cpu $cpu"
  "$QEMU" -cpu "$cpu" "$out" | grep -v '^skip .*x86-64 only'
done

CXX=${CXX:-aarch64-linux-gnu-g++}
if command -v "$CXX" >/dev/null; then
  node_include=$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")
  addon_include=$(node -p "require('node-addon-api').include_dir")
  objs=()
  for src in native/src/plan.c native/src/isa_*.c; do
    obj=build/aarch64-$(basename "$src" .c).o
    "$CC" -O3 -std=gnu11 -Wall -fPIC -c "$src" -o "$obj"
    objs+=("$obj")
  done
  "$CXX" -O3 -std=c++17 -Wall -fPIC -DNAPI_DISABLE_CPP_EXCEPTIONS -DNAPI_VERSION=8 -I"$node_include" -I"$addon_include" \
    -c native/src/addon.cc -o build/aarch64-addon.o
  "$CXX" -shared -o build/fatnn_native-aarch64.node "${objs[@]}" build/aarch64-addon.o
  echo "== addon for aarch64: $(file -b build/fatnn_native-aarch64.node | cut -d, -f1-2)"
else
  echo "== $CXX missing: addon cross-build skipped"
fi
