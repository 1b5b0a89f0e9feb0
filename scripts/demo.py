#!/usr/bin/python3
"""The main job: a digit-style CNN trained on Fashion-MNIST, compiled by
soracc, classifying the test set next to PyTorch.

Steps (everything under OUTDIR, default build/demo):
 1. Train examples/models/mnist_cnn.json's architecture in PyTorch on
    Fashion-MNIST (Debian's dataset-fashion-mnist; seeded, two epochs, about
    a minute on 2 cores), and write its weights in the model's layout as
    OUTDIR/fashion_mnist_cnn.safetensors (cached: a second run reuses them).
 2. Compile the model with soracc against those weights (sora.compile).
 3. Classify every test image with the compiled library (sora.Model) and
    with the PyTorch model; print a few images' true and predicted classes,
    both test-set accuracies and how many predictions agree.
Also writes OUTDIR/sample<i>.npy, test images sora-run can take.

Run with PYTHONPATH=build/python (scripts/demo.sh does).
"""

import argparse
import gzip
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "e2e"))
import torch_reference  # noqa: E402  (the safetensors writer)
import sora  # noqa: E402

DATA = Path("/usr/share/datasets/fashion-mnist")
MODEL = ROOT / "examples" / "models" / "mnist_cnn.json"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot"]


def load_idx(name):
    """An idx file of the data set as a uint8 array (images or labels)."""
    with gzip.open(DATA / name) as file:
        data = file.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(name):
    """NHWC float32 images in [0, 1], as mnist_cnn's input takes them."""
    return (load_idx(name).astype(np.float32) / 255.0)[..., None]


class MnistCnn(nn.Module):
    """mnist_cnn.json in PyTorch, on NHWC images like the model: conv 3x3 32
    relu, max-pool 2, flatten (in NHWC order), dense 64 relu, dense 10."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3)
        self.d1 = nn.Linear(13 * 13 * 32, 64)
        self.logits = nn.Linear(64, 10)

    def forward(self, x):
        y = torch.relu(self.c1(x.permute(0, 3, 1, 2)))
        y = nn.functional.max_pool2d(y, 2).permute(0, 2, 3, 1).flatten(1)
        return self.logits(torch.relu(self.d1(y)))

    def soracc_weights(self):
        """The weights in the model format's layouts ([kh, kw, in, out]
        kernels for conv2d, [in, units] for dense)."""
        t = lambda tensor: tensor.detach().numpy().astype(np.float32)  # noqa: E731
        return {"c1.kernel": t(self.c1.weight.permute(2, 3, 1, 0)),
                "c1.bias": t(self.c1.bias),
                "d1.kernel": t(self.d1.weight.t()), "d1.bias": t(self.d1.bias),
                "logits.kernel": t(self.logits.weight.t()),
                "logits.bias": t(self.logits.bias)}


def train(weights_path, epochs, seed):
    torch.manual_seed(seed)
    x = torch.from_numpy(images("train-images-idx3-ubyte.gz"))
    labels = torch.from_numpy(load_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    model = MnistCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        start, total = time.time(), 0.0
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), 128):
            batch = order[i:i + 128]
            loss = nn.functional.cross_entropy(model(x[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"   epoch {epoch + 1}/{epochs}: mean loss {total / len(x):.3f} "
              f"({time.time() - start:.0f} s)", flush=True)
    torch_reference.write_safetensors(weights_path, model.soracc_weights(),
                                      {"trained": "fashion-mnist", "seed": seed,
                                       "epochs": epochs})
    return model


def load(weights_path):
    """The PyTorch model with the cached weights."""
    model = MnistCnn()
    w = {k: torch.from_numpy(v) for k, v in torch_reference.read_safetensors(weights_path).items()}
    with torch.no_grad():
        model.c1.weight.copy_(w["c1.kernel"].permute(3, 2, 0, 1))
        model.c1.bias.copy_(w["c1.bias"])
        for layer in ("d1", "logits"):
            getattr(model, layer).weight.copy_(w[f"{layer}.kernel"].t())
            getattr(model, layer).bias.copy_(w[f"{layer}.bias"])
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", default=str(ROOT / "build" / "demo"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=8, help="images to print")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"demo.py: error: {DATA} is missing (apt install dataset-fashion-mnist)",
              file=sys.stderr)
        return 1
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    weights = out / "fashion_mnist_cnn.safetensors"
    if weights.exists():
        print(f"== PyTorch: the trained weights are cached in {weights}")
        model = load(weights)
    else:
        print(f"== PyTorch: training {MODEL.name}'s network on Fashion-MNIST "
              f"(seed {args.seed}, {args.epochs} epochs)", flush=True)
        model = train(weights, args.epochs, args.seed)

    library = out / "mnist_cnn.so"
    print(f"== soracc {MODEL.relative_to(ROOT)} --weights {weights} -o {library}")
    start = time.time()
    sora.compile(MODEL, library, weights=weights)
    print(f"   compiled in {(time.time() - start) * 1000:.0f} ms")

    test_x = images("t10k-images-idx3-ubyte.gz")
    test_y = load_idx("t10k-labels-idx1-ubyte.gz")
    for i in range(4):
        np.save(out / f"sample{i}.npy", test_x[i:i + 1])
    with torch.no_grad():
        torch_probs = torch.softmax(model(torch.from_numpy(test_x)), 1).numpy()
    ours = np.empty_like(torch_probs)
    with sora.Model(library, threads=1) as compiled:
        start = time.time()
        for i in range(len(test_x)):
            ours[i] = compiled.run(image=test_x[i:i + 1])["probs"][0]
        seconds = time.time() - start
    print(f"== classifying the {len(test_x)} test images with {library.name} "
          f"(import sora; {seconds / len(test_x) * 1e6:.0f} us per image "
          f"from Python)")
    print(f"   {'image':>5}  {'true class':<12} {'soracc':<12} {'p':>5}   {'PyTorch':<12}")
    for i in range(args.show):
        print(f"   {i:>5}  {CLASSES[test_y[i]]:<12} {CLASSES[ours[i].argmax()]:<12} "
              f"{ours[i].max():5.3f}   {CLASSES[torch_probs[i].argmax()]:<12}")
    accuracy = (ours.argmax(1) == test_y).mean() * 100
    torch_accuracy = (torch_probs.argmax(1) == test_y).mean() * 100
    agree = int((ours.argmax(1) == torch_probs.argmax(1)).sum())
    print(f"   test-set accuracy: soracc {accuracy:.2f}%, PyTorch {torch_accuracy:.2f}%; "
          f"same prediction on {agree}/{len(test_x)} images, "
          f"max |p - p_torch| = {np.abs(ours - torch_probs).max():.1e}")
    return 0 if agree == len(test_x) and accuracy >= 85 else 1


if __name__ == "__main__":
    sys.exit(main())
