"""On-the-fly augmentation of preprocessed crops (rotation, flips, scale, shifts, misregistration between
phases, intensity jitter), ending with the same per-channel min-max scaling to [-1, 1] as LesionPreprocessor,
so augmented inputs stay inside the distribution the model sees at inference."""
import math

import torch
import torch.nn.functional as F


def augment(batch, generator):
    n = batch.shape[0]
    device = batch.device

    def uniform(lo, hi, *shape):
        return lo + (hi - lo) * torch.rand(*shape, generator=generator, device=device)

    # Affine per sample: rotation about the slice axis, per-axis scale, shift (in voxels: 2, 2, 1 as voi-classifier).
    # grid_sample's coordinates are (z, y, x) for the last three dims (D=X, H=Y, W=Z of our tensor): index 0 is Z.
    angle = uniform(-math.pi, math.pi, n)
    scale = uniform(0.9, 1.1, n, 3)
    shift = torch.stack([uniform(-1, 1, n) * 2 / 12, uniform(-2, 2, n) * 2 / 24, uniform(-2, 2, n) * 2 / 24], dim=1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(n, 3, 4, device=device)
    theta[:, 0, 0] = scale[:, 0]
    theta[:, 1, 1] = cos * scale[:, 1]
    theta[:, 1, 2] = -sin * scale[:, 1]
    theta[:, 2, 1] = sin * scale[:, 2]
    theta[:, 2, 2] = cos * scale[:, 2]
    theta[:, :, 3] = shift
    out = []
    for c in range(3):
        # Each phase gets its own small extra shift: breath-hold misregistration between phases.
        t = theta.clone()
        t[:, :, 3] += torch.stack([uniform(-0.7, 0.7, n) * 2 / 12, uniform(-1, 1, n) * 2 / 24, uniform(-1, 1, n) * 2 / 24], dim=1)
        grid = F.affine_grid(t, (n, 1, 24, 24, 12), align_corners=False)
        out.append(F.grid_sample(batch[:, c:c + 1], grid, mode="bilinear", padding_mode="border", align_corners=False))
    x = torch.cat(out, dim=1)

    flips = torch.rand(n, 3, generator=generator, device=device) < 0.5
    x = torch.where(flips[:, 0].view(n, 1, 1, 1, 1), x.flip(2), x)
    x = torch.where(flips[:, 1].view(n, 1, 1, 1, 1), x.flip(3), x)
    x = torch.where(flips[:, 2].view(n, 1, 1, 1, 1), x.flip(4), x)

    # Intensity jitter: gamma per channel, then noise, then back to [-1, 1] exactly as the preprocessing does.
    x01 = (x + 1) / 2
    gamma = torch.exp(uniform(-0.25, 0.25, n, 3)).view(n, 3, 1, 1, 1)
    x01 = x01.clamp(min=0) ** gamma
    x01 = x01 + torch.randn(x01.shape, generator=generator, device=device) * uniform(0, 0.04, n, 1, 1, 1, 1)
    return rescale(x01)


def rescale(x):
    n = x.shape[0]
    flat = x.reshape(n, 3, -1)
    lo = flat.min(dim=2).values.view(n, 3, 1, 1, 1)
    hi = flat.max(dim=2).values.view(n, 3, 1, 1, 1)
    return (x - lo) / (hi - lo).clamp(min=1e-6) * 2 - 1
