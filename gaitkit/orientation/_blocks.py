"""Block averaging and zero-phase Gaussian smoothing of slowly varying references."""

from __future__ import annotations

import numpy as np

__all__ = ["block_means", "block_times", "smooth_blocks"]


def block_times(time_s: np.ndarray, blk: int) -> tuple[np.ndarray, int]:
    """Mean time of each block of ``blk`` samples (last block partial) and the block count."""
    n = time_s.shape[0]
    nb = -(-n // blk)
    full = (n // blk) * blk
    tb = np.empty(nb)
    tb[: n // blk] = time_s[:full].reshape(-1, blk).mean(axis=1)
    if full < n:
        tb[-1] = time_s[full:].mean()
    return tb, nb


def block_means(x_cm: np.ndarray, blk: int) -> np.ndarray:
    """Means of ``(k, n)`` rows over blocks of ``blk`` samples (last block partial)."""
    k, n = x_cm.shape
    nfull = n // blk
    nb = -(-n // blk)
    out = np.empty((k, nb))
    x3 = x_cm[:, : nfull * blk].reshape(k, nfull, blk)
    acc = x3[:, :, 0].copy()
    for j in range(1, blk):  # blk strided vector adds: faster than a reduction over a short axis
        acc += x3[:, :, j]
    out[:, :nfull] = acc / blk
    if nfull < nb:
        out[:, -1] = x_cm[:, nfull * blk :].mean(axis=1)
    return out


def smooth_blocks(
    xb: np.ndarray, sigma_blocks: float, weights: np.ndarray | None = None
) -> np.ndarray:
    """Zero-phase Gaussian along the last axis, normalised so the window shrinks at the ends.

    With ``weights`` (one per block), ``xb`` must already be multiplied by them and the result
    is ``G * (w x) / G * w`` (normalised convolution, Knutsson & Westin 1993, IEEE CVPR).
    """
    from scipy.ndimage import gaussian_filter1d

    num = gaussian_filter1d(xb, sigma_blocks, axis=-1, mode="constant", cval=0.0, truncate=4.0)
    w = np.ones(xb.shape[-1]) if weights is None else weights
    den = gaussian_filter1d(w, sigma_blocks, mode="constant", cval=0.0, truncate=4.0)
    return num / den
