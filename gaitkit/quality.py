"""Data-quality detectors: gaps, NaN runs, clipping and suspect (amplified) gyroscopes.

Pure functions on arrays and :class:`~gaitkit.model.Recording` objects: they never open files,
print or warn. They return :class:`~gaitkit.model.Annotation` rows (defects are data, see
:mod:`gaitkit.model`) and a per-channel summary table; readers turn those into warnings and the
``gaitkit info`` command prints them.

Every span is half-open in the recording's time base, ``[start_s, end_s)``, where ``end_s`` is
the time of the last affected sample plus one sample period, so ``Recording.slice_time`` with
the same bounds selects exactly the affected samples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaitkit.model import AXES, Annotation, Recording

__all__ = [
    "GYRO_STATIC_LIMIT_RADPS",
    "GYRO_SUSTAINED_LIMIT_RADPS",
    "STATIC_ACTIVITIES",
    "QualityReport",
    "activity_spans",
    "assess_quality",
    "detect_clipping",
    "detect_gaps",
    "detect_nan_runs",
    "detect_suspect_gyro",
    "find_runs",
]

#: Largest plausible *sustained* (window-median) angular speed of a leg segment, rad/s.
#: Shank angular velocity in walking peaks at mid-swing at a few hundred deg/s (Aminian et al.
#: 2002, J Biomech 35:689-699) and its median over a stride is far below the peak. In the
#: HuGaDB sample the largest 5-s median |ω| of any healthy sensor is 6.6 rad/s (foot, running);
#: gyros amplified ~10× give 19-29 rad/s. 10 rad/s (573 deg/s) sits between, with margin.
GYRO_SUSTAINED_LIMIT_RADPS: float = 10.0
#: Activities during which the legs are nearly still (HuGaDB labels and gaitkit's own).
STATIC_ACTIVITIES: frozenset[str] = frozenset(
    {"standing", "sitting", "sitting_in_car", "up_by_elevator", "down_by_elevator"}
)
#: Largest plausible median |ω| of a leg segment over a labelled static span (≥ 2 s), rad/s.
#: Quiet standing is near-static, with small postural sway (Winter 1995, Gait Posture
#: 3:193-214); the healthy standing spans of the HuGaDB sample have median |ω| <= 0.10 rad/s.
#: 1.5 rad/s (86 deg/s) catches a ~10× amplified gyro at rest, which the walking limit cannot.
GYRO_STATIC_LIMIT_RADPS: float = 1.5
#: Fraction of samples at the full-scale rails beyond which a gyroscope is suspect. Human leg
#: segments rarely reach ±2000 deg/s; sitting on the rails for 0.5 % of a recording means the
#: signal is amplified or the range is set too low.
GYRO_RAIL_FRACTION_LIMIT: float = 0.005
#: Runs of clipped samples closer than this (s) are merged into one annotation span.
CLIP_MERGE_S: float = 1.0
#: Without a known full scale, a plateau counts as clipping only this far from zero:
#: accelerometers have ranges of at least ±2 g, so 1.5 g; gyroscopes at least ±125 deg/s, so
#: 2 rad/s (115 deg/s).
PLATEAU_MIN_ACC_MPS2: float = 1.5 * 9.80665
PLATEAU_MIN_GYR_RADPS: float = 2.0


def find_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop indices of runs of ``True`` in a boolean vector.

    Parameters
    ----------
    mask
        1-D boolean array.

    Returns
    -------
    starts, stops
        Integer arrays; run ``k`` covers ``mask[starts[k]:stops[k]]`` (stop exclusive).

    Examples
    --------
    >>> find_runs(np.array([0, 1, 1, 0, 1], dtype=bool))
    (array([1, 4]), array([3, 5]))
    """
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    d = np.diff(np.concatenate(([0], m.view(np.int8), [0])))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _merge_runs(
    starts: np.ndarray, stops: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Merge runs separated by fewer than ``max_gap`` samples."""
    if starts.size <= 1:
        return starts, stops
    keep = np.concatenate(([True], starts[1:] - stops[:-1] >= max_gap))
    new_starts = starts[keep]
    last = np.concatenate((np.flatnonzero(keep)[1:] - 1, [starts.size - 1]))
    return new_starts, stops[last]


def _span(time_s: np.ndarray, start: int, stop: int, period_s: float) -> tuple[float, float]:
    return float(time_s[start]), float(time_s[stop - 1] + period_s)


def detect_gaps(
    time_s: np.ndarray, sampling_rate_hz: float, *, tolerance: float = 1.5
) -> tuple[Annotation, ...]:
    """Find jumps in the time base longer than ``tolerance`` sample periods.

    Parameters
    ----------
    time_s
        Strictly increasing sample times, s.
    sampling_rate_hz
        Nominal sampling rate, Hz.
    tolerance
        A step ``Δt > tolerance / sampling_rate_hz`` is a gap (default 1.5 periods).

    Returns
    -------
    tuple of Annotation
        One ``kind="gap"`` row per gap, spanning from one period after the sample before the
        gap to the sample after it, with the number of missing samples,
        ``round(Δt·fs) - 1``, in ``detail``.
    """
    t = np.asarray(time_s, dtype=float)
    period = 1.0 / float(sampling_rate_hz)
    dt = np.diff(t)
    idx = np.flatnonzero(dt > tolerance * period)
    rows = []
    for i in idx:
        steps = dt[i] * sampling_rate_hz
        missing = round(steps) - 1 if np.isfinite(steps) else -1
        rows.append(
            Annotation(
                "gap",
                float(t[i] + period),
                float(t[i + 1]),
                detail=f"{missing} samples missing ({dt[i]:.6g} s step at {sampling_rate_hz:g} Hz)"
                if missing >= 0
                else f"time jumps by {dt[i]:.6g} s",
            )
        )
    return tuple(rows)


def detect_nan_runs(
    time_s: np.ndarray,
    values: np.ndarray,
    sampling_rate_hz: float,
    *,
    placement: str | None = None,
    channel: str | None = None,
) -> tuple[Annotation, ...]:
    """Annotate runs of not-a-number samples in one channel (never filled or dropped).

    Returns
    -------
    tuple of Annotation
        One ``kind="nan_run"`` row per run of consecutive NaN samples.
    """
    x = np.asarray(values, dtype=float)
    starts, stops = find_runs(np.isnan(x))
    period = 1.0 / float(sampling_rate_hz)
    t = np.asarray(time_s, dtype=float)
    return tuple(
        Annotation(
            "nan_run",
            *_span(t, int(a), int(b), period),
            placement=placement,
            channel=channel,
            detail=f"{int(b - a)} samples NaN",
        )
        for a, b in zip(starts, stops, strict=True)
    )


def _clip_mask(
    x: np.ndarray, full_scale: float | None, plateau_min: float
) -> tuple[np.ndarray, str]:
    """Boolean mask of clipped samples and a description of the criterion."""
    finite = np.isfinite(x)
    if full_scale is not None:
        # Samples within 0.1 % of full scale count as on the rail (int16 rails are asymmetric:
        # -32768 and +32767 counts).
        lim = 0.999 * float(full_scale)
        return finite & (np.abs(x) >= lim), f"|x| at full scale {full_scale:g}"
    if not finite.any():
        return np.zeros(x.shape, dtype=bool), ""
    mask = np.zeros(x.shape, dtype=bool)
    lo = float(np.min(x[finite]))
    hi = float(np.max(x[finite]))
    if hi == lo:
        return mask, ""
    for rail in (lo, hi):
        if abs(rail) < plateau_min:
            continue
        at = x == rail
        n_at = int(np.count_nonzero(at))
        if n_at < 3:
            continue
        starts, stops = find_runs(at)
        if np.max(stops - starts) >= 2:
            mask |= at
    return mask, "plateau at the channel's extreme value"


def detect_clipping(
    time_s: np.ndarray,
    values: np.ndarray,
    sampling_rate_hz: float,
    *,
    full_scale: float | None = None,
    quantity: str = "acc",
    placement: str | None = None,
    channel: str | None = None,
) -> tuple[tuple[Annotation, ...], float]:
    """Annotate samples where a channel sits at its sensor's full-scale range.

    Two criteria:

    - ``full_scale`` known (e.g. HuGaDB, ±2 g and ±2000 deg/s): a sample is clipped when
      ``|x| >= 0.999 · full_scale``.
    - ``full_scale`` unknown: a *plateau*, i.e. the channel's minimum or maximum value occurs in
      at least 3 samples, at least 2 of them consecutive, and lies farther from zero than the
      smallest range a real sensor has (1.5 g for ``quantity="acc"``, 2 rad/s for ``"gyr"``).
      Natural signals reach their extreme once; a saturated one rests on it.

    Runs closer than :data:`CLIP_MERGE_S` are merged into one span.

    Parameters
    ----------
    time_s, values
        Sample times (s) and one channel's values in SI units.
    sampling_rate_hz
        Nominal sampling rate, Hz.
    full_scale
        Sensor range in the channel's unit, if known.
    quantity
        ``"acc"`` (m/s²) or ``"gyr"`` (rad/s): sets the plateau threshold.
    placement, channel
        Written into the annotations.

    Returns
    -------
    annotations, fraction
        ``kind="clipping"`` rows and the fraction of samples clipped (0..1).
    """
    x = np.asarray(values, dtype=float)
    plateau_min = PLATEAU_MIN_ACC_MPS2 if quantity == "acc" else PLATEAU_MIN_GYR_RADPS
    mask, how = _clip_mask(x, full_scale, plateau_min)
    n_clip = int(np.count_nonzero(mask))
    if n_clip == 0:
        return (), 0.0
    t = np.asarray(time_s, dtype=float)
    period = 1.0 / float(sampling_rate_hz)
    starts, stops = find_runs(mask)
    starts, stops = _merge_runs(starts, stops, max(1, round(CLIP_MERGE_S * sampling_rate_hz)))
    csum = np.concatenate(([0], np.cumsum(mask)))
    counts = csum[stops] - csum[starts]
    rows = tuple(
        Annotation(
            "clipping",
            *_span(t, int(a), int(b), period),
            placement=placement,
            channel=channel,
            detail=f"{int(c)} of {int(b - a)} samples clipped ({how})",
        )
        for a, b, c in zip(starts, stops, counts, strict=True)
    )
    return rows, n_clip / x.size


def detect_suspect_gyro(
    time_s: np.ndarray,
    gyr_radps: np.ndarray,
    sampling_rate_hz: float,
    *,
    full_scale_radps: float | None = None,
    placement: str | None = None,
    window_s: float = 5.0,
    activity_spans: Sequence[tuple[str, float, float]] = (),
) -> tuple[tuple[Annotation, ...], dict[str, float]]:
    """Flag a gyroscope whose output looks amplified (e.g. ~10×) or saturated.

    Three independent lines of evidence; any one flags the sensor:

    1. *Implausible sustained angular speed*: the median of ``|ω|`` (the norm of the three
       axes) over any window of ``window_s`` seconds exceeds
       :data:`GYRO_SUSTAINED_LIMIT_RADPS` (10 rad/s). Leg segments swing fast only briefly
       (shank mid-swing peaks of a few hundred deg/s in walking, Aminian et al. 2002,
       J Biomech 35:689-699), so a window *median* above 10 rad/s means the scale is wrong,
       whatever the activity.
    2. *Rails*: with ``full_scale_radps`` known, more than
       :data:`GYRO_RAIL_FRACTION_LIMIT` (0.5 %) of samples have an axis at full scale;
       without it, an axis shows a clipping plateau (see :func:`detect_clipping`) on more
       than 0.5 % of samples.
    3. *Motion during a labelled static activity*: given ``activity_spans``, the median of
       ``|ω|`` over a span of at least 2 s labelled standing, sitting, ... (see
       :data:`STATIC_ACTIVITIES`) exceeds :data:`GYRO_STATIC_LIMIT_RADPS` (1.5 rad/s). Quiet
       standing is near-static with small sway (Winter 1995, Gait Posture 3:193-214); a gyro
       amplified ~10× at rest can stay under the walking limit but not under this one.

    Verified on the HuGaDB sample (Chereshnev & Kertész-Farkas 2017, 58.8 Hz assumed): all
    six gyros of ``walking_04_00`` (listed as corrupted by the authors) are flagged (largest
    5-s window medians 19.4-28.5 rad/s, rail fractions 1.8-30.1 %); no sensor of the seven
    other files is (largest window median 6.6 rad/s, on a foot in running; no rail samples;
    standing-span medians ≤ 0.10 rad/s).

    Parameters
    ----------
    time_s
        Sample times, s.
    gyr_radps
        ``(n, 3)`` angular velocity, rad/s.
    sampling_rate_hz
        Nominal sampling rate, Hz (sets the window length in samples).
    full_scale_radps
        Gyroscope range, if known.
    placement
        Written into the annotation.
    window_s
        Window for the sustained-speed median, s. Recordings shorter than one window use
        the whole recording.
    activity_spans
        ``(activity, start_s, end_s)`` labels, e.g. from a labelled dataset; only static
        activities are used.

    Returns
    -------
    annotations, stats
        A single ``kind="suspect_gyro"`` row spanning the recording when flagged (else
        empty), and ``{"max_window_median_radps": ..., "rail_fraction": ...}``.

    Notes
    -----
    Limits: a genuinely broken gyro that reads too *low*, or amplified by less than about
    2×, is not detected; very fast non-gait motion (e.g. spinning the sensor in the hand)
    over a whole window would be flagged.
    """
    g = np.asarray(gyr_radps, dtype=float)
    t = np.asarray(time_s, dtype=float)
    n = g.shape[0]
    speed = np.linalg.norm(g, axis=1)
    w = max(1, min(n, round(window_s * sampling_rate_hz)))
    nwin = n // w
    if nwin >= 1:
        blocks = speed[: nwin * w].reshape(nwin, w)
        valid = np.isfinite(blocks).sum(axis=1) >= w // 2
        with np.errstate(all="ignore"):
            med = np.full(nwin, np.nan)
            if valid.any():
                med[valid] = np.nanmedian(blocks[valid], axis=1)
        max_med = float(np.nanmax(med)) if np.isfinite(med).any() else float("nan")
    else:  # pragma: no cover - n >= 1 always gives one window
        max_med = float("nan")
    if full_scale_radps is not None:
        on_rail = np.any(np.abs(g) >= 0.999 * full_scale_radps, axis=1)
    else:
        on_rail = np.zeros(n, dtype=bool)
        for k in range(3):
            m, _ = _clip_mask(g[:, k], None, PLATEAU_MIN_GYR_RADPS)
            on_rail |= m
    rail_fraction = float(np.count_nonzero(on_rail)) / max(n, 1)
    static_med = float("nan")
    for activity, a_s, b_s in activity_spans:
        if activity not in STATIC_ACTIVITIES or b_s - a_s < 2.0:
            continue
        m = (t >= a_s) & (t < b_s)
        if np.count_nonzero(np.isfinite(speed[m])) >= 2.0 * sampling_rate_hz:
            v = float(np.nanmedian(speed[m]))
            static_med = v if not np.isfinite(static_med) else max(static_med, v)
    stats = {
        "max_window_median_radps": max_med,
        "rail_fraction": rail_fraction,
        "max_static_median_radps": static_med,
    }
    reasons = []
    if np.isfinite(max_med) and max_med > GYRO_SUSTAINED_LIMIT_RADPS:
        reasons.append(
            f"median |ω| over {w / sampling_rate_hz:.3g} s reaches {max_med:.1f} rad/s "
            f"(> {GYRO_SUSTAINED_LIMIT_RADPS:g} rad/s plausible)"
        )
    if np.isfinite(static_med) and static_med > GYRO_STATIC_LIMIT_RADPS:
        reasons.append(
            f"median |ω| while labelled still reaches {static_med:.2f} rad/s "
            f"(> {GYRO_STATIC_LIMIT_RADPS:g} rad/s plausible at rest)"
        )
    if rail_fraction > GYRO_RAIL_FRACTION_LIMIT:
        reasons.append(f"{100 * rail_fraction:.1f} % of samples at the range limit")
    if not reasons:
        return (), stats
    period = 1.0 / float(sampling_rate_hz)
    row = Annotation(
        "suspect_gyro",
        float(t[0]),
        float(t[-1] + period),
        placement=placement,
        detail="gyroscope looks amplified or saturated: " + "; ".join(reasons),
    )
    return (row,), stats


def activity_spans(recording: Recording) -> tuple[tuple[str, float, float], ...]:
    """Return ``(activity, start_s, end_s)`` of annotations whose detail is ``activity=...``.

    Readers of labelled datasets (HuGaDB) write activity labels this way.
    """
    out = []
    for a in recording.annotation_rows:
        if a.detail.startswith("activity="):
            out.append((a.detail.split("=", 1)[1].split(" ", 1)[0], a.start_s, a.end_s))
    return tuple(out)


def _positive_or_none(v: object) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) and v > 0:
        return float(v)
    return None


@dataclass(frozen=True)
class QualityReport:
    """Outcome of :func:`assess_quality`.

    Attributes
    ----------
    annotations
        Gap, NaN-run, clipping and suspect-gyro rows found.
    channels
        One row per ``(placement, channel)``: ``n_nan``, ``nan_pct``, ``clipped_pct``,
        ``min``, ``max`` (SI units).
    suspect_placements
        Placements whose gyroscope is suspect.
    gyro_stats
        ``{placement: {"max_window_median_radps", "rail_fraction"}}``.
    """

    annotations: tuple[Annotation, ...]
    channels: pd.DataFrame
    suspect_placements: tuple[str, ...]
    gyro_stats: Mapping[str, Mapping[str, float]]


def assess_quality(
    recording: Recording,
    *,
    acc_full_scale_mps2: float | None = None,
    gyr_full_scale_radps: float | None = None,
) -> QualityReport:
    """Run every detector on a recording.

    Parameters
    ----------
    recording
        The recording to check.
    acc_full_scale_mps2, gyr_full_scale_radps
        Sensor ranges when known (file format or device). Default: the recording's
        ``meta.extra["acc_full_scale_mps2"]`` / ``["gyr_full_scale_radps"]`` when present
        (readers of formats with a stated range set them); otherwise clipping is found as
        plateaus (see :func:`detect_clipping`).

    Returns
    -------
    QualityReport
        Annotations (not yet attached to the recording) and a per-channel table.
    """
    extra = recording.meta.extra
    if acc_full_scale_mps2 is None:
        acc_full_scale_mps2 = _positive_or_none(extra.get("acc_full_scale_mps2"))
    if gyr_full_scale_radps is None:
        gyr_full_scale_radps = _positive_or_none(extra.get("gyr_full_scale_radps"))
    t = recording.time_s
    fs = recording.sampling_rate_hz
    rows: list[Annotation] = list(detect_gaps(t, fs))
    spans = activity_spans(recording)
    table = []
    suspect = []
    gstats: dict[str, dict[str, float]] = {}
    for placement, stream in recording.streams.items():
        for q, arr, fsc in (
            ("acc", stream.acc_mps2, acc_full_scale_mps2),
            ("gyr", stream.gyr_radps, gyr_full_scale_radps),
        ):
            for k, ax in enumerate(AXES):
                ch = f"{q}_{ax}"
                x = arr[:, k]
                rows.extend(detect_nan_runs(t, x, fs, placement=placement, channel=ch))
                clip_rows, frac = detect_clipping(
                    t, x, fs, full_scale=fsc, quantity=q, placement=placement, channel=ch
                )
                rows.extend(clip_rows)
                n_nan = int(np.count_nonzero(np.isnan(x)))
                finite = x[np.isfinite(x)]
                table.append(
                    {
                        "placement": placement,
                        "channel": ch,
                        "n_nan": n_nan,
                        "nan_pct": 100.0 * n_nan / x.size,
                        "clipped_pct": 100.0 * frac,
                        "min": float(finite.min()) if finite.size else float("nan"),
                        "max": float(finite.max()) if finite.size else float("nan"),
                    }
                )
        sg_rows, st = detect_suspect_gyro(
            t,
            stream.gyr_radps,
            fs,
            full_scale_radps=gyr_full_scale_radps,
            placement=placement,
            activity_spans=spans,
        )
        gstats[placement] = st
        if sg_rows:
            suspect.append(placement)
            rows.extend(sg_rows)
    return QualityReport(
        annotations=tuple(rows),
        channels=pd.DataFrame(
            table, columns=["placement", "channel", "n_nan", "nan_pct", "clipped_pct", "min", "max"]
        ),
        suspect_placements=tuple(suspect),
        gyro_stats=gstats,
    )
