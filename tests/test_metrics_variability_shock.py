"""DFA on synthetic noises with known scaling, tibial shock and running load on built signals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitkit.errors import ConfigError, InputFormatError, RecordingError
from gaitkit.metrics import (
    DFA_MIN_STRIDES,
    compute_stride_metrics,
    compute_tibial_shock,
    dfa_alpha,
    running_load_summary,
    stride_time_dfa,
    summarize_metrics,
)
from gaitkit.model import Recording, SensorStream
from gaitkit.units import G0


def power_law_noise(n: int, beta: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise with spectrum ∝ 1/f^beta (spectral synthesis); DFA α = (beta + 1)/2."""
    f = np.fft.rfftfreq(n)
    amp = np.zeros_like(f)
    amp[1:] = f[1:] ** (-beta / 2)
    spec = amp * (rng.normal(size=f.size) + 1j * rng.normal(size=f.size))
    x = np.fft.irfft(spec, n)
    return x / x.std()


@pytest.mark.parametrize(("beta", "alpha"), [(0.0, 0.5), (1.0, 1.0), (2.0, 1.5)])
def test_dfa_recovers_known_scaling(beta, alpha):
    rng = np.random.default_rng(42)
    est = [dfa_alpha(power_law_noise(4096, beta, rng)).alpha for _ in range(5)]
    assert abs(np.mean(est) - alpha) < 0.08, est


def test_dfa_white_noise_stride_times():
    rng = np.random.default_rng(1)
    x = 1.05 + 0.02 * rng.normal(size=512)
    r = dfa_alpha(x)
    assert r.reason is None and abs(r.alpha - 0.5) < 0.12
    assert r.box_sizes[0] == 4 and r.box_sizes[-1] == 128


def test_dfa_too_short_returns_nan_with_reason():
    r = dfa_alpha(np.random.default_rng(0).normal(size=100))
    assert np.isnan(r.alpha)
    assert r.reason == f"series has 100 strides; DFA needs >= {DFA_MIN_STRIDES}"
    assert "constant" in dfa_alpha(np.ones(300)).reason
    with pytest.raises(ConfigError, match="min_box must be >= 3, got 2"):
        dfa_alpha(np.ones(300), min_box=2)


def test_stride_time_dfa_per_side():
    rng = np.random.default_rng(2)
    n = 300
    st = 1.0 + 0.02 * power_law_noise(n, 1.0, rng)
    ic = np.concatenate([[0.0], np.cumsum(st)[:-1]])
    df = pd.DataFrame({"side": "left", "ic_time_s": ic, "stride_time_s": st, "valid": True})
    df = pd.concat([df, df.assign(side="right").iloc[:50]])
    r = stride_time_dfa(df)
    assert 0.75 < r["left"].alpha < 1.25 and r["left"].n == n
    assert np.isnan(r["right"].alpha) and "50 strides" in r["right"].reason


# -- tibial shock ---------------------------------------------------------------------------

FS = 500.0


def shock_recording(peaks_g: dict[str, list[float]], ics: dict[str, list[float]]) -> Recording:
    t = np.arange(int(12 * FS)) / FS
    streams = {}
    for side in ("left", "right"):
        acc = np.zeros((t.size, 3))
        acc[:, 1] = G0  # 1 g along the sensor y axis (up the tibia) at rest
        for ic, pk in zip(ics[side], peaks_g[side], strict=True):
            # impact pulse 20 ms after IC, Gaussian 5 ms wide, along the tibia (+y)
            acc[:, 1] += (pk - 1.0) * G0 * np.exp(-0.5 * ((t - ic - 0.020) / 0.005) ** 2)
        acc[:, 0] = 0.5 * G0 * np.sin(2 * np.pi * t)  # slow anterior component
        streams[f"shank_{side}"] = SensorStream(acc, np.zeros_like(acc))
    return Recording(t, FS, streams)


def shock_strides(ics: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for side, times in ics.items():
        for k, ic in enumerate(times):
            rows.append(
                {
                    "side": side,
                    "stride_id": k,
                    "ic_time_s": ic,
                    "fc_time_s": ic + 0.25,
                    "next_ic_time_s": ic + 0.7,
                    "valid": True,
                }
            )
    return pd.DataFrame(rows)


def test_peak_tibial_acceleration_known_peaks():
    ics = {"left": [1.0, 1.7, 2.4, 3.1], "right": [1.35, 2.05, 2.75, 3.45]}
    peaks = {"left": [6.0, 7.5, 9.0, 5.0], "right": [4.0, 4.5, 5.5, 6.5]}
    rec = shock_recording(peaks, ics)
    s = shock_strides(ics)
    out = compute_tibial_shock(s, rec, axial_axis={"left": (1, 1.0), "right": (1, 1.0)})
    expect = np.concatenate([peaks["left"], peaks["right"]])
    # pulse peak lands on a sample (20 ms = 10 samples at 500 Hz); resultant adds the
    # anterior component sqrt(p² + (0.5 sin 2πt)²)
    t_pk = np.concatenate([ics["left"], ics["right"]]) + 0.02
    lateral = 0.5 * np.sin(2 * np.pi * t_pk)
    np.testing.assert_allclose(out["peak_tibial_axial_acc_g"], expect, atol=1e-6)
    np.testing.assert_allclose(out["peak_tibial_acc_g"], np.hypot(expect, lateral), atol=2e-3)


def test_shock_in_composed_metrics_and_load_summary():
    ics = {"left": [1.0, 1.7, 2.4, 3.1], "right": [1.35, 2.05, 2.75, 3.45]}
    peaks = {"left": [6.0, 6.0, 6.0, 6.0], "right": [3.0, 3.0, 3.0, 3.0]}
    rec = shock_recording(peaks, ics)
    s = shock_strides(ics)
    t = np.arange(0, 12, 0.01)
    angles = pd.concat(
        [
            pd.DataFrame({"time_s": t, "side": sd, "shank_axial_deg": 0.0})
            for sd in ("left", "right")
        ]
    )
    m = compute_stride_metrics(s, angles, rec)
    assert "peak_tibial_acc_g" in m.columns
    load = running_load_summary(m, duration_s=120.0, exponent=4.0)
    left = load.set_index("side").loc["left"]
    assert left["n_impacts"] == 4
    np.testing.assert_allclose(left["impacts_per_min"], 2.0)
    np.testing.assert_allclose(
        left["sum_peak_tibial_acc_g_per_min"],
        m.loc[m.side == "left", "peak_tibial_acc_g"].sum() / 2.0,
    )
    a = m.loc[m.side == "left", "peak_tibial_acc_g"].to_numpy()
    np.testing.assert_allclose(left["weighted_impact_index_g"], np.sum(a**4) ** 0.25)
    summ = summarize_metrics(m)
    assert summ["left"]["peak_tibial_acc_g"]["mean"] > 5.9


def test_shock_errors():
    ics = {"left": [1.0], "right": [1.35]}
    rec = shock_recording({"left": [5.0], "right": [5.0]}, ics)
    s = shock_strides(ics)
    with pytest.raises(InputFormatError, match="tibial shock needs a shank accelerometer"):
        compute_tibial_shock(s, _thigh_only(rec))
    with pytest.raises(ConfigError, match="window_s must be"):
        compute_tibial_shock(s, rec, window_s=(0.1, 0.0))
    with pytest.raises(RecordingError, match="expected a gaitkit Recording, got DataFrame"):
        compute_tibial_shock(s, pd.DataFrame())
    with pytest.raises(ConfigError, match="exponent must be > 0"):
        running_load_summary(s.assign(peak_tibial_acc_g=5.0), exponent=0)


def _thigh_only(rec: Recording) -> Recording:
    st = rec.streams["shank_left"]
    return Recording(rec.time_s, rec.sampling_rate_hz, {"thigh_left": st})


def test_clipped_impacts_are_withheld_not_reported_low():
    """A shank accelerometer at its range gives a lower bound, never a 'low shock' number."""
    from gaitkit.metrics import compute_tibial_shock
    from gaitkit.simulate import simulate_gait

    full = simulate_gait(duration_s=30.0, seed=2, activity="run", acc_range_g=16.0)
    clip = simulate_gait(duration_s=30.0, seed=2, activity="run", acc_range_g=4.0)
    a = compute_tibial_shock(full.strides, full.recording)
    b = compute_tibial_shock(clip.strides, clip.recording)
    assert not a["peak_tibial_acc_clipped"].any() and a["peak_tibial_acc_g"].notna().all()
    assert b["peak_tibial_acc_clipped"].mean() > 0.9
    assert b.loc[b["peak_tibial_acc_clipped"], "peak_tibial_acc_g"].isna().all()
