#!/usr/bin/python3
"""Writes a synthetic handwritten-looking "7" as an MNIST-style input.

The digit is drawn as two pen strokes (a slightly tilted top bar and a
curved downstroke) whose width tapers along the stroke, rendered with 4x4
supersampling for anti-aliased edges: a 28x28 image, background 0, ink up
to 1, centred like MNIST. Saved as float32 .npy of shape [1, 28, 28, 1]
(NHWC, for mnist_cnn) or [1, 784] with --flat (for mlp_mnist).

    scripts/make_demo_input.py [-o seven.npy] [--flat] [--show]
"""

import argparse
import sys

import numpy as np

SIZE = 28
SUPERSAMPLE = 4
# Pen strokes as (x, y, radius) points in pixel units, y downwards.
STROKES = [
    [(6.0, 11.6, 1.0), (7.5, 10.4, 1.3), (11.0, 10.0, 1.5), (15.5, 9.9, 1.5), (19.4, 9.6, 1.4)],
    [(19.4, 9.6, 1.4), (18.2, 12.8, 1.6), (16.4, 16.6, 1.6), (14.6, 20.6, 1.5),
     (13.3, 24.4, 1.3)],
]


def stroke_coverage(xs, ys, stroke):
    """1 where a sample point lies under the pen along the stroke, else 0."""
    inside = np.zeros(xs.shape, dtype=bool)
    for (x0, y0, r0), (x1, y1, r1) in zip(stroke, stroke[1:]):
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        distance = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
        inside |= distance <= r0 + t * (r1 - r0)
    return inside


def draw_seven():
    """The 28x28 float32 image of the digit, values in [0, 1]."""
    centres = (np.arange(SIZE * SUPERSAMPLE) + 0.5) / SUPERSAMPLE
    xs, ys = np.meshgrid(centres, centres)
    ink = np.zeros(xs.shape, dtype=bool)
    for stroke in STROKES:
        ink |= stroke_coverage(xs, ys, stroke)
    coverage = ink.reshape(SIZE, SUPERSAMPLE, SIZE, SUPERSAMPLE).mean(axis=(1, 3))
    return coverage.astype(np.float32)


def ascii_art(image):
    """The image as text, darker characters for more ink."""
    shades = " .:-=+*#%@"
    return "\n".join("".join(shades[int(v * (len(shades) - 1) + 0.5)] * 2 for v in row)
                     for row in image)


def main(argv=None):
    """Parses the command line and writes the .npy file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", default="seven.npy", help="file to write (.npy)")
    parser.add_argument("--flat", action="store_true",
                        help="shape [1, 784] instead of [1, 28, 28, 1]")
    parser.add_argument("--show", action="store_true", help="print the digit as ASCII art")
    args = parser.parse_args(argv)
    image = draw_seven()
    np.save(args.output, image.reshape((1, SIZE * SIZE) if args.flat else (1, SIZE, SIZE, 1)))
    if args.show:
        print(ascii_art(image))
    return 0


if __name__ == "__main__":
    sys.exit(main())
