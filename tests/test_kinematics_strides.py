"""Time normalisation and per-stride features on hand-built angle tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitkit.errors import ConfigError
from gaitkit.kinematics import stride_features, time_normalise

FS = 100.0
T = 1.1  # stride time, s


def _angles(sides=("left", "right"), knee=True):
    t = np.arange(0, 20, 1 / FS)
    frames = []
    for k, side in enumerate(sides):
        ph = 2 * np.pi * (t - 0.1 * k) / T
        d = {
            "time_s": t,
            "side": side,
            "shank_sagittal_deg": 10 + 30 * np.sin(ph),
            "shank_frontal_deg": 2 * np.sin(ph),
            "shank_axial_deg": 4 * np.sin(ph - 0.5),
        }
        if knee:
            d["thigh_sagittal_deg"] = 10 + 20 * np.sin(ph + 0.3)
            d["knee_flexion_deg"] = 30 + 25 * np.cos(ph)
            d["knee_adduction_deg"] = np.sin(ph)
            d["knee_rotation_deg"] = 3 * np.sin(2 * ph)
        frames.append(pd.DataFrame(d))
    return pd.concat(frames, ignore_index=True)


def _strides(sides=("left", "right")):
    rows = []
    for k, side in enumerate(sides):
        ic = 1.0 + 0.1 * k + T * np.arange(12)
        for i, t0 in enumerate(ic):
            rows.append(
                {
                    "side": side,
                    "stride_id": i,
                    "ic_time_s": t0,
                    "fc_time_s": t0 + 0.6 * T,
                    "next_ic_time_s": t0 + T,
                    "valid": i != 3,
                }
            )
    return pd.DataFrame(rows)


def test_time_normalise_known_curve():
    cyc = time_normalise(_angles(), _strides(), n_points=101)
    assert list(cyc.columns[:4]) == ["side", "stride_id", "pct", "valid"]
    assert len(cyc) == 24 * 101
    one = cyc[(cyc.side == "left") & (cyc.stride_id == 2)]
    pct = one.pct.to_numpy()
    np.testing.assert_allclose(pct, np.linspace(0, 100, 101))
    # each stride starts at phase 2π·(1.0/T) + 2πk: compare with the analytic curve
    ph0 = 2 * np.pi * (1.0 + 2 * T) / T
    expected = 30 + 25 * np.cos(ph0 + 2 * np.pi * pct / 100)
    np.testing.assert_allclose(one.knee_flexion_deg, expected, atol=0.05)
    assert not cyc.loc[(cyc.side == "right") & (cyc.stride_id == 3), "valid"].any()


def test_time_normalise_nan_for_gap_and_outside():
    ang = _angles()
    ang = ang[~((ang.time_s > 5.0) & (ang.time_s < 5.3))]  # gap inside left and right strides
    st = _strides()
    st.loc[len(st)] = {
        "side": "left",
        "stride_id": 99,
        "ic_time_s": 19.5,
        "fc_time_s": 20.0,
        "next_ic_time_s": 20.6,
        "valid": True,
    }
    cyc = time_normalise(ang, st, n_points=11)
    gap_ids = st[(st.ic_time_s < 5.3) & (st.next_ic_time_s > 5.0) & (st.side == "left")].stride_id
    for sid in gap_ids:
        assert cyc[(cyc.side == "left") & (cyc.stride_id == sid)].knee_flexion_deg.isna().all()
    assert cyc[(cyc.side == "left") & (cyc.stride_id == 99)].knee_flexion_deg.isna().all()
    assert cyc[(cyc.side == "left") & (cyc.stride_id == 0)].knee_flexion_deg.notna().all()


def test_stride_features_known_values():
    f = stride_features(_angles(), _strides())
    assert list(f.columns) == [
        "side",
        "stride_id",
        "knee_flexion_max_deg",
        "knee_flexion_min_deg",
        "knee_flexion_rom_deg",
        "knee_flexion_at_ic_deg",
        "knee_rotation_rom_deg",
        "thigh_rom_deg",
        "shank_rom_deg",
    ]
    assert len(f) == 24
    np.testing.assert_allclose(f.knee_flexion_max_deg, 55.0, atol=0.02)
    np.testing.assert_allclose(f.knee_flexion_min_deg, 5.0, atol=0.02)
    np.testing.assert_allclose(f.knee_flexion_rom_deg, 50.0, atol=0.04)
    np.testing.assert_allclose(f.knee_rotation_rom_deg, 6.0, atol=0.02)
    np.testing.assert_allclose(f.thigh_rom_deg, 40.0, atol=0.04)
    np.testing.assert_allclose(f.shank_rom_deg, 60.0, atol=0.04)
    # IC at phase 2π·1.0/T (left) → knee flexion 30 + 25 cos(2π/1.1)
    left = f[f.side == "left"]
    np.testing.assert_allclose(left.knee_flexion_at_ic_deg, 30 + 25 * np.cos(2 * np.pi / T), 1e-6)
    assert f.attrs["notes"] == []


def test_shank_only_knee_features_absent_with_note():
    f = stride_features(_angles(knee=False), _strides())
    assert "knee_flexion_rom_deg" not in f.columns and "thigh_rom_deg" not in f.columns
    assert list(f.columns) == ["side", "stride_id", "shank_rom_deg"]
    assert f.attrs["notes"] == ["knee features absent: no leg has both a thigh and a shank sensor"]
    np.testing.assert_allclose(f.shank_rom_deg, 60.0, atol=0.04)


def test_rows_kept_in_strides_order_and_nan_for_out_of_range():
    st = _strides()
    st.loc[len(st)] = {
        "side": "right",
        "stride_id": 50,
        "ic_time_s": 30.0,
        "fc_time_s": 30.5,
        "next_ic_time_s": 31.0,
        "valid": False,
    }
    f = stride_features(_angles(), st)
    assert len(f) == len(st)
    assert list(f.stride_id) == list(st.stride_id)
    assert f.iloc[-1].isna()[["knee_flexion_rom_deg", "shank_rom_deg"]].all()


def test_bad_inputs():
    with pytest.raises(
        ConfigError, match="time_normalise: n_points must be an integer >= 2, got 1"
    ):
        time_normalise(_angles(), _strides(), n_points=1)
    with pytest.raises(
        ConfigError, match="stride_features: strides table lacks column 'ic_time_s'"
    ):
        stride_features(_angles(), _strides().drop(columns="ic_time_s"))
    with pytest.raises(ConfigError, match="time_normalise: angles must be a DataFrame, got dict"):
        time_normalise({}, _strides())
