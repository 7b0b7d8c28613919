#!/usr/bin/python3
"""Train the Hamm et al. 2019 lesion classifier on an exported lesion set.

Adam, class-balanced batches of 24 (4 lesions of each class), on-the-fly augmentation, cosine learning
rate over a wall-clock budget (the schedule follows elapsed time so a run fits the machine it is on; the
number of steps actually taken is recorded). The checkpoint with the best validation accuracy is kept.
The held-out set is never read here.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from augment import augment
from hamm2019 import CLASSES, Hamm2019
from lesion_data import load_set


def evaluate(model, crops, labels, batch=200):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), batch):
            x = torch.from_numpy(crops[start:start + batch])
            probabilities, _, _ = model(x)
            correct += int((probabilities.argmax(1).numpy() == labels[start:start + batch]).sum())
    model.train()
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", default="training/data/train")
    parser.add_argument("--validation", default="training/data/validation")
    parser.add_argument("--out", default="training/out")
    parser.add_argument("--minutes", type=float, default=35.0, help="wall-clock training budget")
    parser.add_argument("--max-steps", type=int, default=100000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=20190101)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--validate-every", type=int, default=100)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)

    crops, labels, train_index = load_set(args.train)
    val_crops, val_labels, _ = load_set(args.validation)
    by_class = [np.flatnonzero(labels == c) for c in range(len(CLASSES))]
    if any(len(ix) == 0 for ix in by_class):
        raise SystemExit("every class needs training lesions for balanced batches")
    per_class = 24 // len(CLASSES)

    model = Hamm2019()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    budget = args.minutes * 60
    start = time.time()
    best = -1.0
    history = []
    step = 0
    running = 0.0
    while step < args.max_steps:
        elapsed = time.time() - start
        if elapsed > budget:
            break
        lr = 1e-5 + 0.5 * (args.lr - 1e-5) * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        rows = np.concatenate([rng.choice(ix, per_class, replace=False) for ix in by_class])
        x = augment(torch.from_numpy(crops[rows]), generator)
        y = torch.from_numpy(labels[rows])
        loss = F.cross_entropy(model.logits(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % args.validate_every == 0:
            accuracy = evaluate(model, val_crops, val_labels)
            history.append({"step": step, "seconds": round(time.time() - start), "loss": round(running, 4), "lr": lr, "validation_accuracy": accuracy})
            print(json.dumps(history[-1]), flush=True)
            if accuracy > best:
                best = accuracy
                torch.save(model.state_dict(), os.path.join(args.out, "best.pt"))

    accuracy = evaluate(model, val_crops, val_labels)
    history.append({"step": step, "seconds": round(time.time() - start), "loss": round(running, 4), "validation_accuracy": accuracy, "final": True})
    print(json.dumps(history[-1]), flush=True)
    if accuracy >= best:
        best = accuracy
        torch.save(model.state_dict(), os.path.join(args.out, "best.pt"))
    summary = {
        "architecture": "Hamm et al. 2019 (Eur Radiol, part I)",
        "optimizer": "Adam",
        "learning_rate": {"initial": args.lr, "schedule": "cosine over wall-clock budget", "final": 1e-5},
        "batch": {"size": 24, "class_balanced": True},
        "steps": step,
        "samples_seen": step * 24,
        "minutes": round((time.time() - start) / 60, 1),
        "torch": torch.__version__,
        "threads": args.threads,
        "seed": args.seed,
        "training_set": {"count": train_index["count"], "base_seed": train_index["base_seed"]},
        "best_validation_accuracy": best,
        "history": history,
    }
    with open(os.path.join(args.out, "training-summary.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
