#!/usr/bin/python3
"""PyTorch side of bench/Inference.Onnx: the same weights (the package's weights.pt) on the same inputs, per-lesion
latency and lesions/s at each batch size; the model's FLOPs per lesion (2 x multiply-accumulates of every Conv3d and
Linear, counted with forward hooks); and this CPU's measured peak single-precision matrix-multiply FLOP/s (best of
several 2048x2048 torch.mm). Prints one JSON object."""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--training", required=True, help="the repository's training/ folder (hamm2019.py)")
    parser.add_argument("--weights", required=True)
    parser.add_argument("--inputs", required=True, help="N x 3 x 24 x 24 x 12 float32 .npy")
    parser.add_argument("--batches", default="1,8,32,128")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=4.0, help="time budget per batch size")
    args = parser.parse_args()
    sys.path.insert(0, args.training)
    from hamm2019 import Hamm2019  # noqa: E402

    torch.set_num_threads(args.threads)
    model = Hamm2019()
    model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    model.eval()
    pool = torch.from_numpy(np.load(args.inputs).astype(np.float32))

    macs = []

    def hook(module, inputs, output):
        if isinstance(module, torch.nn.Conv3d):
            k = module.kernel_size[0] * module.kernel_size[1] * module.kernel_size[2] * (module.in_channels // module.groups)
            macs.append(output[0].numel() * k)
        elif isinstance(module, torch.nn.Linear):
            macs.append(module.in_features * module.out_features)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv3d, torch.nn.Linear))]
    with torch.no_grad():
        model(pool[:1])
    for h in handles:
        h.remove()
    flops_per_lesion = 2 * sum(macs)

    results = []
    with torch.inference_mode():
        for batch in [int(b) for b in args.batches.split(",")]:
            x = pool[:batch] if pool.shape[0] >= batch else pool.repeat((batch + pool.shape[0] - 1) // pool.shape[0], 1, 1, 1, 1)[:batch]
            x = x.contiguous()
            model(x)  # warm-up
            times = []
            start = time.perf_counter()
            while len(times) < 3 or (time.perf_counter() - start < args.seconds and len(times) < 200):
                t = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - t)
            best = min(times)
            median = sorted(times)[len(times) // 2]
            results.append({"batch": batch, "runs": len(times), "best_ms": best * 1e3, "median_ms": median * 1e3,
                            "ms_per_lesion": median * 1e3 / batch, "lesions_per_s": batch / median})

    n = 2048
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(8):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    peak = 2 * n ** 3 / best

    # Debian's torch multiplies matrices through whichever libblas.so.3 the alternatives system points to: the
    # reference BLAS (libblas3) runs ~30x under the hardware, which would make the "peak" meaningless.
    with open("/proc/self/maps") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]})

    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "flops_per_lesion": flops_per_lesion,
                      "peak_sgemm_flops": peak, "blas": blas, "results": results}))


if __name__ == "__main__":
    main()
