#!/usr/bin/env bash
# Builds DJL 0.36's PyTorch JNI (libdjl_torch.so) against the libtorch of an installed PyTorch, so
# that npid runs on that install (its CUDA included) with nothing downloaded. DJL's prebuilt JNI is
# tied to one libtorch version (2.7.1 for DJL 0.36); its sources compile unchanged against newer
# ones (checked with torch 2.11.0+cu130 on an NVIDIA H200, 2026-11-30).
#
#   usage: tools/build-jni.sh [PYTHON]
#     PYTHON  the interpreter whose `import torch` to build against (default python3)
#   needs: g++ (C++17), the PyTorch install (its include/ and lib/), a JDK (for jni.h: JAVA_HOME or
#          the javac on PATH), and nvcc's include folder when that torch has CUDA.
#   writes: <torch>/lib/libdjl_torch.so, then prints how to run npid on it.
#
# The JNI sources are DJL's (Apache-2.0), in tools/gpu/djl-native-0.36.0.tar.gz, with the header
# that `javac -h` makes from DJL's PyTorchLibrary.java already generated.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${1:-python3}"
tarball="$here/gpu/djl-native-0.36.0.tar.gz"

torch_dir=$("$python" -c "import torch, os; print(os.path.dirname(torch.__file__))") || {
  echo "build-jni: '$python' cannot import torch; pass the interpreter of your PyTorch install" >&2
  exit 1
}
torch_version=$("$python" -c "import torch; print(torch.__version__.split('+')[0])")
abi=$("$python" -c "import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))")
cuda=$("$python" -c "import torch; print(torch.version.cuda or '')")

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")}"
jni="$java_home/include"
if [ ! -f "$jni/jni.h" ]; then
  echo "build-jni: no jni.h under $jni; set JAVA_HOME to a JDK 17 (a JRE has no include/)" >&2
  exit 1
fi

defines=(); libs=(-ltorch -ltorch_cpu -lc10); includes=()
if [ -n "$cuda" ]; then
  nvcc=$(command -v nvcc || true)
  if [ -z "$nvcc" ]; then
    echo "build-jni: torch $torch_version has CUDA $cuda but nvcc is not on PATH (its include/ is needed)" >&2
    exit 1
  fi
  defines=(-DUSE_CUDA); libs+=(-ltorch_cuda -lc10_cuda)
  includes=(-I"$(dirname "$(dirname "$nvcc")")/include")
fi

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
tar xzf "$tarball" -C "$work"
src="$work/djl-native-0.36.0"
echo "build-jni: compiling DJL's JNI against torch $torch_version (${cuda:+CUDA $cuda, }C++11 ABI $abi) in $torch_dir"
pids=()
for f in "$src"/src/*.cc; do
  g++ -c -O2 -fPIC -std=c++17 -Wno-deprecated-declarations -D_GLIBCXX_USE_CXX11_ABI="$abi" "${defines[@]}" \
    -I"$src/build/include" -I"$src/utils" -I"$jni" -I"$jni/linux" \
    -I"$torch_dir/include" -I"$torch_dir/include/torch/csrc/api/include" "${includes[@]}" \
    "$f" -o "$work/$(basename "$f" .cc).o" &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
if [ "$failed" = 1 ]; then
  echo "build-jni: compiling failed against torch $torch_version (errors above). DJL 0.36's JNI" \
    "sources need libtorch 2.x: they built against 2.11.0 and fail against Debian's 1.13." >&2
  exit 1
fi
g++ -shared -o "$torch_dir/lib/libdjl_torch.so" "$work"/*.o -L"$torch_dir/lib" "${libs[@]}" \
  -Wl,-rpath,"$torch_dir/lib"
flavor=cpu; [ -n "$cuda" ] && flavor="cu$(echo "$cuda" | tr -d .)"
# pip's CUDA wheels keep cuDNN, cuBLAS and friends in site-packages/nvidia/*/lib.
libpath="$torch_dir/lib"
for d in "$torch_dir"/../nvidia/*/lib; do [ -d "$d" ] && libpath="$libpath:$(readlink -f "$d")"; done
echo "build-jni: wrote $torch_dir/lib/libdjl_torch.so. Run npid on it with:"
echo "  export PYTORCH_LIBRARY_PATH=$torch_dir/lib PYTORCH_VERSION=$torch_version PYTORCH_FLAVOR=$flavor"
echo "  export LD_LIBRARY_PATH=$libpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
echo "  bin/npid train --device gpu --data ..."
