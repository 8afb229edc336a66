"""Writes ONNX models the way PyTorch exports the book's networks, with onnx.helper (an independent writer).

Usage: python3 pytorch_layout.py OUT_DIR. Prints one line per model: its file name and the output to compare
("logits" or "probabilities"). Weights are in PyTorch's layout: Linear as (out, in) with Gemm transB=1, or (in, out)
for MatMul + Add; batch norm with PyTorch's epsilon 1e-5; dropout as ONNX Dropout nodes (the identity at inference).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(42)
out_dir = sys.argv[1]


def rand(*shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def save(name, nodes, inits, in_shape, out_name, classes, opset=13):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch"] + list(in_shape))],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, ["batch", classes])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="pytorch-layout-test",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))
    print(name + ".onnx", "probabilities" if out_name == "prob" else "logits")


def linear(i, x, out, fan_in, fan_out):
    """nn.Linear as torch.onnx writes it: Gemm with the weight (out, in) and transB=1."""
    return ([helper.make_node("Gemm", [x, "fc%d.weight" % i, "fc%d.bias" % i], [out], name="/fc%d/Gemm" % i,
                              alpha=1.0, beta=1.0, transB=1)],
            [init("fc%d.weight" % i, rand(fan_out, fan_in)), init("fc%d.bias" % i, rand(fan_out))])


# An MLP on MNIST-shaped images: Flatten, Linear, ReLU, Linear.
n1, i1 = linear(1, "flat", "h1", 784, 32)
n2, i2 = linear(2, "r1", "logits", 32, 10)
save("mlp_gemm_transb",
     [helper.make_node("Flatten", ["x"], ["flat"], name="/Flatten", axis=1)] + n1
     + [helper.make_node("Relu", ["h1"], ["r1"], name="/Relu")] + n2,
     i1 + i2, [1, 28, 28], "logits", 10)

# An MLP of MatMul + Add (how torch.onnx writes Linear at some opsets), sigmoid, with the bias as a Constant node.
save("mlp_matmul_add",
     [helper.make_node("MatMul", ["x", "W1"], ["m1"], name="/fc1/MatMul"),
      helper.make_node("Add", ["m1", "b1"], ["a1"], name="/fc1/Add"),
      helper.make_node("Sigmoid", ["a1"], ["s1"], name="/Sigmoid"),
      helper.make_node("Constant", [], ["b2"], name="/Constant", value=numpy_helper.from_array(rand(4))),
      helper.make_node("MatMul", ["s1", "W2"], ["m2"], name="/fc2/MatMul"),
      helper.make_node("Add", ["b2", "m2"], ["logits"], name="/fc2/Add")],
     [init("W1", rand(20, 16)), init("b1", rand(16)), init("W2", rand(16, 4))], [20], "logits", 4)

# Batch norm (epsilon 1e-5, running statistics), ReLU and dropout, ending in Softmax.
n1, i1 = linear(1, "x", "h1", 12, 24)
n2, i2 = linear(2, "d1", "h2", 24, 24)
n3, i3 = linear(3, "d2", "logits", 24, 3)
bn = []
bn_inits = []
for k, (inp, out) in enumerate([("h1", "n1"), ("h2", "n2")], start=1):
    bn.append(helper.make_node("BatchNormalization", [inp, "bn%d.weight" % k, "bn%d.bias" % k,
                                                      "bn%d.running_mean" % k, "bn%d.running_var" % k], [out],
                               name="/bn%d/BatchNormalization" % k, epsilon=1e-5, momentum=0.9))
    bn_inits += [init("bn%d.weight" % k, 1 + rand(24)), init("bn%d.bias" % k, rand(24)),
                 init("bn%d.running_mean" % k, rand(24)),
                 init("bn%d.running_var" % k, (0.2 + rng.random(24)).astype(np.float32))]
save("mlp_batchnorm_dropout",
     n1 + [bn[0], helper.make_node("Relu", ["n1"], ["r1"], name="/Relu"),
           helper.make_node("Dropout", ["r1", "ratio"], ["d1"], name="/Dropout")]
     + n2 + [bn[1], helper.make_node("Relu", ["n2"], ["r2"], name="/Relu_1"),
             helper.make_node("Dropout", ["r2", "ratio"], ["d2"], name="/Dropout_1")]
     + n3 + [helper.make_node("Softmax", ["logits"], ["prob"], name="/Softmax", axis=1)],
     i1 + i2 + i3 + bn_inits + [init("ratio", np.array(0.25, dtype=np.float32))], [12], "prob", 3)

# The book's simple convnet: Conv (padded), ReLU, MaxPool, x.view(N, -1) as Reshape, Linear, ReLU, Linear.
n1, i1 = linear(1, "flat", "h1", 4 * 6 * 6, 16)
n2, i2 = linear(2, "r2", "out", 16, 5)
save("simple_convnet",
     [helper.make_node("Conv", ["x", "conv1.weight", "conv1.bias"], ["c1"], name="/conv1/Conv",
                       kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1),
      helper.make_node("Relu", ["c1"], ["r1"], name="/Relu"),
      helper.make_node("MaxPool", ["r1"], ["p1"], name="/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
                       pads=[0, 0, 0, 0], ceil_mode=0),
      helper.make_node("Reshape", ["p1", "shape"], ["flat"], name="/Reshape")] + n1
     + [helper.make_node("Relu", ["h1"], ["r2"], name="/Relu_1")] + n2
     + [helper.make_node("Identity", ["out"], ["logits"], name="/Identity")],
     [init("conv1.weight", rand(4, 3, 3, 3)), init("conv1.bias", rand(4)),
      init("shape", np.array([0, -1], dtype=np.int64))] + i1 + i2, [3, 12, 12], "logits", 5)

# The book's deep convnet as PyTorch trains it: inverted dropout, so Dropout nodes instead of the book's x 0.5.
nodes = []
inits = []
x = "x"
channels = [1, 4, 4, 8, 8, 8, 8]
pads = [1, 1, 1, 2, 1, 1]
for k in range(6):
    c = "conv%d" % (k + 1)
    nodes += [helper.make_node("Conv", [x, c + ".weight", c + ".bias"], [c], name="/%s/Conv" % c,
                               kernel_shape=[3, 3], pads=[pads[k]] * 4, strides=[1, 1]),
              helper.make_node("Relu", [c], [c + "r"], name="/%s/Relu" % c)]
    inits += [init(c + ".weight", rand(channels[k + 1], channels[k], 3, 3, scale=0.5)),
              init(c + ".bias", rand(channels[k + 1]))]
    x = c + "r"
    if k % 2 == 1:
        nodes.append(helper.make_node("MaxPool", [x], ["pool%d" % k], name="/pool%d" % k, kernel_shape=[2, 2],
                                      strides=[2, 2]))
        x = "pool%d" % k
n1, i1 = linear(1, "flat", "h1", 8 * 2 * 2, 12)
n2, i2 = linear(2, "d1", "h2", 12, 10)
save("deep_convnet",
     nodes + [helper.make_node("Flatten", [x], ["flat"], name="/Flatten", axis=1)] + n1
     + [helper.make_node("Relu", ["h1"], ["r1"], name="/Relu"),
        helper.make_node("Dropout", ["r1"], ["d1"], name="/Dropout")] + n2
     + [helper.make_node("Dropout", ["h2"], ["logits"], name="/Dropout_1")],
     inits + i1 + i2, [1, 16, 16], "logits", 10)
