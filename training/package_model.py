#!/usr/bin/python3
"""Build a LiverFlow model package from a trained checkpoint: model.onnx, weights.pt (the PyTorch state
dict, kept for the ONNX-vs-PyTorch parity test) and model-card.json. Held-out metrics are added afterwards
by `LiverFlow.Phantom evaluate-model` (see training/evaluate), never by hand."""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hamm2019 import CLASSES  # noqa: E402

CLASS_NAMES = ["Hepatocellular carcinoma", "Intrahepatic cholangiocarcinoma", "Colorectal carcinoma metastasis",
               "Simple cyst", "Hemangioma", "Focal nodular hyperplasia"]
NOTICE = "DEMONSTRATION MODEL trained on synthetic phantoms only. Not for clinical use."


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--id", default="liverflow-demo-hamm2019-v1")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--checkpoint", default="training/out/best.pt")
    parser.add_argument("--summary", default="training/out/training-summary.json")
    parser.add_argument("--train-index", default="training/data/train/index.json")
    parser.add_argument("--validation-index", default="training/data/validation/index.json")
    parser.add_argument("--models", default="models")
    args = parser.parse_args()

    out = os.path.join(args.models, args.id)
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "export_onnx.py"), "--checkpoint", args.checkpoint, "--out", onnx_path], check=True)
    shutil.copyfile(args.checkpoint, os.path.join(out, "weights.pt"))
    with open(args.summary) as f:
        summary = json.load(f)
    with open(args.train_index) as f:
        train = json.load(f)
    with open(args.validation_index) as f:
        validation = json.load(f)

    card = {
        "format": "liverflow-model-card/1",
        "id": args.id,
        "version": args.version,
        "name": "LiverFlow demonstration lesion classifier (Hamm et al. 2019 architecture)",
        "notice": NOTICE,
        "demonstration_only": True,
        "intended_use": "Demonstrating and testing the LiverFlow pipeline end to end on synthetic phantom studies. "
                        "It has never seen a real patient's images; its outputs on real MRI mean nothing.",
        "architecture": {
            "reference": "Hamm CA, Wang CJ, et al. Deep learning for liver tumor diagnosis part I. Eur Radiol 2019;29:3338-3347",
            "layers": "per-phase Conv3D(64, 3x3x2, same) x3 -> concat -> ReLU -> Dropout(0.1) -> MaxPool(2,2,2) -> BN -> "
                      "Conv3D(128, 3x3x2, valid) -> BN -> ReLU -> Dropout -> Conv3D(128, 3x3x2, valid) -> BN -> ReLU -> Dropout -> "
                      "MaxPool(2,2,1) -> Flatten -> Dense(100) -> BN -> Dropout -> ReLU -> Dense(6) softmax",
            "parameters": 1562186,
            "framework": f"PyTorch {summary['torch']} (Debian python3-torch), exported to ONNX opset 17",
        },
        "classes": CLASSES,
        "class_names": CLASS_NAMES,
        "input": {
            "name": "lesion_crop", "dtype": "float32", "shape": [-1, 3, 24, 24, 12],
            "layout": "N, channel, X, Y, Z (C order); X and Y in the arterial acquisition plane, Z along its slices",
            "channels": ["Arterial", "PortalVenous", "Delayed"],
            "range": [-1.0, 1.0],
        },
        "outputs": [
            {"name": "class_probabilities", "dtype": "float32", "shape": [-1, 6], "description": "softmax over classes, in 'classes' order"},
            {"name": "dense_activations", "dtype": "float32", "shape": [-1, 100], "description": "the 100-unit dense layer after BatchNorm and ReLU (for interpretation)"},
            {"name": "last_conv_features", "dtype": "float32", "shape": [-1, 128, 8, 8, 4], "description": "last convolution after BatchNorm and ReLU (for feature maps)"},
        ],
        "preprocessing": {
            "id": "liverflow-lesion-crop", "version": "1.0",
            "description": "LiverFlow.Imaging.LesionPreprocessor: 24x24x12 field per lesion, lesion spanning 75% of each axis, "
                           "2x2x2 supersampled trilinear sampling in patient coordinates, each channel min-max scaled to [-1, 1]",
        },
        "file": {"name": "model.onnx", "sha256": sha256(onnx_path)},
        "pytorch_weights": {"name": "weights.pt", "sha256": sha256(os.path.join(out, "weights.pt"))},
        "training": {
            "data": "synthetic multiphasic liver MRI phantoms from LiverFlow.Phantom (export-training), one lesion per phantom study",
            "training_set": {"lesions": train["count"], "seeds": [train["base_seed"], train["base_seed"] + train["count"] - 1]},
            "validation_set": {"lesions": validation["count"], "seeds": [validation["base_seed"], validation["base_seed"] + validation["count"] - 1]},
            "recipe": {k: summary[k] for k in ("optimizer", "learning_rate", "batch", "steps", "samples_seen", "minutes", "threads", "seed")},
            "augmentation": "in-plane rotation (any angle), flips on every axis, scale 0.9-1.1 per axis, shifts (2, 2, 1 voxels), "
                            "per-phase misregistration shifts, per-phase gamma and noise, then min-max back to [-1, 1]",
            "best_validation_accuracy": summary["best_validation_accuracy"],
            "command": "training/README.md",
        },
        "evaluation": None,
    }
    with open(os.path.join(out, "model-card.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"packaged {out}")


if __name__ == "__main__":
    main()
