"""Random distortions of MNIST batches, vectorised over the batch.

Each image gets its own small rotation, scaling, shear and shift (one affine map,
applied by bilinear sampling), and some images get thicker or thinner strokes. This
teaches the network to tolerate the way people draw with a mouse. No Python loop runs
per image, so a batch costs little beside a training step.
"""
from dataclasses import dataclass

import numpy as np

SIDE = 28
_C = (SIDE - 1) / 2.0  # the centre of the image, in pixel coordinates


@dataclass(frozen=True)
class Augment:
    """Distortion ranges; call the instance as ``augment(x, rng)``.

    Attributes
    ----------
    rotate : float
        Maximum rotation, degrees (uniform in [-rotate, rotate]).
    scale : float
        Scale factor drawn uniformly in [1 - scale, 1 + scale], separately per axis up to
        ``aspect``.
    aspect : float
        Extra independent change of the x and y scales (wider or narrower digits).
    shear : float
        Maximum horizontal shear (slant), as a fraction of height.
    shift : float
        Maximum translation, pixels.
    thicken, thin : float
        Fraction of images whose strokes are thickened or thinned by up to one pixel.
    """
    rotate: float = 12.0
    scale: float = 0.12
    aspect: float = 0.12
    shear: float = 0.3
    shift: float = 2.0
    thicken: float = 0.3
    thin: float = 0.2

    def __call__(self, x, rng):
        """Distort a batch.

        Parameters
        ----------
        x : ndarray of shape (N, 784), values in [0, 1]
        rng : numpy.random.Generator

        Returns
        -------
        ndarray of shape (N, 784), float32, values in [0, 1]; labels are unchanged.
        """
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != SIDE * SIDE:
            raise ValueError(f"x must have shape (N, {SIDE * SIDE}), got {x.shape}")
        imgs = x.reshape(-1, SIDE, SIDE).astype(np.float32, copy=False)
        out = affine_warp(imgs, random_affine(len(x), rng, self))
        out = _stroke_width(out, rng, self.thicken, self.thin)
        return out.reshape(len(x), -1)


def random_affine(n, rng, aug):
    """(n, 2, 3) maps from output to input pixel coordinates, drawn from ``aug``'s ranges."""
    theta = np.deg2rad(rng.uniform(-aug.rotate, aug.rotate, n))
    s = rng.uniform(1 - aug.scale, 1 + aug.scale, n)
    a = rng.uniform(-aug.aspect, aug.aspect, n)
    sx, sy = s * (1 + a), s * (1 - a)
    k = rng.uniform(-aug.shear, aug.shear, n)
    cos, sin = np.cos(theta), np.sin(theta)
    # forward map: rotate @ shear @ scale; A = [[a11, a12], [a21, a22]]
    a11, a12 = cos * sx, (cos * k - sin) * sy
    a21, a22 = sin * sx, (sin * k + cos) * sy
    det = a11 * a22 - a12 * a21
    inv = np.empty((n, 2, 3))
    inv[:, 0, 0], inv[:, 0, 1] = a22 / det, -a12 / det
    inv[:, 1, 0], inv[:, 1, 1] = -a21 / det, a11 / det
    shift = rng.uniform(-aug.shift, aug.shift, (n, 2))
    # out = A (in - c) + c + shift  =>  in = A^-1 (out - c - shift) + c
    inv[:, :, 2] = _C - np.einsum("nij,nj->ni", inv[:, :, :2], _C + shift)
    return inv


def affine_warp(imgs, inv):
    """Resample each image at ``inv @ [x, y, 1]`` by bilinear interpolation; outside is 0.

    Parameters
    ----------
    imgs : ndarray of shape (N, H, W)
    inv : ndarray of shape (N, 2, 3)
        Maps output pixel (x, y) to the input position to sample.
    """
    n, h, w = imgs.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    inv = inv.astype(np.float32)
    src_x = inv[:, 0, 0, None, None] * xx + inv[:, 0, 1, None, None] * yy + inv[:, 0, 2, None, None]
    src_y = inv[:, 1, 0, None, None] * xx + inv[:, 1, 1, None, None] * yy + inv[:, 1, 2, None, None]
    # Zero padding: one pixel before, two after. Clipping the sample points to [-1, w]
    # then keeps every neighbour inside the padded array, and any point outside the
    # image reads zeros only.
    np.clip(src_x, -1, w, out=src_x)
    np.clip(src_y, -1, h, out=src_y)
    W2 = w + 3
    padded = np.zeros((n, h + 3, W2), dtype=np.float32)
    padded[:, 1:h + 1, 1:w + 1] = imgs
    flat = padded.reshape(-1)
    x0, y0 = np.floor(src_x), np.floor(src_y)
    fx, fy = src_x - x0, src_y - y0
    idx = (y0.astype(np.int32) + 1) * W2 + (x0.astype(np.int32) + 1)
    idx += (np.arange(n, dtype=np.int32) * ((h + 3) * W2))[:, None, None]
    a, b = np.take(flat, idx), np.take(flat, idx + 1)
    top = a + fx * (b - a)
    idx += W2
    a, b = np.take(flat, idx), np.take(flat, idx + 1)
    bottom = a + fx * (b - a)
    top += fy * (bottom - top)
    return np.clip(top, 0.0, 1.0, out=top)


def _stroke_width(imgs, rng, thicken, thin):
    """Thicken (grey dilation) or thin (grey erosion) random images by a random amount."""
    n = len(imgs)
    u = rng.random(n)
    amount = rng.uniform(0.3, 1.0, n).astype(np.float32)[:, None, None]
    grow, shrink = u < thicken, (u >= thicken) & (u < thicken + thin)
    if grow.any() or shrink.any():
        p = np.pad(imgs, ((0, 0), (1, 1), (1, 1)))
        c, up, down, left, right = (p[:, 1:-1, 1:-1], p[:, :-2, 1:-1], p[:, 2:, 1:-1],
                                    p[:, 1:-1, :-2], p[:, 1:-1, 2:])
        if grow.any():
            dil = np.maximum.reduce([c[grow], up[grow], down[grow], left[grow], right[grow]])
            imgs[grow] += amount[grow] * (dil - imgs[grow])
        if shrink.any():
            ero = np.minimum.reduce([c[shrink], up[shrink], down[shrink], left[shrink], right[shrink]])
            imgs[shrink] += amount[shrink] * (ero - imgs[shrink])
    return imgs
