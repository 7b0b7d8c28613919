"""The lesion classifier of Hamm et al., Eur Radiol 2019 (part I), as their code built it.

Input: (N, 3, 24, 24, 12) float32 from LiverFlow's shared LesionPreprocessor — channels arterial,
portal venous, delayed; X, Y in the acquisition plane, Z along the slices; each channel in [-1, 1].
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ["hcc", "icc", "crc_metastasis", "cyst", "hemangioma", "fnh"]
INPUT_SHAPE = (3, 24, 24, 12)


class Hamm2019(nn.Module):
    def __init__(self, num_classes=len(CLASSES), dropout=0.1):
        super().__init__()
        # One 64-filter 3x3x2 convolution per phase, so each phase learns its own enhancement detectors.
        self.phase_convs = nn.ModuleList([nn.Conv3d(1, 64, kernel_size=(3, 3, 2)) for _ in range(3)])
        self.drop1 = nn.Dropout(dropout)
        self.pool1 = nn.MaxPool3d((2, 2, 2))
        self.bn1 = nn.BatchNorm3d(192)
        self.conv2 = nn.Conv3d(192, 128, kernel_size=(3, 3, 2))
        self.bn2 = nn.BatchNorm3d(128)
        self.drop2 = nn.Dropout(dropout)
        self.conv3 = nn.Conv3d(128, 128, kernel_size=(3, 3, 2))
        self.bn3 = nn.BatchNorm3d(128)
        self.drop3 = nn.Dropout(dropout)
        self.pool2 = nn.MaxPool3d((2, 2, 1))
        self.dense1 = nn.Linear(128 * 4 * 4 * 4, 100)
        self.bn4 = nn.BatchNorm1d(100)
        self.drop4 = nn.Dropout(dropout)
        self.dense2 = nn.Linear(100, num_classes)

    def forward(self, x):
        """Returns (class probabilities, 100-unit dense activations after BN+ReLU, last conv feature map)."""
        # Keras 'same' for an even kernel pads the extra voxel after: (z: 0 before, 1 after; y, x: 1 and 1).
        x = F.pad(x, (0, 1, 1, 1, 1, 1))
        x = torch.cat([conv(x[:, c:c + 1]) for c, conv in enumerate(self.phase_convs)], dim=1)
        x = self.bn1(self.pool1(self.drop1(F.relu(x))))
        x = self.drop2(F.relu(self.bn2(self.conv2(x))))
        conv_features = F.relu(self.bn3(self.conv3(x)))
        x = self.pool2(self.drop3(conv_features))
        x = torch.flatten(x, 1)
        dense = self.bn4(self.dense1(x))
        # Dropout before ReLU as in the paper; at inference dropout is the identity, so this is ReLU(BN(dense)).
        activations = F.relu(self.drop4(dense))
        logits = self.dense2(activations)
        return torch.softmax(logits, dim=1), activations, conv_features

    def logits(self, x):
        _, activations, _ = self.forward(x)
        return self.dense2(activations)
