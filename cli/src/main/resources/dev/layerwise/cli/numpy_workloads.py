"""The workloads of `layerwise bench`, in plain NumPy, for a side-by-side comparison.

Each workload is the same computation as the Java side: the book's layers (Affine, ReLU, SoftmaxWithLoss) with
backpropagation and SGD, in float32, on the MNIST training images; T1 is the book's own chapter-5 training run as its
script does it (in float64, NumPy's default, with the book's evaluations), and C1 steps of the book's chapter-7
SimpleConvNet with its im2col layers and Adam (float64 too). Run as
    python3 numpy_workloads.py MNIST_DIR WORKLOAD REPEATS
it prints one JSON object with the measurements (seconds per repeat) on standard output. The workload INFO measures
nothing: it prints NumPy's version and which kernel set and build of OpenBLAS NumPy runs with. `layerwise bench` runs
it as
    python3 numpy_workloads.py MNIST_DIR SERVE
and then asks for one repeat at a time, a workload's name per line on standard input, so that its repeats can take
turns with Layerwise's: each answer is one JSON line, {"workload": W, "seconds": S} (with "steps" for C1), or
{"workload": W, "error": MESSAGE}. A workload is set up and warmed up when it is first asked for.
"""
import json
import sys
import time
from collections import OrderedDict

import numpy as np

# C1 times this many steps of the book's SimpleConvNet and scales them to an epoch of 600 (an epoch takes minutes).
CONV_STEPS = 60


def load_images(mnist_dir, kind="train"):
    with open(f"{mnist_dir}/{kind}-images-idx3-ubyte", "rb") as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with open(f"{mnist_dir}/{kind}-labels-idx1-ubyte", "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    x = data.reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    return x, labels


def softmax_with_loss(scores, t):
    """The book's SoftmaxWithLoss forward for labels as class indices: softmax with the row maximum subtracted, then
    the cross-entropy with 1e-7 inside the log, averaged over the batch. Returns (y, loss)."""
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    return y, -np.sum(np.log(y[np.arange(len(t)), t] + 1e-7)) / len(t)


def softmax_with_loss_backward(y, t):
    """Its backward: (y − t) / N, with t as class indices."""
    dout = y.copy()
    dout[np.arange(len(t)), t] -= 1
    return dout / len(t)


def train_steps(net, x, t, batch, steps, rng):
    """Training steps on batches drawn at random with replacement (the book's np.random.choice)."""
    for _ in range(steps):
        idx = rng.choice(x.shape[0], batch)
        net.step(x[idx], t[idx])


# T1: the book's chapter-5 code as its ch05/train_neuralnet.py runs it, operation for operation, written here after
# the book: its softmax and cross_entropy_error (common/functions.py), its Affine, Relu and SoftmaxWithLoss layers
# (common/layers.py), its TwoLayerNet over an OrderedDict of layers (ch05/two_layer_net.py), its MNIST preparation
# (dataset/mnist.py: float32 images divided by 255, one-hot labels built row by row) and its loop. It does what the
# book's script does, no less: the first affine layer computes its dx too, the softmax takes its exponentials twice,
# the loss and the accuracy find the labels in the one-hot rows.

def book_softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def book_cross_entropy_error(y, t):
    if t.size == y.size:  # one-hot labels: their class indices
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class BookRelu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class BookAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class BookSoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = book_softmax(x)
        self.loss = book_cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) / batch_size  # one-hot labels


class BookTwoLayerNet:
    """float64 weights N(0, 0.01²) (NumPy's default precision: the float32 images are promoted in each product)."""

    def __init__(self, rng, weight_init_std=0.01):
        self.params = {"W1": weight_init_std * rng.standard_normal((784, 50)), "b1": np.zeros(50),
                       "W2": weight_init_std * rng.standard_normal((50, 10)), "b2": np.zeros(10)}
        self.layers = OrderedDict()
        self.layers["Affine1"] = BookAffine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = BookRelu()
        self.layers["Affine2"] = BookAffine(self.params["W2"], self.params["b2"])
        self.lastLayer = BookSoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


def book_one_hot(labels):
    """dataset/mnist.py's one-hot labels, a row at a time."""
    T = np.zeros((labels.size, 10))
    for idx, row in enumerate(T):
        row[labels[idx]] = 1
    return T


def book_training_run(x, t, x_test, t_test, rng):
    """The loop of the book's ch05/train_neuralnet.py: 10,000 SGD steps (lr 0.1) on batches of 100 drawn with
    replacement, the loss of each batch recomputed after its update (network.loss, one more forward pass), the
    accuracy on the whole training and test sets every 600 steps (from step 0, as the book)."""
    network = BookTwoLayerNet(rng)
    train_size = x.shape[0]
    iter_per_epoch = max(train_size / 100, 1)
    for i in range(10000):
        batch_mask = rng.choice(train_size, 100)
        x_batch = x[batch_mask]
        t_batch = t[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= 0.1 * grad[key]
        network.loss(x_batch, t_batch)
        if i % iter_per_epoch == 0:
            network.accuracy(x, t)
            network.accuracy(x_test, t_test)


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
        y, loss = softmax_with_loss(x, t)
        dout = softmax_with_loss_backward(y, t)
        dW, db = [None] * len(self.W), [None] * len(self.W)
        for i in reversed(range(len(self.W))):
            dW[i] = acts[i].T @ dout
            db[i] = dout.sum(axis=0)
            if i > 0:
                dout = dout @ self.W[i].T
                dout[masks[i - 1]] = 0
        return loss, dW, db

    def step(self, x, t, lr=0.1):
        """Backpropagation and an SGD update."""
        _, dW, db = self.gradient(x, t)
        for i in range(len(self.W)):
            self.W[i] -= lr * dW[i]
            self.b[i] -= lr * db[i]


def im2col(images, fh, fw, stride=1, pad=0):
    """The book's common/util.py im2col: (N, C, H, W) to rows of (C·fh·fw) values, one row per output position."""
    n, c, h, w = images.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(images, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, fh, fw, oh, ow))
    for y in range(fh):
        for x in range(fw):
            col[:, :, y, x, :, :] = img[:, :, y:y + stride * oh:stride, x:x + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, fh, fw, stride=1, pad=0):
    """The book's col2im: adds the rows of im2col back into images."""
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(fh):
        for x in range(fw):
            img[:, :, y:y + stride * oh:stride, x:x + stride * ow:stride] += col[:, :, y, x, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


class BookSimpleConvNet:
    """The book's ch07/simple_convnet.py with its layers (common/layers.py) and common/optimizer.py's Adam, as
    ch07/train_convnet.py trains it: float64 weights (NumPy's default), labels as class indices."""

    def __init__(self, rng):
        self.params = {"W1": 0.01 * rng.standard_normal((30, 1, 5, 5)), "b1": np.zeros(30),
                       "W2": 0.01 * rng.standard_normal((4320, 100)), "b2": np.zeros(100),
                       "W3": 0.01 * rng.standard_normal((100, 10)), "b3": np.zeros(10)}
        self.m = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.iter = 0

    def gradient(self, x, t):
        p, n = self.params, x.shape[0]
        # Convolution: im2col, one product, back to (N, FN, OH, OW)
        col = im2col(x, 5, 5)
        col_w = p["W1"].reshape(30, -1).T
        h = (col @ col_w + p["b1"]).reshape(n, 24, 24, -1).transpose(0, 3, 1, 2)
        relu1 = h <= 0
        h[relu1] = 0
        # Pooling 2×2, stride 2
        pcol = im2col(h, 2, 2, 2).reshape(-1, 4)
        arg_max = np.argmax(pcol, axis=1)
        h = np.max(pcol, axis=1).reshape(n, 12, 12, 30).transpose(0, 3, 1, 2)
        pooled_shape = h.shape
        flat = h.reshape(n, -1)
        h2 = flat @ p["W2"] + p["b2"]
        relu2 = h2 <= 0
        h2[relu2] = 0
        y, loss = softmax_with_loss(h2 @ p["W3"] + p["b3"], t)
        dout = softmax_with_loss_backward(y, t)
        g = {"W3": h2.T @ dout, "b3": dout.sum(axis=0)}
        dout = dout @ p["W3"].T
        dout[relu2] = 0
        g["W2"], g["b2"] = flat.T @ dout, dout.sum(axis=0)
        dout = (dout @ p["W2"].T).reshape(pooled_shape).transpose(0, 2, 3, 1)
        dmax = np.zeros((dout.size, 4))
        dmax[np.arange(arg_max.size), arg_max.flatten()] = dout.flatten()
        dout = col2im(dmax.reshape(dout.shape + (4,)).reshape(n * 12 * 12, -1), (n, 30, 24, 24), 2, 2, 2)
        dout[relu1] = 0
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, 30)
        g["b1"] = dout.sum(axis=0)
        g["W1"] = (col.T @ dout).transpose(1, 0).reshape(30, 1, 5, 5)
        return loss, g

    def step(self, x, t, lr=0.001, beta1=0.9, beta2=0.999):
        """Backpropagation and the book's Adam update."""
        _, grads = self.gradient(x, t)
        self.iter += 1
        lr_t = lr * np.sqrt(1.0 - beta2 ** self.iter) / (1.0 - beta1 ** self.iter)
        for key, grad in grads.items():
            self.m[key] += (1 - beta1) * (grad - self.m[key])
            self.v[key] += (1 - beta2) * (grad ** 2 - self.v[key])
            self.params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


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


def gemm(shape):
    m, n, k, kind = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if kind == "tn" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if kind == "nt" else (k, n), dtype=np.float32)
    left = a.T if kind == "tn" else a
    right = b.T if kind == "nt" else b
    # Into one reused output, as Layerwise's side does: a list of fresh results would time the allocator too
    # (for 57600×30 it costs ten times the product).
    out = np.empty((m, n), dtype=np.float32)
    reps = max(1, int(2e9 / (m * n * k)))  # as many multiply-adds per repeat as Layerwise's side

    def products():
        for _ in range(reps):
            np.matmul(left, right, out=out)

    return products, reps


# OpenBLAS's functions that name its kernel set (chosen at load time from the processor, unless OPENBLAS_CORETYPE says)
# and its build, under the names the builds NumPy ships with export them: scipy-openblas (NumPy's wheels) prefixes
# its symbols and suffixes its 64-bit-integer build; a system OpenBLAS has the plain names.
OPENBLAS_CORENAME = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
                     "openblas_get_corename")
OPENBLAS_CONFIG = ("scipy_openblas_get_config64_", "scipy_openblas_get_config", "openblas_get_config64_",
                   "openblas_get_config")


def loaded_openblas():
    """Paths of the OpenBLAS libraries this process has loaded (NumPy's, once imported), from the process's memory map
    where the system has one (Linux), else the libraries bundled beside NumPy."""
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6 and "openblas" in fields[-1].lower() and fields[-1] not in paths:
                    paths.append(fields[-1])
    except OSError:
        pass
    if not paths:
        import glob
        import os
        here = os.path.dirname(os.path.dirname(np.__file__))
        for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*", "scipy_openblas*/lib/*openblas*"):
            paths.extend(glob.glob(os.path.join(here, pattern)))
    return paths


def openblas_info():
    """(core name, config) as the OpenBLAS inside NumPy reports them, or None for what it does not say (another BLAS,
    or a build without these functions)."""
    import ctypes

    def ask(lib, names):
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                value = fn()
                return " ".join(value.decode("utf-8", "replace").split()) if value else None
        return None

    for path in loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        corename, config = ask(lib, OPENBLAS_CORENAME), ask(lib, OPENBLAS_CONFIG)
        if corename or config:
            return corename, config
    return None, None


def blas_build():
    """NumPy's own record of the BLAS it was built against (name and version), for when OpenBLAS cannot be asked."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # older NumPy: no dict mode
        return None


class Images:
    """MNIST's training and test images, each read once, when first needed."""

    def __init__(self, mnist_dir):
        self.mnist_dir = mnist_dir
        self.kinds = {}

    def get(self, kind="train"):
        if kind not in self.kinds:
            self.kinds[kind] = load_images(self.mnist_dir, kind)
        return self.kinds[kind]


def prepare(workload, images):
    """(one repeat of workload, whether it is warmed up before it is timed, what the answer says beside the times)."""
    if not workload.startswith("G:") and workload not in ("T1", "C1", "W1", "W2", "W4-1000", "W4-1"):
        raise ValueError(f"unknown workload {workload}")
    rng = np.random.default_rng(1)
    if workload.startswith("G:"):
        m, n, k, kind = workload[2:].split("x")
        products, reps = gemm((int(m), int(n), int(k), kind))
        return products, True, {"calls": reps}
    x, t = images.get()
    if workload == "T1":
        x_test, t_test = images.get("t10k")
        t_train, t_test = book_one_hot(t), book_one_hot(t_test)
        # 10,000 steps warm themselves up.
        return lambda: book_training_run(x, t_train, x_test, t_test, rng), False, {}
    if workload == "C1":
        net = BookSimpleConvNet(rng)
        conv_images = x.reshape(-1, 1, 28, 28)
        return lambda: train_steps(net, conv_images, t, 100, CONV_STEPS, rng), True, {"steps": CONV_STEPS}
    if workload == "W1":
        net = Net([784, 50, 10], rng)
        return lambda: train_steps(net, x, t, 100, 600, rng), True, {}
    if workload == "W2":
        net = Net([784, 1024, 1024, 10], rng)
        return lambda: train_steps(net, x, t, 128, 60000 // 128, rng), True, {}
    if workload == "W4-1000":
        net = Net([784, 50, 10], rng)
        batches = [x[i * 1000:(i + 1) * 1000] for i in range(60)]  # the 60 different batches Layerwise reads
        return lambda: each(net.predict, batches), True, {"images": 60000}
    net = Net([784, 50, 10], rng)  # W4-1
    rows = [x[i:i + 1] for i in range(20000)]
    return lambda: each(net.predict, rows), True, {"images": 20000}


def serve(mnist_dir):
    """Answers one timed repeat per request line until standard input ends; only the latest workload is kept."""
    images = Images(mnist_dir)
    current, run = None, None
    for line in sys.stdin:
        workload = line.strip()
        if not workload:
            continue
        try:
            if workload != current:
                current, run = None, None
                fn, warm_up, extra = prepare(workload, images)
                if warm_up:
                    fn()
                current, run = workload, (fn, extra)
            fn, extra = run
            start = time.perf_counter()
            fn()
            answer = {"workload": workload, "seconds": time.perf_counter() - start, **extra}
        except Exception as e:  # the next request may well work: say what failed and go on
            answer = {"workload": workload, "error": str(e) or "failed without a message"}
        print(json.dumps(answer), flush=True)


def main():
    mnist_dir, workload = sys.argv[1], sys.argv[2]
    if workload == "SERVE":
        serve(mnist_dir)
        return
    repeats = int(sys.argv[3])
    result = {"workload": workload, "numpy": np.__version__}
    if workload == "INFO":
        corename, config = openblas_info()
        result.update(corename=corename, config=config or blas_build())
    else:
        try:
            fn, warm_up, extra = prepare(workload, Images(mnist_dir))
        except ValueError as e:
            raise SystemExit(str(e))
        result.update(seconds=timed(fn, repeats, warm_up=warm_up), **extra)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
