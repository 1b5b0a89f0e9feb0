#!/usr/bin/python3
"""Exports PyTorch models with seeded random weights to ONNX.

The models soracc's ONNX importer is tested and benchmarked on:

  mlp            Linear/ReLU/Linear/Softmax        -> Gemm, Relu, Softmax
  cnn            Conv/ReLU/MaxPool x2, Flatten, Linear
  resnet18       torchvision ResNet-18             (3x224x224)
  mobilenet_v2   torchvision MobileNetV2           (3x224x224)
  encoder_layer  a BERT-style encoder layer (MatMul, Softmax, LayerNorm, GELU)
  encoder_layer_base  the same at BERT-base size: width 768, 12 heads,
                 FFN 3072, 128 tokens
  bilstm         a bidirectional LSTM classifier
  upsample       convolutions joined by F.interpolate (nearest x2, bilinear
                 to a size, corner-aligned) and torch.erf: Resize and Erf
  text_classifier
                 nn.Embedding on int64 token ids (a Gather of the table), a
                 bidirectional LSTM, Linear on the final hidden states
  text_classifier_hn  the same reading LSTM's h_n (ONNX LSTM output Y_h)
  text_classifier_base  text_classifier_hn at bilstm_text's size: vocabulary
                 10000, width 128, LSTM 128, 100 tokens
  gru_rnn        a bidirectional GRU (every step) into a ReLU RNN read
                 through h_n, and a tanh RNN beside it: GRU, RNN, Y and Y_h

The reference models of bench/run.sh (see bench/README.md):

  perceptron     Linear 2 -> 1, sigmoid
  mlp_mnist      784-64-64-10 with ReLU and softmax; mlp_mnist_b64 at batch 64
  cnn_mnist      Conv 32 3x3 valid, ReLU, MaxPool 2, Linear 64 ReLU, Linear 10,
                 softmax; cnn_mnist_b64 at batch 64
  bilstm_text    nn.Embedding 10000x128 on 100 token ids, bidirectional LSTM
                 128 read through h_n, Linear 128 ReLU, Linear 1 sigmoid

Weights are drawn from torch.manual_seed(--seed); batch-norm statistics are
randomised too, so that folding them is actually tested. Every model has
one input "x" and one output "y"; x is float32, except the text
classifiers': int64 token ids in [0, vocabulary).

Usage:
    /usr/bin/python3 scripts/export_onnx.py [MODEL ...] [--opset 13]
        [--seed 0] [--out build/onnx-models]

Writes OUT/<model>.onnx (the default OUT is under build/, which git ignores;
so is every *.onnx file). Module use: build(name, seed) -> (module, input).
"""

import argparse
import sys
import warnings
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent


class EncoderLayer(nn.Module):
    """A BERT-base style post-norm encoder layer, batch first."""

    def __init__(self, dim=64, heads=4, ffn=128):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(dim, heads, ffn, dropout=0.0,
                                                activation="gelu", batch_first=True)

    def forward(self, x):
        return self.layer(x)


class BiLstmClassifier(nn.Module):
    """A bidirectional LSTM over [batch, seq, features]; classifies the last step."""

    def __init__(self, features=16, hidden=32, classes=5):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y[:, -1, :])


# Vocabulary, embedding width (also the LSTM's units), tokens, and whether
# the head reads LSTM's h_n (else the same states sliced out of its output).
TEXT_CLASSIFIERS = {"text_classifier": (1000, 32, 20, False),
                    "text_classifier_hn": (1000, 32, 20, True),
                    "text_classifier_base": (10000, 128, 100, True)}


class TextClassifier(nn.Module):
    """Token ids [batch, seq] -> nn.Embedding -> bidirectional LSTM -> Linear on
    the final hidden state of each direction (the forward one at the last
    step, the backward one at the first: LSTM's h_n)."""

    def __init__(self, vocab, dim, hidden, classes=4, read_h_n=False, head=None):
        super().__init__()
        self.hidden = hidden
        self.read_h_n = read_h_n
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        # The classifier head: one Linear, or a given module on 2 * hidden.
        self.fc = head if head is not None else nn.Linear(2 * hidden, classes)

    def forward(self, ids):
        y, (h_n, _) = self.lstm(self.embedding(ids))
        if self.read_h_n:
            return self.fc(torch.cat([h_n[0], h_n[1]], dim=1))
        h = self.hidden
        return self.fc(torch.cat([y[:, -1, :h], y[:, 0, h:]], dim=1))


class GruRnnNet(nn.Module):
    """[batch, seq, features] -> bidirectional GRU -> ReLU RNN (its h_n) and a
    tanh RNN over the input (its last step), joined by a Linear."""

    def __init__(self, features=12, hidden=16, classes=5):
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True, bidirectional=True)
        self.relu_rnn = nn.RNN(2 * hidden, hidden, nonlinearity="relu", batch_first=True)
        self.tanh_rnn = nn.RNN(features, hidden, batch_first=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        y, _ = self.gru(x)
        _, h_n = self.relu_rnn(y)
        z, _ = self.tanh_rnn(x)
        return self.fc(torch.cat([h_n[0], z[:, -1]], dim=1))


class UpsampleNet(nn.Module):
    """A decoder-style stack: Resize in each mode PyTorch exports, and Erf."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        y = F.interpolate(torch.relu(self.c1(x)), scale_factor=2, mode="nearest")
        y = F.interpolate(self.c2(y), size=(21, 13), mode="bilinear", align_corners=False)
        y = F.interpolate(y, size=(9, 30), mode="bilinear", align_corners=True)
        return torch.erf(y)


def _randomize_batch_norms(module, generator):
    """Gives every BatchNorm layer non-trivial statistics and affine terms."""
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.copy_(0.1 * torch.randn(c, generator=generator))
            m.running_var.copy_(0.5 + torch.rand(c, generator=generator))
            m.weight.data.copy_(0.5 + torch.rand(c, generator=generator))
            m.bias.data.copy_(0.1 * torch.randn(c, generator=generator))


def _mlp_mnist():
    return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 10), nn.Softmax(dim=1))


def _cnn_mnist():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(32 * 13 * 13, 64), nn.ReLU(), nn.Linear(64, 10),
                         nn.Softmax(dim=1))


# bench/run.sh's small models: (module factory, input shape).
SMALL_MODELS = {
    "perceptron": (lambda: nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()), (1, 2)),
    "mlp_mnist": (_mlp_mnist, (1, 784)),
    "mlp_mnist_b64": (_mlp_mnist, (64, 784)),
    "cnn_mnist": (_cnn_mnist, (1, 1, 28, 28)),
    "cnn_mnist_b64": (_cnn_mnist, (64, 1, 28, 28)),
}


class KeywordSpotter(nn.Module):
    """A 1-D conv keyword spotter over MFCC frames [batch, 40, 98]: Conv1d
    (+ BatchNorm1d), pools, a dilated strided Conv1d and a ConvTranspose1d,
    the mean over time, then the classifier."""

    def __init__(self, features=40, classes=12):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(features, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(32, 48, 3, stride=2, dilation=2), nn.ReLU(),
            nn.AvgPool1d(3, stride=1, padding=1),
            nn.ConvTranspose1d(48, 24, 4, stride=2, padding=1), nn.ReLU())
        self.bn = nn.BatchNorm1d(24)
        self.fc = nn.Linear(24, classes)

    def forward(self, x):
        return self.fc(self.bn(self.body(x)).mean(dim=2))


def build(name, seed=0):
    """Returns (module in eval mode, example input) for a model name."""
    torch.manual_seed(seed)
    if name in SMALL_MODELS:
        factory, shape = SMALL_MODELS[name]
        module = factory()
    elif name == "mlp":
        module = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 10),
                               nn.Softmax(dim=1))
        shape = (2, 16)
    elif name == "cnn":
        module = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 6 * 6, 10))
        shape = (1, 1, 28, 28)
    elif name in ("resnet18", "mobilenet_v2"):
        import torchvision
        module = getattr(torchvision.models, name)()
        shape = (1, 3, 224, 224)
    elif name == "encoder_layer":
        module = EncoderLayer()
        shape = (1, 8, 64)
    elif name == "encoder_layer_base":
        module = EncoderLayer(dim=768, heads=12, ffn=3072)
        shape = (1, 128, 768)
    elif name == "bilstm":
        module = BiLstmClassifier()
        shape = (1, 10, 16)
    elif name == "gru_rnn":
        module = GruRnnNet()
        shape = (2, 9, 12)
    elif name == "upsample":
        module = UpsampleNet()
        shape = (1, 3, 8, 10)
    elif name == "kws":
        module = KeywordSpotter()
        shape = (2, 40, 98)
    elif name in TEXT_CLASSIFIERS:
        vocab, dim, tokens, read_h_n = TEXT_CLASSIFIERS[name]
        module = TextClassifier(vocab, dim, hidden=dim, read_h_n=read_h_n)
        ids = torch.randint(0, vocab, (1, tokens),
                            generator=torch.Generator().manual_seed(seed))
        return module.eval(), ids
    elif name == "bilstm_text":
        head = nn.Sequential(nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 1), nn.Sigmoid())
        module = TextClassifier(10000, 128, hidden=128, read_h_n=True, head=head)
        ids = torch.randint(0, 10000, (1, 100), generator=torch.Generator().manual_seed(seed))
        return module.eval(), ids
    else:
        raise ValueError(f"unknown model '{name}'; known: {', '.join(MODELS)}")
    with torch.no_grad():
        _randomize_batch_norms(module, torch.Generator().manual_seed(seed + 1))
    return module.eval(), torch.randn(shape, generator=torch.Generator().manual_seed(seed))


MODELS = ["mlp", "cnn", "resnet18", "mobilenet_v2", "encoder_layer", "encoder_layer_base",
          "bilstm", "gru_rnn", "upsample", "kws", *TEXT_CLASSIFIERS, *SMALL_MODELS, "bilstm_text"]


def export(name, path, opset=13, seed=0, dynamic_batch=False, dynamic_sequence=False):
    """Builds model `name` and writes it to `path`; returns the module. With
    `dynamic_batch` the batch dimension of x and y is dynamic ('batch'); with
    `dynamic_sequence` their second, the tokens of a batch-first token model
    ('sequence')."""
    dynamic_axes = {"x": {}, "y": {}}
    for axis, flag, label in ((0, dynamic_batch, "batch"), (1, dynamic_sequence, "sequence")):
        if flag:
            dynamic_axes["x"][axis] = dynamic_axes["y"][axis] = label
    module, example = build(name, seed)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Not under torch.no_grad(): it switches TransformerEncoderLayer to a
    # fused fast path that has no ONNX export.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, str(path), opset_version=opset,
                          input_names=["x"], output_names=["y"],
                          do_constant_folding=True,
                          dynamic_axes=dynamic_axes if dynamic_axes["x"] else None)
    return module


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="*", default=["resnet18", "mobilenet_v2"],
                   help=f"models to export (default resnet18 mobilenet_v2; known: {', '.join(MODELS)})")
    p.add_argument("--opset", type=int, default=13, help="ONNX opset, 13 to 17 (default 13)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights (default 0)")
    p.add_argument("--out", default=str(REPO / "build" / "onnx-models"),
                   help="output directory (default build/onnx-models)")
    args = p.parse_args(argv)
    for name in args.models:
        path = Path(args.out) / f"{name}.onnx"
        export(name, path, args.opset, args.seed)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
