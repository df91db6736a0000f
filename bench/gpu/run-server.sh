#!/bin/bash
# The whole GPU bench on a GPU server without Node, npm or a browser (the `device` machine), from the repository root
# with bench/gpu/dist carried (node bench/gpu/pack.mjs builds it): the PyTorch peers, then the suite, each under a
# timeout, about 7 minutes in all on an H200. Results under $OUT (default ./gpu-out): results.json (the suite with the
# peers joined and the goals), suite.log, peer-*.json, adapter and driver facts.
#   bash bench/gpu/run-server.sh [full|tiny]          (tiny: checks the path in minutes, on SwiftShader too)
#   here, first: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json FORCE_GPU_VARIANTS=1 bash bench/gpu/run-server.sh tiny
set -u
PRESET=${1:-full}
OUT=${OUT:-$PWD/gpu-out}
DIST=$PWD/bench/gpu/dist
WORK=${TMPDIR:-/tmp}/deltascope-gpu
MODEL=$WORK/gemma2-2b
mkdir -p "$OUT" "$WORK/bin" "$WORK/suite/node_modules/webgpu/dist/linux-x64"
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/run.log"; }

xz -dc "$DIST/node.xz" > "$WORK/bin/node" && chmod +x "$WORK/bin/node"
cp "$DIST/suite.mjs" "$WORK/suite/"
cp "$DIST/node_modules/webgpu/package.json" "$DIST/node_modules/webgpu/index.js" "$WORK/suite/node_modules/webgpu/"
xz -dc "$DIST/node_modules/webgpu/dist/linux-x64/dawn.node.xz" > "$WORK/suite/node_modules/webgpu/dist/linux-x64/dawn.node"
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then dpkg -x "$DIST/libvulkan1.deb" / && ldconfig; fi
NV_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$NV_ICD" ]; then export VK_DRIVER_FILES=$NV_ICD; fi
export VK_LOADER_DEBUG=${VK_LOADER_DEBUG:-error,warn}
log "node $("$WORK/bin/node" --version), preset $PRESET, VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
(nvidia-smi; ldconfig -p | grep -i vulkan) > "$OUT/machine.txt" 2>&1

PEERS=()
if [ "$PRESET" = full ] && python3 -c 'import torch, transformers, peft' 2>/dev/null; then
  log "peer: SAE (PyTorch)"
  PYTHONUNBUFFERED=1 timeout 60 python3 bench/peer/sae.py --out "$OUT/peer-sae.json" > "$OUT/peer-sae.log" 2>&1 && PEERS+=(--peer "$OUT/peer-sae.json")
  log "peer: extraction (transformers + PEFT; writes the checkpoint both use)"
  PYTHONUNBUFFERED=1 timeout 150 python3 bench/peer/extract.py --model "$MODEL" --batch 4 --seq 128 --rounds 2 --out "$OUT/peer-extract.json" > "$OUT/peer-extract.log" 2>&1
  [ -f "$OUT/peer-extract.json" ] && PEERS+=(--peer "$OUT/peer-extract.json")
else
  log "no PyTorch peer (preset $PRESET, or python3 lacks torch/transformers/peft)"
fi

ARGS=(--preset "$PRESET" --fixtures "$DIST/fixtures" --out "$OUT/results.json" "${PEERS[@]}")
[ "$PRESET" = full ] && ARGS+=(--model "$MODEL")
# FORCE_GPU_VARIANTS=1: the kernels a GPU gets, on a CPU adapter too (to check that path before a GPU run)
[ -n "${FORCE_GPU_VARIANTS:-}" ] && ARGS+=(--force-gpu-variants)
log "suite: ${ARGS[*]}"
# 60 + 150 + 270 s keep the full run inside 8 minutes on a GPU; tiny on SwiftShader with the GPU variants forced needs more
if [ "$PRESET" = full ]; then SUITE_TIMEOUT=${SUITE_TIMEOUT:-270}; else SUITE_TIMEOUT=${SUITE_TIMEOUT:-1200}; fi
timeout "$SUITE_TIMEOUT" "$WORK/bin/node" "$WORK/suite/suite.mjs" "${ARGS[@]}" 2>&1 | grep --line-buffered -v XDG_RUNTIME_DIR | tee "$OUT/suite.log"
log "suite exit ${PIPESTATUS[0]}"
