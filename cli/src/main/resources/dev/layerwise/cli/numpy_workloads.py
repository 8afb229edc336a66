"""The workloads of `layerwise bench`, in plain NumPy, for a side-by-side comparison.

Each workload is the same computation as the Java side: the book's layers (Affine, ReLU, SoftmaxWithLoss) with
backpropagation and SGD, in float32, on the MNIST training images; T1 is the book's own chapter-5 training run as its
script does it (in float64, NumPy's default, with the book's evaluations). Run by the CLI as
    python3 numpy_workloads.py MNIST_DIR WORKLOAD REPEATS
it prints one JSON object with the measurements (seconds per repeat) on standard output.
"""
import json
import sys
import time

import numpy as np


def load_images(mnist_dir, kind="train"):
    with open(f"{mnist_dir}/{kind}-images-idx3-ubyte", "rb") as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with open(f"{mnist_dir}/{kind}-labels-idx1-ubyte", "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    x = data.reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    return x, labels


class BookTwoLayerNet:
    """The book's ch05/two_layer_net.py as its train_neuralnet.py uses it: float64 weights N(0, 0.01²) (NumPy's
    default precision, so the float32 images are promoted), one-hot labels, Affine → Relu → Affine → SoftmaxWithLoss."""

    def __init__(self, rng):
        self.params = {"W1": 0.01 * rng.standard_normal((784, 50)), "b1": np.zeros(50),
                       "W2": 0.01 * rng.standard_normal((50, 10)), "b2": np.zeros(10)}

    def predict(self, x):
        p = self.params
        h = x @ p["W1"] + p["b1"]
        self.mask = h <= 0
        h[self.mask] = 0
        self.h = h
        return h @ p["W2"] + p["b2"]

    def accuracy(self, x, t):
        return np.sum(np.argmax(self.predict(x), axis=1) == np.argmax(t, axis=1)) / float(x.shape[0])

    def gradient(self, x, t):
        p = self.params
        a = self.predict(x)
        a = a - a.max(axis=1, keepdims=True)
        y = np.exp(a) / np.sum(np.exp(a), axis=1, keepdims=True)
        n = x.shape[0]
        loss = -np.sum(np.log(y[np.arange(n), t.argmax(axis=1)] + 1e-7)) / n
        dout = (y - t) / n
        grads = {"W2": self.h.T @ dout, "b2": np.sum(dout, axis=0)}
        dout = dout @ p["W2"].T
        dout[self.mask] = 0
        grads["W1"] = x.T @ dout
        grads["b1"] = np.sum(dout, axis=0)
        return loss, grads


def book_training_run(x, t, x_test, t_test, rng):
    """The loop of the book's ch05/train_neuralnet.py: 10,000 SGD steps (lr 0.1) on batches of 100 drawn with
    replacement, the accuracy on the whole training and test sets every 600 steps (from step 0, as the book)."""
    net = BookTwoLayerNet(rng)
    for i in range(10000):
        idx = rng.choice(x.shape[0], 100)
        _, grads = net.gradient(x[idx], t[idx])
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 0.1 * grads[key]
        if i % 600 == 0:
            net.accuracy(x, t)
            net.accuracy(x_test, t_test)


class Net:
    """An MLP of Affine/ReLU layers ending in softmax with cross-entropy, as the book's chapter 5 builds it."""

    def __init__(self, sizes, rng):
        self.W = [np.float32(0.01) * rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes, sizes[1:])]
        self.b = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]

    def predict(self, x):
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            x = x @ W + b
            if i < len(self.W) - 1:
                x = np.maximum(x, 0)
        return x

    def gradient(self, x, t):
        acts, masks = [x], []
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            x = x @ W + b
            if i < len(self.W) - 1:
                mask = x <= 0
                x = x.copy()
                x[mask] = 0
                masks.append(mask)
                acts.append(x)
        y = np.exp(x - x.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
        n = x.shape[0]
        loss = -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n
        dout = y
        dout[np.arange(n), t] -= 1
        dout /= n
        dW, db = [None] * len(self.W), [None] * len(self.W)
        for i in reversed(range(len(self.W))):
            dW[i] = acts[i].T @ dout
            db[i] = dout.sum(axis=0)
            if i > 0:
                dout = dout @ self.W[i].T
                dout[masks[i - 1]] = 0
        return loss, dW, db

    def sgd(self, dW, db, lr):
        for i in range(len(self.W)):
            self.W[i] -= lr * dW[i]
            self.b[i] -= lr * db[i]


def epoch(net, x, t, batch, iterations, rng):
    for _ in range(iterations):
        idx = rng.choice(x.shape[0], batch)
        _, dW, db = net.gradient(x[idx], t[idx])
        net.sgd(dW, db, 0.1)


def timed(fn, repeats, warm_up=True):
    if warm_up:
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def each(fn, inputs):
    """Calls fn on every input, keeping no result alive (Layerwise's side reuses its buffers)."""
    for x in inputs:
        fn(x)


def gemm(shape, repeats):
    m, n, k, kind = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if kind == "tn" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if kind == "nt" else (k, n), dtype=np.float32)
    left = a.T if kind == "tn" else a
    right = b.T if kind == "nt" else b
    # Into one reused output, as Layerwise's side does: a list of fresh results would time the allocator too
    # (for 57600×30 it costs ten times the product).
    out = np.empty((m, n), dtype=np.float32)
    reps = max(1, int(2e8 / (m * n * k)))

    def products():
        for _ in range(reps):
            np.matmul(left, right, out=out)

    return timed(products, repeats), reps


def main():
    mnist_dir, workload, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(1)
    result = {"workload": workload, "numpy": np.__version__}
    if workload.startswith("G:"):
        m, n, k, kind = workload[2:].split("x")
        times, reps = gemm((int(m), int(n), int(k), kind), repeats)
        result.update(seconds=times, calls=reps)
    else:
        x, t = load_images(mnist_dir)
        if workload == "T1":
            x_test, t_test = load_images(mnist_dir, "t10k")
            one_hot = np.eye(10)
            result.update(seconds=timed(lambda: book_training_run(x, one_hot[t], x_test, one_hot[t_test], rng),
                                        repeats, warm_up=False))  # 10,000 steps warm themselves up
        elif workload == "W1":
            net = Net([784, 50, 10], rng)
            result.update(seconds=timed(lambda: epoch(net, x, t, 100, 600, rng), repeats))
        elif workload == "W2":
            net = Net([784, 1024, 1024, 10], rng)
            result.update(seconds=timed(lambda: epoch(net, x, t, 128, 60000 // 128, rng), repeats))
        elif workload == "W4-1000":
            net = Net([784, 50, 10], rng)
            batch = x[:1000]
            result.update(seconds=timed(lambda: each(net.predict, [batch] * 60), repeats), images=60000)
        elif workload == "W4-1":
            net = Net([784, 50, 10], rng)
            rows = [x[i:i + 1] for i in range(20000)]
            result.update(seconds=timed(lambda: each(net.predict, rows), repeats), images=20000)
        else:
            raise SystemExit(f"unknown workload {workload}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
