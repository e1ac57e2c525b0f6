import numpy as np
import pandas as pd
import pytest

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.evaluation import (
    agreement_statistics,
    event_agreement,
    match_events,
    stride_agreement,
)


def ev(side, event, times):
    return pd.DataFrame({"side": side, "event": event, "time_s": np.asarray(times, float)})


def test_match_counts_and_pairs_exact():
    ref = pd.concat([ev("left", "ic", [1.0, 2.0, 3.0]), ev("right", "ic", [1.5, 2.5])])
    det = pd.concat(
        [ev("left", "ic", [1.02, 2.2, 2.99]), ev("right", "ic", [1.49]), ev("right", "fc", [2.5])]
    )
    m = match_events(det, ref, tolerance_s=0.05)
    assert (m.tp, m.fp, m.fn) == (3, 2, 2)
    assert m.pairs["reference_time_s"].tolist() == [1.0, 1.5, 3.0]
    np.testing.assert_allclose(m.pairs["error_s"], [0.02, -0.01, -0.01], atol=1e-12)
    # 2.2 (too far) and the fc (no fc in the reference) are false positives
    assert sorted(m.false_positives["time_s"].tolist()) == [2.2, 2.5]
    assert sorted(m.false_negatives["time_s"].tolist()) == [2.0, 2.5]


def test_match_is_optimal_not_greedy():
    # greedy nearest would pair 1.04 with 1.0 first... here detection 1.00 is nearest to ref
    # 1.03 but taking it would leave ref 0.96 unmatched; the optimal pairing matches both.
    ref = ev("left", "ic", [0.96, 1.03])
    det = ev("left", "ic", [1.00, 1.07])
    m = match_events(det, ref, tolerance_s=0.05)
    assert m.tp == 2 and m.fp == 0 and m.fn == 0
    pairs = dict(zip(m.pairs["detected_time_s"], m.pairs["reference_time_s"], strict=True))
    assert pairs == {1.00: 0.96, 1.07: 1.03}


def test_one_to_one_duplicates():
    ref = ev("left", "ms", [5.0])
    det = ev("left", "ms", [4.99, 5.01, 5.02])
    m = match_events(det, ref, tolerance_s=0.1)
    assert (m.tp, m.fp, m.fn) == (1, 2, 0)


def test_event_agreement_values():
    ref = ev("left", "ic", [1.0, 2.0, 3.0, 4.0])
    det = ev("left", "ic", [1.01, 2.03, 2.99, 9.0])
    a = event_agreement(det, ref, tolerance_s=0.05)
    row = a.iloc[0]
    assert row["event"] == "ic"
    assert (row["tp"], row["fp"], row["fn"]) == (3, 1, 1)
    assert row["precision"] == pytest.approx(0.75)
    assert row["recall"] == pytest.approx(0.75)
    assert row["f1"] == pytest.approx(0.75)
    e = np.array([0.01, 0.03, -0.01])
    assert row["bias_s"] == pytest.approx(e.mean())
    assert row["sd_s"] == pytest.approx(e.std(ddof=1))
    assert row["mae_s"] == pytest.approx(np.abs(e).mean())
    assert row["loa_upper_s"] == pytest.approx(e.mean() + 1.96 * e.std(ddof=1))
    assert row["loa_lower_s"] == pytest.approx(e.mean() - 1.96 * e.std(ddof=1))


def test_event_agreement_by_side_and_event():
    ref = pd.concat([ev("left", "ic", [1.0]), ev("right", "fc", [1.0])])
    det = pd.concat([ev("left", "ic", [1.0]), ev("right", "fc", [1.2])])
    a = event_agreement(det, ref, tolerance_s=0.1, by=("side", "event"))
    assert a[["side", "event", "tp", "fp", "fn"]].to_numpy().tolist() == [
        ["left", "ic", 1, 0, 0],
        ["right", "fc", 0, 1, 1],
    ]


def test_agreement_statistics_small_n():
    s = agreement_statistics(np.array([0.02]))
    assert s["n"] == 1 and s["bias"] == pytest.approx(0.02) and np.isnan(s["sd"])
    s0 = agreement_statistics(np.array([]))
    assert s0["n"] == 0 and np.isnan(s0["mae"])


def test_stride_agreement():
    ref = pd.DataFrame(
        {
            "side": "left",
            "ic_time_s": [0.0, 1.0, 2.0],
            "stride_time_s": [1.0, 1.0, 1.0],
            "stance_time_s": [0.6, 0.6, 0.6],
        }
    )
    det = pd.DataFrame(
        {
            "side": "left",
            "ic_time_s": [0.01, 1.02, 5.0],
            "stride_time_s": [1.01, 0.98, 1.0],
            "stance_time_s": [0.62, 0.6, 0.5],
        }
    )
    a = stride_agreement(det, ref, tolerance_s=0.05).set_index("quantity")
    assert list(a.index) == ["stride_time_s", "stance_time_s"]
    assert (a.loc["stride_time_s", "tp"], a.loc["stride_time_s", "fp"]) == (2, 1)
    assert a.loc["stride_time_s", "f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert a.loc["stride_time_s", "bias_s"] == pytest.approx((0.01 - 0.02) / 2)
    assert a.loc["stance_time_s", "mae_s"] == pytest.approx(0.01)


def test_errors_name_the_problem():
    ref = ev("left", "ic", [1.0])
    with pytest.raises(InputFormatError, match=r"detected needs columns .* missing 'event'"):
        match_events(ref.drop(columns="event"), ref)
    bad = ev("left", "ic", [np.nan])
    with pytest.raises(InputFormatError, match="reference row 0: time_s must be a finite number"):
        match_events(ref, bad)
    with pytest.raises(ConfigError, match="tolerance_s must be a finite number > 0, got -1"):
        match_events(ref, ref, tolerance_s=-1)
    with pytest.raises(ConfigError, match="by must be a subset"):
        event_agreement(ref, ref, by=("bout",))
    with pytest.raises(InputFormatError, match=r"reference strides need columns .* 'ic_time_s'"):
        stride_agreement(
            pd.DataFrame({"side": ["left"], "ic_time_s": [0.0], "stride_time_s": [1.0]}),
            pd.DataFrame({"side": ["left"], "stride_time_s": [1.0]}),
        )


def test_empty_inputs():
    empty = ev("left", "ic", [])
    m = match_events(empty, ev("left", "ic", [1.0]))
    assert (m.tp, m.fp, m.fn) == (0, 0, 1)


def test_dont_care_reference_rows():
    ref = ev("left", "ic", [1.0, 2.0, 3.0, 4.0])
    ref["steady"] = [False, True, True, False]
    det = ev("left", "ic", [1.01, 2.0, 3.5])
    m = match_events(det, ref, tolerance_s=0.05, reference_scored="steady")
    # 1.01 matches a don't-care row: neither TP nor FP; 4.0 unmatched but don't care: not FN
    assert (m.tp, m.fp, m.fn) == (1, 1, 1)
    assert m.false_negatives["time_s"].tolist() == [3.0]
    a = event_agreement(det, ref, tolerance_s=0.05, reference_scored="steady").iloc[0]
    assert (a["n_reference"], a["tp"], a["fp"], a["fn"]) == (2, 1, 1, 1)
    with pytest.raises(InputFormatError, match="reference has no column 'nope'"):
        match_events(det, ref, reference_scored="nope")


def test_stride_agreement_dont_care():
    ref = pd.DataFrame(
        {
            "side": "left",
            "ic_time_s": [0.0, 1.0, 2.0],
            "stride_time_s": [1.0, 1.0, 1.0],
            "valid": [False, True, True],
        }
    )
    det = pd.DataFrame({"side": "left", "ic_time_s": [1.0, 2.0], "stride_time_s": [1.0, 1.0]})
    a = stride_agreement(det, ref, tolerance_s=0.05, reference_scored="valid").iloc[0]
    assert (a["n_reference"], a["tp"], a["fp"], a["fn"], a["f1"]) == (2, 2, 0, 0, 1.0)


def test_perfect_detection_has_no_errors_listed():
    ref = pd.concat([ev("left", "ic", [1.0, 2.0]), ev("right", "fc", [1.5])])
    a = event_agreement(ref, ref, tolerance_s=0.05).set_index("event")
    assert a.loc["ic", "f1"] == 1.0 and a.loc["fc", "fn"] == 0 and a.loc["ic", "mae_s"] == 0.0
