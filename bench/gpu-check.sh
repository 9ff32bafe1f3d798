#!/usr/bin/env bash
# The GPU device check, in one go, on a machine with a GPU (e.g. a lent H100/H200 with no network):
#   1. makes Dawn find the NVIDIA Vulkan driver (libvulkan from a Debian .deb carried in, if the machine
#      has no loader installed: put libvulkan1_*.deb in $DEB_DIR);
#   2. runs `clbench`'s bench on the WebGPU backend (and WASM for reference) at batch 128, 256 and 1024;
#   3. runs the same MLPs in PyTorch (bench/pytorch_mlp.py) when torch is importable, as the baseline
#      measured in the same call;
#   4. trains one short suite run on WebGPU through the CLI (the record names the adapter).
# Writes everything under ${OUT:-gpu-check-out}. Node: `node` on PATH, or NODE=/path/to/node.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-check-out}
NODE=${NODE:-node}
DEB_DIR=${DEB_DIR:-}
mkdir -p "$OUT"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
if [ -n "$DEB_DIR" ] && ls "$DEB_DIR"/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/vulkan-root
  for deb in "$DEB_DIR"/libvulkan1_*.deb; do dpkg -x "$deb" /tmp/vulkan-root; done
  export LD_LIBRARY_PATH="/tmp/vulkan-root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | tee "$OUT/gpu.txt"

echo "== clbench bench (webgpu, wasm)"
"$NODE" dist/bench/bench.js --backends webgpu,wasm --batches 128,256,1024 --no-protocol --out "$OUT/bench.json" 2>&1 | tee "$OUT/bench.txt"

if python3 -c 'import torch' 2>/dev/null; then
  echo "== PyTorch baseline"
  python3 bench/pytorch_mlp.py --batches 128,256,1024 | tee "$OUT/pytorch.jsonl"
else
  echo "== PyTorch not installed here: no baseline" | tee "$OUT/pytorch.jsonl"
fi

echo "== one suite run on WebGPU"
"$NODE" dist/cli/clbench.js run suites/quick.json --backend webgpu --workers 1 --out "$OUT/quick-webgpu" --quiet 2>&1 | tail -12 | tee "$OUT/quick.txt"
