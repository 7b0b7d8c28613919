#!/usr/bin/python3
"""Export a trained checkpoint to ONNX with a dynamic batch axis and three outputs:
class_probabilities (N, 6), dense_activations (N, 100; after BN and ReLU) and last_conv_features
(N, 128, 8, 8, 4; the last convolution after BN and ReLU, for feature maps)."""
import argparse

import onnx
import torch

from hamm2019 import INPUT_SHAPE, Hamm2019

INPUT_NAME = "lesion_crop"
OUTPUT_NAMES = ["class_probabilities", "dense_activations", "last_conv_features"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", default="training/out/best.pt")
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()
    model = Hamm2019()
    model.load_state_dict(torch.load(args.checkpoint, map_location="cpu"))
    model.eval()
    example = torch.zeros(2, *INPUT_SHAPE)
    dynamic = {INPUT_NAME: {0: "batch"}}
    dynamic.update({name: {0: "batch"} for name in OUTPUT_NAMES})
    torch.onnx.export(model, example, args.out, input_names=[INPUT_NAME], output_names=OUTPUT_NAMES,
                      dynamic_axes=dynamic, opset_version=args.opset, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(args.out))
    print(f"wrote {args.out} (opset {args.opset})")


if __name__ == "__main__":
    main()
