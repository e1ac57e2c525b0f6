"""Known-answer tests of gaitkit.metrics on analytic angle signals and hand-built strides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.metrics import (
    compute_coordination,
    compute_pronation_proxies,
    compute_stride_metrics,
    compute_temporal,
    compute_tibial_rotation,
    continuous_relative_phase,
    coupling_phase_bins,
    findings,
    overpronation_index,
    robinson_si_pct,
    summarize_metrics,
    symmetry_angle_deg,
    symmetry_angle_pct,
    symmetry_table,
    vector_coding,
)
from gaitkit.metrics._reference import NORMATIVE, SYMMETRY_RULES

FS = 100.0


def make_strides(
    n: int = 30, stride_s: float = 1.0, stance_s: float = 0.6, right_offset_s: float = 0.5
) -> pd.DataFrame:
    rows = []
    for side, off in (("left", 0.0), ("right", right_offset_s)):
        for k in range(n):
            ic = 1.0 + off + k * stride_s
            rows.append(
                {
                    "side": side,
                    "stride_id": k,
                    "bout_id": 0,
                    "activity": "walk",
                    "ic_time_s": ic,
                    "fc_time_s": ic + stance_s,
                    "next_ic_time_s": ic + stride_s,
                    "stride_time_s": stride_s,
                    "stance_time_s": stance_s,
                    "swing_time_s": stride_s - stance_s,
                    "stance_pct": 100 * stance_s / stride_s,
                    "valid": True,
                    "reject_reason": "",
                }
            )
    return pd.DataFrame(rows)


def triangle(t: np.ndarray, ics: np.ndarray, stance_s: float, amp: float) -> np.ndarray:
    """0 outside stance; rises linearly from 0 at IC to amp at mid-stance, back to 0 at FC."""
    out = np.zeros_like(t)
    for ic in ics:
        u = (t - ic) / stance_s
        m = (u >= 0) & (u <= 1)
        out[m] = amp * (1 - np.abs(2 * u[m] - 1))
    return out


def make_angles(
    strides: pd.DataFrame,
    *,
    axial_amp: dict[str, float],
    frontal_amp: dict[str, float] | None = None,
    thigh_amp: float = 20.0,
    shank_amp: float = 30.0,
    phase_deg: float = 60.0,
    stride_s: float = 1.0,
    stance_s: float = 0.6,
    knee_rotation: bool = True,
    thigh: bool = True,
) -> pd.DataFrame:
    parts = []
    t_end = strides["next_ic_time_s"].max() + 1.0
    t = np.arange(0, round(t_end * FS)) / FS
    for side in ("left", "right"):
        ics = strides.loc[strides["side"] == side, "ic_time_s"].to_numpy()
        ph0 = 2 * np.pi * (t - ics[0]) / stride_s
        d = {"time_s": t, "side": side}
        d["shank_axial_deg"] = triangle(t, ics, stance_s, axial_amp[side])
        if frontal_amp is not None:
            # the pronation proxy tilt is toward abduction (knee medial): negative φ
            d["shank_frontal_deg"] = -triangle(t, ics, stance_s, frontal_amp[side])
        if thigh:
            d["thigh_sagittal_deg"] = thigh_amp * np.sin(ph0)
        d["shank_sagittal_deg"] = shank_amp * np.sin(ph0 - np.radians(phase_deg))
        if knee_rotation:
            d["knee_rotation_deg"] = triangle(t, ics, stance_s, 0.5 * axial_amp[side])
        parts.append(pd.DataFrame(d))
    return pd.concat(parts, ignore_index=True)


# -- tibial rotation and pronation proxies -------------------------------------------------


def test_tibial_rotation_known_answers():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 12.0})
    r = compute_tibial_rotation(s, a)
    assert list(r["side"]) == list(s["side"]) and list(r["stride_id"]) == list(s["stride_id"])
    left, right = r[r.side == "left"], r[r.side == "right"]
    np.testing.assert_allclose(left["tibial_ir_excursion_deg"], 8.0, atol=1e-9)
    np.testing.assert_allclose(right["tibial_ir_excursion_deg"], 12.0, atol=1e-9)
    np.testing.assert_allclose(right["tibial_ir_peak_deg"], 12.0, atol=1e-9)
    # linear rise of amp over half the stance: velocity amp / 0.3 s
    np.testing.assert_allclose(left["tibial_ir_peak_velocity_dps"], 8.0 / 0.3, rtol=1e-6)
    np.testing.assert_allclose(right["tibial_ir_peak_velocity_dps"], 12.0 / 0.3, rtol=1e-6)
    # knee rotation triangle of half the amplitude: range over stance = amp / 2
    np.testing.assert_allclose(right["knee_rotation_excursion_deg"], 6.0, atol=1e-9)


def test_tibial_rotation_midstance_fraction_changes_window():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 8.0})
    r = compute_tibial_rotation(s, a, midstance_fraction=0.25)
    # peak at 50 % stance not reached by 25 %: the triangle is at half its amplitude
    np.testing.assert_allclose(r["tibial_ir_excursion_deg"], 4.0, atol=1e-9)


def test_pronation_proxies_known_answers():
    s = make_strides()
    a = make_angles(
        s, axial_amp={"left": 10.0, "right": 10.0}, frontal_amp={"left": 4.0, "right": 6.0}
    )
    p = compute_pronation_proxies(s, a, loading_fraction=0.2)
    # loading response = first 20 % of stance: triangle reaches 0.4 of its amplitude
    np.testing.assert_allclose(p["lr_tibial_ir_excursion_deg"], 4.0, atol=1e-9)
    np.testing.assert_allclose(p["lr_tibial_ir_peak_velocity_dps"], 10.0 / 0.3, rtol=1e-6)
    right = p[p.side == "right"]
    np.testing.assert_allclose(right["shank_frontal_excursion_deg"], 6.0, atol=1e-9)
    np.testing.assert_allclose(right["shank_frontal_peak_velocity_dps"], 20.0, rtol=1e-6)
    assert "foot_eversion_excursion_deg" not in p.columns


def test_foot_eversion_used_when_present():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 10.0, "right": 10.0})
    a["foot_eversion_deg"] = 0.5 * a["shank_axial_deg"]
    p = compute_pronation_proxies(s, a)
    np.testing.assert_allclose(p["foot_eversion_excursion_deg"], 5.0, atol=1e-9)


def test_overpronation_index_is_mean_z_score():
    ref = {k: v for k, v in NORMATIVE.items()}
    df = pd.DataFrame(
        {
            "activity": ["run", "run", "walk"],
            "lr_tibial_ir_excursion_deg": [3.5, 3.5 + 1.5, 9.0],
            "tibial_ir_excursion_deg": [7.5, 7.5 + 2 * 2.5, 9.0],
        }
    )
    idx = overpronation_index(df, reference=ref)
    np.testing.assert_allclose(idx.iloc[:2], [0.0, 1.5])
    assert np.isnan(idx.iloc[2])  # no walking references
    with pytest.raises(ConfigError, match="activity"):
        overpronation_index(df.drop(columns="activity"))


# -- coordination -------------------------------------------------------------------------


def test_crp_of_phase_shifted_sinusoids_is_the_shift():
    u = np.linspace(0, 1, 101)
    for shift in (0.0, 30.0, 90.0, 150.0):
        p = 20 * np.sin(2 * np.pi * u)[None, :] + 5.0  # offset: centring must remove it
        d = 35 * np.sin(2 * np.pi * u - np.radians(shift))[None, :] - 3.0
        crp = continuous_relative_phase(p, d)
        np.testing.assert_allclose(crp, shift, atol=1e-6)


def test_crp_closes_drifting_cycles():
    u = np.linspace(0, 1, 101)
    p = (10 * np.sin(2 * np.pi * u) + 4 * u)[None, :]  # 4° drift over the cycle
    d = (10 * np.sin(2 * np.pi * u - np.radians(45)))[None, :]
    crp = continuous_relative_phase(p, d)
    assert np.max(np.abs(crp - 45.0)) < 8.0  # no end-effect blow-up


def test_vector_coding_bins():
    u = np.linspace(0, 1, 101)
    x = np.sin(2 * np.pi * u)[None, :]
    assert np.allclose(coupling_phase_bins(vector_coding(x, x)), [[100, 0, 0, 0]])
    assert np.allclose(coupling_phase_bins(vector_coding(x, -x)), [[0, 100, 0, 0]])
    assert np.allclose(coupling_phase_bins(vector_coding(x, 0.1 * x)), [[0, 0, 100, 0]])
    assert np.allclose(coupling_phase_bins(vector_coding(0.1 * x, x)), [[0, 0, 0, 100]])
    g = np.array([0.0, 30.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0, 350.0, 22.5])
    assert np.allclose(coupling_phase_bins(g), [30, 20, 30, 20])


def test_coordination_per_stride():
    s = make_strides()
    a = make_angles(
        s, axial_amp={"left": 8.0, "right": 8.0}, thigh_amp=20.0, shank_amp=30.0, phase_deg=60.0
    )
    c = compute_coordination(s, a)
    np.testing.assert_allclose(c["thigh_rom_deg"], 40.0, atol=1e-9)
    # knee = thigh - shank: amplitude |20 − 30 e^{-i60°}| = sqrt(400 + 900 − 600) = 26.458
    knee_amp = np.abs(20 - 30 * np.exp(-1j * np.radians(60)))
    np.testing.assert_allclose(c["knee_flexion_rom_deg"], 2 * knee_amp, rtol=2e-3)
    np.testing.assert_allclose(c["knee_thigh_rom_ratio"], knee_amp / 20.0, rtol=2e-3)
    np.testing.assert_allclose(c["thigh_shank_marp_deg"], 60.0, atol=0.5)
    pct = c[
        [
            "coupling_inphase_pct",
            "coupling_antiphase_pct",
            "coupling_proximal_pct",
            "coupling_distal_pct",
        ]
    ].to_numpy()
    np.testing.assert_allclose(pct.sum(axis=1), 100.0)


def test_coordination_without_thigh_gives_absent_columns():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 8.0}, thigh=False)
    c = compute_coordination(s, a)
    assert list(c.columns) == ["side", "stride_id"]
    full = compute_stride_metrics(s, a)
    assert "thigh_rom_deg" not in full.columns
    assert "knee_thigh_rom_ratio" not in full.columns
    assert "tibial_ir_excursion_deg" in full.columns


# -- temporal -------------------------------------------------------------------------------


def test_temporal_running_known_answers():
    s = make_strides(stride_s=0.7, stance_s=0.22, right_offset_s=0.38)
    t = compute_temporal(s)
    left, right = t[t.side == "left"], t[t.side == "right"]
    # left IC at 1 + 0.7k, right at 1.38 + 0.7k: right step 0.38 s, left step 0.32 s
    np.testing.assert_allclose(right["step_time_s"], 0.38, atol=1e-9)
    np.testing.assert_allclose(left["step_time_s"].iloc[1:], 0.32, atol=1e-9)
    assert np.isnan(left["step_time_s"].iloc[0])  # no earlier right IC
    np.testing.assert_allclose(t["contact_time_s"], 0.22, atol=1e-12)
    np.testing.assert_allclose(t["duty_factor"], 0.22 / 0.7, atol=1e-12)
    # left FC at 1.22, right IC at 1.38: flight 0.16 s; right FC 1.60, left IC 1.70: 0.10 s
    np.testing.assert_allclose(left["flight_time_s"], 0.16, atol=1e-9)
    np.testing.assert_allclose(right["flight_time_s"].iloc[:-1], 0.10, atol=1e-9)


def test_temporal_walking_has_no_flight():
    t = compute_temporal(make_strides())
    assert np.nanmax(t["flight_time_s"]) == 0.0


# -- symmetry ------------------------------------------------------------------------------


def test_symmetry_formulas():
    np.testing.assert_allclose(robinson_si_pct(10.0, 12.0), 2 / 11 * 100)
    np.testing.assert_allclose(symmetry_angle_deg(10.0, 12.0), 45 - np.degrees(np.arctan(10 / 12)))
    np.testing.assert_allclose(
        symmetry_angle_pct(10.0, 12.0), (45 - np.degrees(np.arctan(10 / 12))) / 90 * 100
    )
    assert symmetry_angle_deg(5.0, 5.0) == 0.0
    np.testing.assert_allclose(symmetry_angle_deg(-1.0, 1.0), 90.0)
    np.testing.assert_allclose(symmetry_angle_pct(-1.0, 1.0), 100.0)
    np.testing.assert_allclose(symmetry_angle_pct(1.0, -1.0), 100.0)
    np.testing.assert_allclose(symmetry_angle_pct(-10.0, -12.0), symmetry_angle_pct(10.0, 12.0))
    sa = symmetry_angle_pct(np.linspace(-3, 3, 7), np.full(7, 0.1))
    assert np.all(np.abs(sa) <= 100)
    # small asymmetries: SA_pct ≈ SI / π
    np.testing.assert_allclose(
        symmetry_angle_pct(10.0, 10.5), robinson_si_pct(10.0, 10.5) / np.pi, rtol=2e-3
    )


def _two_sided(left: np.ndarray, right: np.ndarray, metric: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "side": ["left"] * left.size + ["right"] * right.size,
            metric: np.concatenate([left, right]),
            "valid": True,
        }
    )


def test_symmetry_table_flags_only_confident_asymmetry():
    rng = np.random.default_rng(3)
    big = _two_sided(rng.normal(10, 1, 60), rng.normal(14, 1, 60), "tibial_ir_excursion_deg")
    small = _two_sided(rng.normal(10, 1, 60), rng.normal(10.5, 1, 60), "tibial_ir_excursion_deg")
    rb = symmetry_table(big)["tibial_ir_excursion_deg"]
    rs = symmetry_table(small)["tibial_ir_excursion_deg"]
    assert rb["flag"] and not rs["flag"]
    assert rb["ci95"][0] > 15 and rb["ci95"][0] < rb["si_pct"] < rb["ci95"][1]
    np.testing.assert_allclose(rb["si_pct"], robinson_si_pct(rb["left"], rb["right"]))
    np.testing.assert_allclose(rb["ratio"], rb["right"] / rb["left"])
    # reproducible with the seed
    assert (
        symmetry_table(big, seed=5)["tibial_ir_excursion_deg"]["ci95"]
        == symmetry_table(big, seed=5)["tibial_ir_excursion_deg"]["ci95"]
    )


def test_symmetry_ci_coverage_is_about_95pct():
    rng = np.random.default_rng(11)
    true_si = robinson_si_pct(10.0, 11.0)
    hits = 0
    for _ in range(100):
        df = _two_sided(rng.normal(10, 2, 40), rng.normal(11, 2, 40), "knee_flexion_rom_deg")
        lo, hi = symmetry_table(df, n_boot=500)["knee_flexion_rom_deg"]["ci95"]
        hits += lo <= true_si <= hi
    assert 88 <= hits <= 100


def test_symmetry_signed_metric_uses_difference():
    rng = np.random.default_rng(4)
    df = _two_sided(rng.normal(-0.5, 1, 50), rng.normal(4.5, 1, 50), "tibial_ir_peak_deg")
    r = symmetry_table(df)["tibial_ir_peak_deg"]
    assert r["basis"] == "diff" and r["flag"] and r["ci95_diff"][0] > 3.0
    assert not r["si_defined"]


def test_symmetry_near_zero_si_metric_falls_back_to_symmetry_angle():
    rng = np.random.default_rng(5)
    df = _two_sided(rng.normal(-1.0, 0.3, 50), rng.normal(1.0, 0.3, 50), "knee_flexion_rom_deg")
    r = symmetry_table(df)["knee_flexion_rom_deg"]
    assert not r["si_defined"] and r["flag"]


def test_symmetry_needs_enough_strides():
    df = _two_sided(np.array([10.0] * 5), np.array([20.0] * 5), "tibial_ir_excursion_deg")
    r = symmetry_table(df)["tibial_ir_excursion_deg"]
    assert not r["flag"] and np.isnan(r["ci95"][0])


def test_symmetry_errors():
    df = _two_sided(np.ones(20), np.ones(20), "x")
    with pytest.raises(InputFormatError, match="no column 'y'"):
        symmetry_table(df, ["y"])
    with pytest.raises(ConfigError, match="n_boot must be >= 100, got 10"):
        symmetry_table(df, ["x"], n_boot=10)
    with pytest.raises(InputFormatError, match="no column 'side'"):
        symmetry_table(df.drop(columns="side"))


# -- findings, summary, composition ---------------------------------------------------------


def test_findings_text_names_side_number_threshold_and_source():
    rng = np.random.default_rng(7)
    df = _two_sided(rng.normal(10, 1, 60), rng.normal(13.8, 1, 60), "tibial_ir_excursion_deg")
    df["thigh_rom_deg"] = np.concatenate([rng.normal(28, 1, 60), rng.normal(40, 1, 60)])
    sym = symmetry_table(df)
    f = findings(None, sym)
    by = {x["metric"]: x for x in f}
    tir = by["tibial_ir_excursion_deg"]
    assert tir["side"] == "right"
    r = sym["tibial_ir_excursion_deg"]
    si, (lo, hi) = r["si_pct"], r["ci95"]
    assert f"{100 * (r['ratio'] - 1):.0f} % larger than left" in tir["text"]
    assert f"Robinson symmetry index {si:.0f} %" in tir["text"]
    assert f"95 % CI {lo:.0f}–{hi:.0f} %" in tir["text"]
    assert "threshold 15 %" in tir["text"] and "Robinson" in tir["text"]
    assert by["thigh_rom_deg"]["side"] == "left"  # concern: the smaller hip range
    assert "smaller than right" in by["thigh_rom_deg"]["text"]
    sym_none = symmetry_table(
        _two_sided(rng.normal(10, 1, 60), rng.normal(10, 1, 60), "tibial_ir_excursion_deg")
    )
    assert findings(None, sym_none) == []


def test_findings_from_summary_thresholds():
    summary = {
        "left": {"peak_tibial_acc_g": {"mean": 9.2, "sd": 1.0, "cv_pct": 11.0, "n": 50}},
        "right": {
            "peak_tibial_acc_g": {"mean": 6.0, "sd": 1.0, "cv_pct": 16.0, "n": 50},
            "overpronation_index": {"mean": 1.8, "sd": 0.3, "cv_pct": 17, "n": 50},
        },
    }
    # the shipped normative ranges are partly assumed: no over-pronation finding from them
    f = findings(summary, {})
    assert [(x["metric"], x["side"]) for x in f] == [("peak_tibial_acc_g", "left")]
    assert "9.2 g" in f[0]["text"] and "8 g" in f[0]["text"] and "Matijevich" in f[0]["text"]
    # with verified references (e.g. a lab's own), the index is reported, as a proxy
    f = findings(summary, {}, references_verified=True)
    assert [(x["metric"], x["side"]) for x in f] == [
        ("peak_tibial_acc_g", "left"),
        ("overpronation_index", "right"),
    ]
    assert "proxy" in f[1]["text"]


def test_compute_stride_metrics_and_summary():
    s = make_strides()
    s.loc[3, "valid"] = False
    a = make_angles(
        s, axial_amp={"left": 8.0, "right": 12.0}, frontal_amp={"left": 4.0, "right": 4.0}
    )
    m = compute_stride_metrics(s, a)
    assert len(m) == len(s) and list(m["stride_id"]) == list(s["stride_id"])
    for col in (
        "tibial_ir_excursion_deg",
        "lr_tibial_ir_excursion_deg",
        "thigh_shank_marp_deg",
        "step_time_s",
        "duty_factor",
        "knee_thigh_rom_ratio",
    ):
        assert col in m.columns
    assert "overpronation_index" not in m.columns  # walking: no references
    assert "peak_tibial_acc_g" not in m.columns  # no recording
    summ = summarize_metrics(m)
    assert summ["left"]["tibial_ir_excursion_deg"]["n"] == 29  # one invalid stride excluded
    np.testing.assert_allclose(summ["right"]["tibial_ir_excursion_deg"]["mean"], 12.0)
    assert summ["right"]["tibial_ir_excursion_deg"]["sd"] < 1e-9
    assert "valid" not in summ["left"] and "ic_time_s" not in summ["left"]
    sym = symmetry_table(m)
    assert sym["tibial_ir_excursion_deg"]["flag"]
    assert not sym["thigh_rom_deg"]["flag"]
    run = compute_stride_metrics(s, a, activity="run")
    assert "overpronation_index" in run.columns


def test_one_leg_only():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 12.0})
    s1 = s[s.side == "left"]
    m = compute_stride_metrics(s1, a[a.side == "left"])
    assert set(m["side"]) == {"left"} and m["tibial_ir_excursion_deg"].notna().all()
    assert m["step_time_s"].isna().all()
    assert symmetry_table(m) == {}


def test_input_errors_name_the_column():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 8.0})
    with pytest.raises(InputFormatError, match="angles table has no column 'shank_axial_deg'"):
        compute_tibial_rotation(s, a.drop(columns="shank_axial_deg"))
    with pytest.raises(InputFormatError, match="strides table has no column 'fc_time_s'"):
        compute_tibial_rotation(s.drop(columns="fc_time_s"), a)
    bad = s.copy()
    bad.loc[2, "side"] = "middle"
    with pytest.raises(
        InputFormatError, match="strides row 2: side must be 'left' or 'right', found 'middle'"
    ):
        compute_stride_metrics(bad, a)
    with pytest.raises(ConfigError, match="midstance_fraction must be in"):
        compute_tibial_rotation(s, a, midstance_fraction=2.0)
    with pytest.raises(InputFormatError, match="must be a pandas DataFrame, got list"):
        compute_coordination(s, [1, 2])


def test_symmetry_rules_have_sources():
    from gaitkit.metrics import SOURCES

    for r in SYMMETRY_RULES.values():
        assert r.source == "engineering" or r.source in SOURCES
        assert r.threshold > 0 and r.rationale
    for ref in NORMATIVE.values():
        assert ref.source in SOURCES and ref.sd > 0 and ref.note


def test_summarize_session_is_json_serialisable():
    import json

    from gaitkit.metrics import summarize_session

    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 12.0})
    m = compute_stride_metrics(s, a)
    out = summarize_session(m, a, n_boot=200)
    text = json.dumps(out, allow_nan=False)
    assert "NaN" not in text
    assert out["symmetry"]["tibial_ir_excursion_deg"]["flag"] is True
    assert out["findings"][0]["metric"] == "tibial_ir_excursion_deg"
    assert out["dfa"]["left"]["alpha"] is None and "DFA needs" in out["dfa"]["left"]["reason"]
    assert {r["side"] for r in out["coordination"]} == {"left", "right"}
    assert "running_load" not in out


# -- properties ----------------------------------------------------------------------------

_finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=200, deadline=None)
@given(_finite, _finite)
def test_symmetry_indices_properties(left, right):
    sa = float(symmetry_angle_pct(left, right))
    assert -100.0 <= sa <= 100.0
    if left * right > 0:
        # swapping the legs flips the sign of both indices
        np.testing.assert_allclose(symmetry_angle_pct(right, left), -sa, atol=1e-9)
        np.testing.assert_allclose(robinson_si_pct(right, left), -robinson_si_pct(left, right))
        assert np.sign(sa) == np.sign(abs(right) - abs(left)) or abs(sa) < 1e-9


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=-170, max_value=170), st.floats(min_value=0.2, max_value=5.0))
def test_crp_recovers_any_phase_shift_and_amplitude_ratio(shift, ratio):
    u = np.linspace(0, 1, 101)
    p = np.sin(2 * np.pi * u)[None, :]
    d = ratio * np.sin(2 * np.pi * u - np.radians(shift))[None, :]
    np.testing.assert_allclose(continuous_relative_phase(p, d), shift, atol=1e-6)


def test_windows_spanning_missing_samples_are_not_measured():
    s = make_strides()
    a = make_angles(s, axial_amp={"left": 8.0, "right": 8.0})
    # drop 80 ms of left samples inside the stance of left stride 5 (IC at 6.0 s) and 30 ms
    # (bridged: BLE-like packet loss) inside stride 8
    t = a["time_s"]
    drop = (a["side"] == "left") & (((t > 6.10) & (t < 6.18)) | ((t > 9.10) & (t < 9.13)))
    r = compute_tibial_rotation(s, a[~drop])
    left = r[r.side == "left"].set_index("stride_id")
    assert np.isnan(left.loc[5, "tibial_ir_excursion_deg"])
    others = left.drop(index=5)["tibial_ir_excursion_deg"]
    np.testing.assert_allclose(others, 8.0, atol=1e-9)
    assert r[r.side == "right"]["tibial_ir_excursion_deg"].notna().all()


def test_same_named_input_columns_are_replaced_not_duplicated():
    s = make_strides(stride_s=0.7, stance_s=0.22, right_offset_s=0.38)
    s["step_time_s"] = -1.0  # e.g. a detector's own step-time definition
    a = make_angles(s, axial_amp={"left": 8.0, "right": 8.0}, stride_s=0.7, stance_s=0.22)
    m = compute_stride_metrics(s, a)
    assert list(m.columns).count("step_time_s") == 1
    assert list(m.columns).index("step_time_s") == list(s.columns).index("step_time_s")
    np.testing.assert_allclose(m.loc[m.side == "right", "step_time_s"], 0.38, atol=1e-9)
    assert (s["step_time_s"] == -1.0).all()  # input untouched


def test_loading_response_ending_at_contralateral_final_contact():
    s = make_strides()  # walking: left IC 1.0 + k, right IC 1.5 + k, stance 0.6 s
    a = make_angles(s, axial_amp={"left": 9.0, "right": 9.0})
    p = compute_pronation_proxies(s, a, loading_end="contralateral_fc")
    left = p[p.side == "left"].set_index("stride_id")["lr_tibial_ir_excursion_deg"]
    # left IC at 1 + k: right FC (1.5 + (k-1) + 0.6 = 1.1 + k) ends LR 0.1 s = 1/6 of stance
    # in: the triangle reaches (1/6) / 0.5 = 1/3 of its amplitude
    np.testing.assert_allclose(left.iloc[1:], 3.0, atol=1e-9)
    # stride 0 has no earlier right stride: its next right FC (2.1 s) is after its own FC
    # (1.6 s), so the window falls back to 20 % of stance (0.4 of the amplitude)
    np.testing.assert_allclose(left.iloc[0], 3.6, atol=1e-9)
    with pytest.raises(ConfigError, match="loading_end must be"):
        compute_pronation_proxies(s, a, loading_end="toe")


def test_compute_stride_metrics_keeps_the_callers_index():
    s = make_strides().set_index(pd.Index(np.arange(60) * 10 + 7))
    a = make_angles(s, axial_amp={"left": 8.0, "right": 12.0})
    m = compute_stride_metrics(s, a)
    assert m.index.equals(s.index)
    np.testing.assert_allclose(m.loc[m.side == "right", "tibial_ir_excursion_deg"], 12.0)


def test_block_bootstrap_keeps_coverage_for_serially_correlated_strides():
    from gaitkit.metrics import block_length_auto

    assert block_length_auto(150) == 1 and block_length_auto(1000) == 10

    def ar1(n, phi, rng):
        e = rng.normal(size=n + 200)
        x = np.empty_like(e)
        x[0] = e[0]
        for i in range(1, e.size):  # test data generator only
            x[i] = phi * x[i - 1] + e[i]
        return x[200:] * np.sqrt(1 - phi**2)

    rng = np.random.default_rng(8)
    hits = {"iid": 0, "auto": 0}
    for _ in range(40):
        left = 10 + ar1(1000, 0.8, rng)
        right = 10 + ar1(1000, 0.8, rng)
        df = _two_sided(left, right, "knee_flexion_rom_deg")
        df["ic_time_s"] = np.concatenate([np.arange(1000.0), np.arange(1000.0) + 0.5])
        for key, bl in (("iid", 1), ("auto", None)):
            r = symmetry_table(df, n_boot=300, block_length=bl)["knee_flexion_rom_deg"]
            hits[key] += r["ci95"][0] <= 0.0 <= r["ci95"][1]
    assert hits["auto"] >= 32 and hits["auto"] > hits["iid"] + 5, hits
    with pytest.raises(ConfigError, match="block_length must be a positive integer"):
        symmetry_table(df, block_length=0)
