#!/usr/bin/python3
"""PyTorch reference outputs for the ONNX parity test: reads inputs (.npy, N x 3 x 24 x 24 x 12), runs
the checkpoint in eval mode and writes probabilities.npy, dense.npy and conv.npy next to --out."""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hamm2019 import Hamm2019  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = Hamm2019()
    model.load_state_dict(torch.load(args.checkpoint, map_location="cpu"))
    model.eval()
    x = torch.from_numpy(np.load(args.inputs).astype(np.float32))
    with torch.no_grad():
        probabilities, dense, conv = model(x)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "probabilities.npy"), probabilities.numpy())
    np.save(os.path.join(args.out, "dense.npy"), dense.numpy())
    np.save(os.path.join(args.out, "conv.npy"), conv.numpy())


if __name__ == "__main__":
    main()
