#!/usr/bin/env bash
# Creates target/pytorch-venv with torch (CPU) and numpy for the PyTorch peer, from the local wheel
# mirrors only (PyPI is not reachable here). Does nothing if the venv already imports torch.
#
#   bench/pytorch/setup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/pytorch-venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import torch' >/dev/null 2>&1; then
  echo "$venv: torch $("$venv/bin/python" -c 'import torch; print(torch.__version__)') already installed"
  exit 0
fi
mkdir -p target
python3 -m venv "$venv"
links=()
for dir in /opt/wheels /opt/pypi/files /opt/pypi-more/files; do
  [ -d "$dir" ] && links+=(--find-links "$dir")
done
# Pinned: the figures in docs/performance.md are for 2.13.0+cpu, and the mirrors also hold a CUDA build of a later
# torch (it needs cuda-toolkit, which they lack), which pip only falls back from after trying to resolve it.
"$venv/bin/pip" install --no-index "${links[@]}" "torch==2.13.0+cpu" numpy
"$venv/bin/python" -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
