"""Public event detection: mid-swing, initial and final contact per leg."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.events._bouts import (
    assign_bouts,
    bouts_from_prepared,
    prepare,
    suspect_mask,
)
from gaitkit.events._running import purcell_events
from gaitkit.events._shank_gyro import (
    MAX_STRIDE_S,
    MIN_STRIDE_S,
    RUN_TIMING_CUTOFF_HZ,
    contact_events,
    retime_peaks,
)
from gaitkit.events._signal import annotation_mask, segment_lowpass
from gaitkit.model import Recording, check_recording
from gaitkit.schema import BOUT_COLUMNS, EVENT_COLUMNS

#: Event table columns: the shared schema plus provenance and quality.
EVENT_TABLE_COLUMNS: tuple[str, ...] = (
    *EVENT_COLUMNS,
    "bout_id",
    "segment_id",
    "placement",
    "activity",
    "confidence",
    "quality_flags",
)

#: Mid-swing peaks faster than this (rad/s) are not physiological for the activity: walking
#: shank peaks are ≈ 3-7 rad/s (Aminian et al. 2002), running ≈ 8-20 rad/s. A faster peak means
#: an amplified/mis-scaled gyroscope (e.g. several HuGaDB files).
MAX_PLAUSIBLE_MS_RADPS = {"walk": 12.0, "run": 30.0}

#: Systematic offsets (s) added to the raw feature times, per activity (see
#: :func:`detect_gait_events`, "Known offsets": IC from Aminian et al. 2002's 10 ms gyroscope
#: delay; FC from the physics of push-off, size set at the simulator model's centre).
EVENT_OFFSETS_S: dict[str, dict[str, float]] = {
    "walk": {"ic": -0.010, "fc": +0.020},
    "run": {"ic": 0.0, "fc": 0.0},
}


_FLAG_NAMES = ("suspect_gyro", "gyro_clipped", "implausible_gyro", "bridged_gap")


@dataclass(frozen=True)
class EventDetection:
    """Result of :func:`detect_gait_events`.

    Attributes
    ----------
    events
        One row per event, columns :data:`EVENT_TABLE_COLUMNS`, sorted by time.
    axes
        Sagittal axis chosen per sensor (see :func:`estimate_sagittal_axes`).
    bouts
        The bouts used (detected or given).
    """

    events: pd.DataFrame
    axes: pd.DataFrame
    bouts: pd.DataFrame


def _check_bouts(bouts: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(bouts, pd.DataFrame):
        raise InputFormatError(f"bouts must be a DataFrame, got {type(bouts).__name__}")
    for c in BOUT_COLUMNS:
        if c not in bouts.columns:
            raise InputFormatError(
                f"bouts need columns {list(BOUT_COLUMNS)}, missing {c!r}", column=c
            )
    bad = ~bouts["activity"].isin(["walk", "run"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFormatError(
            f"bouts row {i}: activity must be 'walk' or 'run', got {bouts['activity'].iloc[i]!r}",
            column="activity",
        )
    st = bouts["start_s"].to_numpy(float)
    en = bouts["end_s"].to_numpy(float)
    if np.any(~(en > st)):
        i = int(np.flatnonzero(~(en > st))[0])
        raise InputFormatError(
            f"bouts row {i}: end_s must exceed start_s, got {st[i]!r}..{en[i]!r}", column="end_s"
        )
    return bouts.reset_index(drop=True)


def detect_gait_events(
    recording: Recording,
    bouts: pd.DataFrame | None = None,
    *,
    min_mid_swings: int = 3,
    running_method: Literal["purcell", "gyro"] = "gyro",
) -> EventDetection:
    """Detect mid-swing (MS), initial contact (IC) and final contact (FC) on each leg.

    Method
    ------
    From each shank's sagittal angular velocity (axis and sign found from the data, positive =
    ankle moving forward):

    - **MS**: the swing peak (see :func:`detect_bouts`), timed on the 12 Hz low-passed signal
      with parabolic interpolation; on a saturated gyroscope the centre of the plateau.
    - **IC**: first local minimum after MS below 20 % of the MS height, within half a stride
      (Aminian et al. 2002, J Biomech 35:689-699; Salarian et al. 2004, IEEE Trans Biomed Eng
      51:1434-1443; adaptive windows after Greene et al. 2010, Med Biol Eng Comput 48:1251-1260).
    - **FC** (toe-off): deepest minimum in the half stride before MS (same sources).

    The search windows scale with each stride's local period (from neighbouring mid-swings),
    and the filters are designed for the recording's sampling rate (50-1000 Hz). Events are
    searched only inside bouts and never across a gap or NaN run (each gap-free segment is
    filtered and searched separately).

    Known offsets
    -------------
    The gyroscope features are not the contact events themselves.

    - IC: the minimum is the shank's fastest backward rotation just *after* heel strike (the
      foot is arrested, the knee travels on). Aminian et al. (2002) found a systematic delay of
      10 ms on average between gyroscope heel strike and footswitches; walking IC is shifted by
      −10 ms. (Greene et al. 2010 report −4.5 ± 14.4 ms for their IC feature against force
      plates; on HuGaDB the minimum follows the shank impact by ~19 ms.)
    - FC: the pre-swing minimum is the fastest backward shank rotation *while the toe is still
      loaded*, so it precedes toe-off; walking FC is shifted by +20 ms. The literature is mixed on
      the size (Aminian et al. 2002: no significant toe-off error for their wavelet feature;
      Greene et al. 2010: +43.4 ± 6.0 ms for theirs; Catalfamo et al. 2010, Sensors
      10:5683-5702: under 75 ms); the value 20 ms is the centre of the 10-24 ms the gaitkit
      simulator's transient model puts between this minimum and toe-off, so this offset is
      *not* independent of the simulator (``docs/accuracy_events.md``).
    - Running: both features lie within a few ms of the events (sharper transients); no shift.

    Offsets are in :data:`EVENT_OFFSETS_S`.

    Running method
    --------------
    ``running_method="gyro"`` (default) uses the shank-gyroscope features above.
    ``"purcell"`` uses the shank-acceleration features of Purcell et al. (2006), recommended for
    a shank sensor by Kiernan et al. (2023, Sensors 23:5022) after comparing 18 methods against
    force plates; it needs an unsaturated accelerometer (it falls back to the gyroscope
    otherwise) and cannot be checked on the gaitkit simulator, whose contact acceleration is
    anterior where real tibial accelerometers show a posterior spike.

    Parameters
    ----------
    recording
        Recording with ``shank_left`` and/or ``shank_right``.
    bouts
        Bout table (:data:`gaitkit.schema.BOUT_COLUMNS`); detected with
        :func:`detect_bouts` when ``None``.
    min_mid_swings
        Passed to bout detection when ``bouts`` is ``None``.
    running_method
        ``"gyro"`` or ``"purcell"`` for running bouts (see "Running method").

    Returns
    -------
    EventDetection
        ``events`` (:data:`EVENT_TABLE_COLUMNS`: ``side``, ``event`` in ``ic``/``fc``/``ms``,
        ``time_s``, ``bout_id``, ``segment_id`` (gap-free segment; gaps of at most
        :data:`~gaitkit.events._signal.MAX_BRIDGED_GAP_S` are bridged by interpolation first
        and flagged ``bridged_gap``), ``placement``,
        ``activity``, ``confidence`` 0-1, ``quality_flags`` — ``;``-joined from ``suspect_gyro``,
        ``gyro_clipped``, ``implausible_gyro``, ``bridged_gap``), ``axes`` and ``bouts``.

    Notes
    -----
    ``confidence`` is the shank axis confidence, × 0.5 on a clipped mid-swing, × 0.2 for
    suspect or implausible gyroscope data, × 0.8 when the stride's events touch a bridged gap.
    """
    rec = check_recording(recording)
    if running_method not in ("purcell", "gyro"):
        raise ConfigError(f"running_method must be 'purcell' or 'gyro', got {running_method!r}")
    prep = prepare(rec)
    rec = prep.bridged or rec  # short gaps bridged
    if bouts is None:
        bouts, ms_bout = bouts_from_prepared(rec, prep, min_mid_swings=min_mid_swings)
    else:
        bouts = _check_bouts(bouts)
        ms_bout = {s: assign_bouts(leg.ms_time_s, bouts) for s, leg in prep.legs.items()}
    fs = rec.sampling_rate_hz
    act_of = dict(zip(bouts["bout_id"].tolist(), bouts["activity"].tolist(), strict=True))
    axes = prep.signals.axes
    axis_conf = dict(zip(axes["placement"], axes["confidence"], strict=True))
    frames = []
    for side, leg in prep.legs.items():
        pos = np.flatnonzero(ms_bout[side] >= 0)
        if pos.size == 0:
            continue
        bid = ms_bout[side][pos]
        seg = leg.segment_id[pos]
        t = leg.ms_time_s[pos]
        group = bid.astype(np.int64) * 100000 + seg
        d = np.diff(t)
        same = group[1:] == group[:-1]
        ok = same & (d >= MIN_STRIDE_S) & (d <= MAX_STRIDE_S)
        nxt = np.concatenate([np.where(ok, d, np.nan), [np.nan]])
        prv = np.concatenate([[np.nan], np.where(ok, d, np.nan)])
        both = np.vstack([prv, nxt])
        cnt = np.isfinite(both).sum(axis=0)
        stride = np.where(cnt > 0, np.nansum(both, axis=0) / np.maximum(cnt, 1), np.nan)
        fill = np.nanmedian(stride) if np.isfinite(stride).any() else 1.0
        stride = np.where(np.isfinite(stride), stride, fill)
        activity = np.array([act_of.get(int(b), "walk") for b in bid], dtype=object)
        running = activity == "run"
        w_run = None
        if running.any():
            w_run = segment_lowpass(
                prep.signals.omega[leg.placement], prep.signals.segments, fs, RUN_TIMING_CUTOFF_HZ
            )
            t = t.copy()
            r_ = np.flatnonzero(running)
            t[r_] = retime_peaks(w_run, rec.time_s, leg.ms_index[pos[r_]], 0.08, fs)
        ic_t, fc_t, ic_i, fc_i = contact_events(
            leg, rec.time_s, fs, prep.signals.segments, pos, stride, running, w_run
        )
        use_purcell = running_method == "purcell" and not prep.acc_saturated[side]
        if use_purcell and running.any():
            z = axes.set_index("placement").loc[leg.placement, ["axis_x", "axis_y", "axis_z"]]
            run_bouts = bouts[bouts["activity"] == "run"]
            in_run = np.zeros(rec.n_samples, bool)
            for b0, b1 in zip(run_bouts["start_s"], run_bouts["end_s"], strict=True):
                in_run[np.searchsorted(rec.time_s, b0) : np.searchsorted(rec.time_s, b1)] = True
            r = np.flatnonzero(running)
            ric, rfc, rici, rfci = purcell_events(
                rec.streams[leg.placement].acc_mps2,
                z.to_numpy(float),
                side,
                rec.time_s,
                fs,
                prep.signals.segments,
                leg.ms_index[pos[r]],
                seg[r],
                stride[r],
                in_run,
            )
            ic_t[r], fc_t[r], ic_i[r], fc_i[r] = ric, rfc, rici, rfci
        off_ic = np.where(running, EVENT_OFFSETS_S["run"]["ic"], EVENT_OFFSETS_S["walk"]["ic"])
        off_fc = np.where(running, EVENT_OFFSETS_S["run"]["fc"], EVENT_OFFSETS_S["walk"]["fc"])
        ic_t = ic_t + off_ic
        fc_t = fc_t + off_fc
        # quality flags, evaluated per mid-swing (one stride's worth of signal)
        susp = suspect_mask(rec, leg.placement)
        ms_i = leg.ms_index[pos]
        f_susp = susp[ms_i] | susp[np.maximum(ic_i, 0)] | susp[np.maximum(fc_i, 0)]
        f_clip = prep.clipped[side][pos]
        lim = np.where(running, MAX_PLAUSIBLE_MS_RADPS["run"], MAX_PLAUSIBLE_MS_RADPS["walk"])
        f_impl = leg.ms_height_radps[pos] > lim
        conf = np.full(pos.size, float(axis_conf.get(leg.placement, 0.0)))
        bridged = annotation_mask(rec, "resampled", None)
        f_gap = bridged[ms_i] | (bridged[np.maximum(ic_i, 0)] & (ic_i >= 0))
        f_gap |= bridged[np.maximum(fc_i, 0)] & (fc_i >= 0)
        conf = conf * np.where(f_clip, 0.5, 1.0) * np.where(f_susp | f_impl, 0.2, 1.0)
        conf = conf * np.where(f_gap, 0.8, 1.0)
        flags = (
            np.array(
                [
                    ";".join(n for n, f in zip(_FLAG_NAMES, fl, strict=True) if f)
                    for fl in zip(f_susp, f_clip, f_impl, f_gap, strict=True)
                ],
                dtype=object,
            )
            if (f_susp.any() or f_clip.any() or f_impl.any() or f_gap.any())
            else np.full(pos.size, "", dtype=object)
        )
        for ev, tt in (("ms", t), ("ic", ic_t), ("fc", fc_t)):
            keep = np.isfinite(tt)
            frames.append(
                pd.DataFrame(
                    {
                        "side": side,
                        "event": ev,
                        "time_s": tt[keep],
                        "bout_id": bid[keep],
                        "segment_id": seg[keep],
                        "placement": leg.placement,
                        "activity": activity[keep],
                        "confidence": conf[keep],
                        "quality_flags": flags[keep],
                    }
                )
            )
    if frames:
        events = pd.concat(frames, ignore_index=True)
    else:
        events = pd.DataFrame({c: pd.Series(dtype=float) for c in EVENT_TABLE_COLUMNS})
    events = events.astype({"time_s": float}).sort_values(["time_s", "side"], kind="stable")
    events = events.reset_index(drop=True)[list(EVENT_TABLE_COLUMNS)]
    return EventDetection(events=events, axes=prep.signals.axes.copy(), bouts=bouts)
