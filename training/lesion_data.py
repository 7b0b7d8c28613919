"""Loading the exported lesion sets (crops.npy + index.json written by `LiverFlow.Phantom export-training`)."""
import json
import os

import numpy as np

from hamm2019 import CLASSES, INPUT_SHAPE


def load_set(directory):
    with open(os.path.join(directory, "index.json")) as f:
        index = json.load(f)
    if index.get("format") != "liverflow-training-index/1":
        raise SystemExit(f"{directory}/index.json is not a LiverFlow training index (format {index.get('format')!r})")
    if index["classes"] != CLASSES:
        raise SystemExit(f"{directory}: class order {index['classes']} differs from the model's {CLASSES}")
    crops = np.load(os.path.join(directory, index["crops"]), mmap_mode="r")
    if tuple(crops.shape[1:]) != INPUT_SHAPE:
        raise SystemExit(f"{directory}: crops have shape {crops.shape[1:]}, the model needs {INPUT_SHAPE}")
    labels = np.array([entry["class_index"] for entry in index["lesions"]], dtype=np.int64)
    return np.ascontiguousarray(crops, dtype=np.float32), labels, index
