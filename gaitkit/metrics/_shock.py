"""Running: temporal phases (contact, flight, duty factor, step time) and tibial shock."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.metrics._tables import check_columns, stride_key_frame
from gaitkit.model import Recording, check_recording
from gaitkit.schema import SIDES
from gaitkit.units import G0

__all__ = ["compute_temporal", "compute_tibial_shock", "running_load_summary"]


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def compute_temporal(strides: pd.DataFrame) -> pd.DataFrame:
    """Step time, contact time, flight time and duty factor per stride, from event times.

    Returns the same rows as ``strides`` with ``side, stride_id`` and

    ``step_time_s``
        ``IC − (latest contralateral IC before it)``: the step that *ends* at this stride's IC.
        NaN when no contralateral IC lies within one stride time before (bout starts, one-leg
        tables) or when ``bout_id`` differs.
    ``contact_time_s``
        ``FC − IC`` (ground contact of this leg).
    ``flight_time_s``
        ``max(0, IC_c − FC)`` with ``IC_c`` the first contralateral IC after this stride's IC:
        the airborne time after this leg's toe-off in running; 0 in walking (double support).
    ``duty_factor``
        ``contact_time_s / stride_time_s`` (stride = IC → next IC of the same leg); < 0.5 means
        a flight phase (running), > 0.5 double support (walking).
    ``double_support_time_s``, ``double_support_pct``, ``initial_double_support_time_s``,
    ``terminal_double_support_time_s``
        Passed through from the input (the event detector defines them) for walking strides,
        and NaN for running strides: running has no double-support phase, so what an event
        detector reports there is timing noise around zero, and a left/right ratio of noise
        would read as an asymmetry.

    ``contact_time_s`` and ``duty_factor`` are the running names of ``stance_time_s`` and
    ``stance_pct / 100`` (see :data:`gaitkit.metrics.METRIC_ALIASES`).

    Step and stance follow the gait-cycle vocabulary of Perry (1992, Gait Analysis, SLACK): the
    left step ends with the left initial contact. Duty factor (fraction of the stride a foot is
    on the ground) is the walking/running discriminator of Alexander (1984, Int J Robotics Res
    3(2):49-59). Assumes event times are accurate to the sampling period and that the table
    holds both legs of the same bouts; with one leg only, step and flight times are NaN.
    """
    s = stride_key_frame(strides)
    ic = s["ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    fc = s["fc_time_s"].to_numpy(dtype=float, na_value=np.nan)
    nxt = s["next_ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    stride_t = nxt - ic
    sides = s["side"].to_numpy()
    bout = s["bout_id"].to_numpy() if "bout_id" in s.columns else np.zeros(len(s))
    step = np.full(len(s), np.nan)
    flight = np.full(len(s), np.nan)
    for side in SIDES:
        m = np.flatnonzero(sides == side)
        o = np.flatnonzero((sides == _other(side)) & np.isfinite(ic))
        if m.size == 0 or o.size == 0:
            continue
        o = o[np.argsort(ic[o], kind="stable")]
        oic = ic[o]
        # latest contralateral IC strictly before this IC
        j = np.searchsorted(oic, ic[m], side="left") - 1
        ok = j >= 0
        jj = np.clip(j, 0, None)
        st = ic[m] - oic[jj]
        ok &= (st > 0) & (st < stride_t[m]) & (bout[o[jj]] == bout[m])
        step[m[ok]] = st[ok]
        # first contralateral IC strictly after this IC
        k = np.searchsorted(oic, ic[m], side="right")
        ok2 = k < oic.size
        kk = np.clip(k, 0, oic.size - 1)
        ok2 &= (oic[kk] - ic[m] < stride_t[m]) & (bout[o[kk]] == bout[m])
        fl = np.maximum(0.0, oic[kk] - fc[m])
        flight[m[ok2]] = fl[ok2]
    out: dict[str, np.ndarray] = {"side": sides, "stride_id": s["stride_id"].to_numpy()}
    out["step_time_s"] = step
    out["contact_time_s"] = fc - ic
    out["flight_time_s"] = flight
    with np.errstate(invalid="ignore", divide="ignore"):
        out["duty_factor"] = (fc - ic) / stride_t
    if "activity" in s.columns:
        running = (s["activity"] == "run").to_numpy()
        for col in _DOUBLE_SUPPORT:
            if col in s.columns:
                out[col] = np.where(running, np.nan, s[col].to_numpy(dtype=float, na_value=np.nan))
    return pd.DataFrame(out)


#: Double-support columns an event detector may provide; undefined in running.
_DOUBLE_SUPPORT = (
    "double_support_time_s",
    "double_support_pct",
    "initial_double_support_time_s",
    "terminal_double_support_time_s",
)


def compute_tibial_shock(
    strides: pd.DataFrame,
    recording: Recording,
    *,
    window_s: tuple[float, float] = (-0.03, 0.10),
    axial_axis: Mapping[str, tuple[int, float]] | None = None,
) -> pd.DataFrame:
    """Peak tibial acceleration (tibial shock) around each initial contact, in g.

    Parameters
    ----------
    strides
        Strides table (``side, stride_id, ic_time_s`` ...).
    recording
        Recording with ``shank_left``/``shank_right`` accelerometers (m/s², sensor frame).
    window_s
        Search window relative to IC, seconds; the impact peak follows IC by ~10–40 ms in
        running, and the window tolerates event timing error.
    axial_axis
        ``{side: (axis_index, sign)}``: the sensor axis aligned with the tibia's long axis
        (pointing up) after calibration. When given, the axial peak is also returned.

    Returns
    -------
    pandas.DataFrame
        Same rows as ``strides``: ``side, stride_id`` and

        ``peak_tibial_acc_g``
            ``max ‖a‖ / g0`` in the window, ``‖a‖`` the resultant specific force (gravity
            included, ~1 g at rest), independent of sensor orientation on the shank.
        ``peak_tibial_acc_clipped``
            ``True`` where a shank accelerometer channel sat at its full-scale range (a
            ``clipping`` annotation) inside the window: the peak is then only a lower bound
            and ``peak_tibial_acc_g`` is NaN rather than a number that reads as low shock.
        ``peak_tibial_axial_acc_g``
            ``max (sign · a_axis) / g0`` (peak positive axial acceleration, the measure of
            Milner et al. 2006), when ``axial_axis`` is given.

        Sides without a shank stream get NaN rows (the columns exist because the other side
        has them); the function raises if neither shank stream exists.

    Notes
    -----
    Peak positive axial tibial acceleration was greater in runners with a history of tibial
    stress fracture (Milner et al. 2006, Med Sci Sports Exerc 38:323-328), and runners above
    8 g have been retrained to land softer (Crowell & Davis 2011, Clin Biomech 26:78-83).
    Tibial shock is an *impact* measure: it is not an estimate of tibial bone load, which is
    dominated by muscle forces and correlates poorly with impact metrics (Matijevich et al.
    2019, PLoS One 14:e0210000). The resultant includes gravity and any rotation-induced
    (centripetal) acceleration at the mounting point; values depend on sensor placement and
    fixation, so compare a runner with themself.

    Sampling rate matters: the impact transient lasts tens of milliseconds. On the gaitkit
    simulator's running impacts (35 ms pulse) the sampled peak underestimated the
    continuous-time peak by 11 % on average (up to 31 %) at 100 Hz, 3 % at 200 Hz and 0.5 % at
    500 Hz; in walking (50 ms pulse) by 4 % at 100 Hz. Record running at >= 200 Hz.
    """
    recording = check_recording(recording)
    s = stride_key_frame(strides)
    lo, hi = window_s
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise ConfigError(f"window_s must be (start, end) with end > start, got {window_s!r}")
    present = [side for side in SIDES if f"shank_{side}" in recording.streams]
    if not present:
        raise InputFormatError(
            "tibial shock needs a shank accelerometer; recording has placements "
            + ", ".join(recording.placements),
            column="shank_left/shank_right",
        )
    fs = recording.sampling_rate_hz
    t = recording.time_s
    w = int(np.ceil((hi - lo) * fs)) + 2
    out: dict[str, np.ndarray] = {
        "side": s["side"].to_numpy(),
        "stride_id": s["stride_id"].to_numpy(),
    }
    res = np.full(len(s), np.nan)
    ax = np.full(len(s), np.nan)
    clipped = np.zeros(len(s), dtype=bool)
    sides = s["side"].to_numpy()
    ic = s["ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    for side in present:
        m = np.flatnonzero((sides == side) & np.isfinite(ic))
        if m.size == 0:
            continue
        acc = recording.streams[f"shank_{side}"].acc_mps2
        clipped_at = _clipping_mask(recording, f"shank_{side}")
        i0 = np.searchsorted(t, ic[m] + lo, side="left")
        i1 = np.searchsorted(t, ic[m] + hi, side="right")
        idx = i0[:, None] + np.arange(w)[None, :]
        inside = idx < i1[:, None]
        idx = np.clip(idx, 0, t.size - 1)
        win = acc[idx]  # (strides, window, 3): only the samples around each IC
        mag = np.sqrt(np.einsum("ijk,ijk->ij", win, win)) / G0
        vals = np.where(inside, mag, -np.inf)
        peak = vals.max(axis=1)
        good = inside.any(axis=1)
        hit = (clipped_at[idx] & inside).any(axis=1)
        clipped[m] = hit
        good &= ~hit  # a clipped impact is a lower bound, not a measurement
        res[m[good]] = peak[good]
        if axial_axis is not None and side in axial_axis:
            k, sign = axial_axis[side]
            vals = np.where(inside, sign * win[:, :, int(k)] / G0, -np.inf)
            peak = vals.max(axis=1)
            ax[m[good]] = peak[good]
    out["peak_tibial_acc_g"] = res
    out["peak_tibial_acc_clipped"] = clipped
    if axial_axis is not None:
        out["peak_tibial_axial_acc_g"] = ax
    return pd.DataFrame(out)


def _clipping_mask(recording: Recording, placement: str) -> np.ndarray:
    """Mark the samples where an accelerometer channel of ``placement`` is annotated clipping."""
    t = recording.time_s
    mask = np.zeros(t.size, dtype=bool)
    for a in recording.annotation_rows:
        if (
            a.kind == "clipping"
            and a.placement == placement
            and (a.channel or "acc").startswith("acc")
        ):
            mask[np.searchsorted(t, a.start_s, "left") : np.searchsorted(t, a.end_s, "right")] = (
                True
            )
    return mask


def running_load_summary(
    per_stride: pd.DataFrame,
    *,
    duration_s: float | None = None,
    exponent: float = 4.0,
    column: str = "peak_tibial_acc_g",
) -> pd.DataFrame:
    """Cumulative impact load per leg from per-stride tibial shock peaks.

    One row per side: ``n_impacts``, ``sum_peak_tibial_acc_g`` (Σ aᵢ),
    ``impacts_per_min`` and ``sum_peak_tibial_acc_g_per_min`` (divided by the exposure time,
    ``duration_s`` or, when not given, the span of the side's strides), and
    ``weighted_impact_index_g = (Σ aᵢ^m)^(1/m)`` with ``m = exponent``.

    The weighted index has the form of the daily stress stimulus of Carter et al. (1987,
    J Biomech 20:785-794), ``(Σ nᵢ σᵢ^m)^(1/m)``, which weights few large loads more than many
    small ones (bone fatigue grows steeply with load magnitude). Here aᵢ are tibial
    *accelerations*, not bone stresses (Matijevich et al. 2019): the index is a relative
    impact-exposure figure for comparing sessions of one runner, not a bone-load estimate.
    """
    check_columns(per_stride, ("side", column), "per-stride metrics")
    if exponent <= 0:
        raise ConfigError(f"exponent must be > 0, got {exponent!r}")
    rows = []
    df = per_stride
    if "valid" in df.columns:
        df = df.loc[df["valid"].fillna(False).astype(bool)]
    for side in SIDES:
        sub = df.loc[df["side"] == side]
        a = sub[column].to_numpy(dtype=float, na_value=np.nan)
        a = a[np.isfinite(a)]
        if a.size == 0:
            continue
        if duration_s is not None:
            minutes = duration_s / 60.0
        elif {"ic_time_s", "next_ic_time_s"} <= set(sub.columns):
            minutes = (sub["next_ic_time_s"].max() - sub["ic_time_s"].min()) / 60.0
        else:
            minutes = float("nan")
        rows.append(
            {
                "side": side,
                "n_impacts": int(a.size),
                "sum_peak_tibial_acc_g": float(a.sum()),
                "impacts_per_min": a.size / minutes if minutes > 0 else float("nan"),
                "sum_peak_tibial_acc_g_per_min": a.sum() / minutes if minutes > 0 else float("nan"),
                "weighted_impact_index_g": float(np.sum(a**exponent) ** (1.0 / exponent)),
            }
        )
    return pd.DataFrame(rows)
