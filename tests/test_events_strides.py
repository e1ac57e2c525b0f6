import numpy as np
import pandas as pd
import pytest

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.events import STRIDE_TABLE_COLUMNS, segment_strides
from gaitkit.metrics import compute_temporal
from gaitkit.schema import STRIDE_COLUMNS


def walking_events(n=6, stride=1.0, stance=0.6, offset=0.5):
    """Left IC at k*stride, right IC half a stride later; FC at IC + stance."""
    rows = []
    for side, t0 in (("left", 0.0), ("right", offset)):
        for k in range(n):
            ic = t0 + k * stride
            rows += [(side, "ic", ic), (side, "fc", ic + stance), (side, "ms", ic + 0.8 * stride)]
    return pd.DataFrame(rows, columns=["side", "event", "time_s"])


def test_columns_and_known_values_walking():
    s = segment_strides(walking_events(), reject_bout_edges=False)
    assert tuple(s.columns[: len(STRIDE_COLUMNS)]) == STRIDE_COLUMNS
    assert tuple(s.columns) == STRIDE_TABLE_COLUMNS
    assert (s.groupby("side").size() == 5).all()
    np.testing.assert_allclose(s["stride_time_s"], 1.0)
    np.testing.assert_allclose(s["stance_time_s"], 0.6)
    np.testing.assert_allclose(s["swing_time_s"], 0.4)
    np.testing.assert_allclose(s["stance_pct"], 60.0)
    left = s[s["side"] == "left"]
    # step 0.5 s; initial DS: right FC (prev right IC -0.5 + 0.6 = 0.1) - left IC 0 = 0.1;
    # terminal DS: left FC 0.6 - right IC 0.5 = 0.1
    first = left.iloc[1]
    assert first["initial_double_support_time_s"] == pytest.approx(0.1)
    assert first["terminal_double_support_time_s"] == pytest.approx(0.1)
    assert first["double_support_time_s"] == pytest.approx(0.2)
    assert first["double_support_pct"] == pytest.approx(20.0)
    # step and flight are defined once, in metrics.compute_temporal, from these tables
    temporal = compute_temporal(s).set_index(["side", "stride_id"])
    key = ("left", first["stride_id"])
    assert temporal.loc[key, "step_time_s"] == pytest.approx(0.5)
    assert temporal.loc[key, "flight_time_s"] == pytest.approx(0.0)
    assert s["valid"].all() == (s["reject_reason"] == "").all()


def test_running_flight_time():
    # stride 0.7 s, stance 0.25 s: contralateral FC at -0.35+0.25=-0.1 before IC → flight
    s = segment_strides(
        walking_events(stride=0.7, stance=0.25, offset=0.35), reject_bout_edges=False
    )
    row = s[s["side"] == "left"].iloc[2]
    assert row["initial_double_support_time_s"] == pytest.approx(-0.1)
    assert row["terminal_double_support_time_s"] == pytest.approx(0.25 - 0.35)
    assert row["double_support_time_s"] == pytest.approx(0.0)
    # this leg's flight: from its own toe-off (0.25 s) to the other leg's IC (0.35 s)
    temporal = compute_temporal(s).set_index(["side", "stride_id"])
    assert temporal.loc[("left", row["stride_id"]), "flight_time_s"] == pytest.approx(0.1)


def test_rejections_kept_with_reasons():
    ev = walking_events(n=8)
    # drop one left FC, stretch one left stride, flag a suspect event, split by segment
    ev = ev[~((ev["side"] == "left") & (ev["event"] == "fc") & np.isclose(ev["time_s"], 2.6))]
    ev.loc[
        (ev["side"] == "left") & (ev["event"] == "ic") & np.isclose(ev["time_s"], 5.0), "time_s"
    ] = 5.6
    ev["quality_flags"] = ""
    ev.loc[(ev["side"] == "right") & np.isclose(ev["time_s"], 3.5), "quality_flags"] = (
        "suspect_gyro"
    )
    ev["segment_id"] = np.where(ev["time_s"] > 6.9, 1, 0)
    s = segment_strides(ev)
    left = s[s["side"] == "left"].set_index("ic_time_s")
    assert left.loc[0.0, "reject_reason"] == "bout_edge"
    assert left.loc[2.0, "reject_reason"] == "missing_fc"
    assert "implausible_stride_time" in left.loc[4.0, "reject_reason"]
    assert "crosses_gap" in left.loc[6.0, "reject_reason"]
    assert left.loc[1.0, "valid"] and left.loc[1.0, "reject_reason"] == ""
    right = s[s["side"] == "right"].set_index("ic_time_s")
    assert right.loc[3.5, "reject_reason"] == "suspect_gyro"
    assert right.loc[2.5, "reject_reason"] == "suspect_gyro"  # its next IC is suspect
    assert len(s) == 14  # nothing dropped
    assert (~s["valid"] == (s["reject_reason"] != "")).all()


def test_bouts_separate_strides():
    ev = walking_events(n=8)
    ev["bout_id"] = np.where(ev["time_s"] < 3.9, 0, 1)
    s = segment_strides(ev, reject_bout_edges=False)
    # the stride from IC 3.0 to IC 4.0 would cross bouts: not formed
    assert not ((s["side"] == "left") & (s["ic_time_s"] == 3.0)).any()
    assert set(s["bout_id"]) == {0, 1}


def test_errors():
    with pytest.raises(InputFormatError, match=r"events need columns .* missing 'time_s'"):
        segment_strides(pd.DataFrame({"side": ["left"], "event": ["ic"]}))
    with pytest.raises(InputFormatError, match="events must be a DataFrame, got list"):
        segment_strides([1, 2])
    with pytest.raises(ConfigError, match="max_stride_deviation must be in"):
        segment_strides(walking_events(), max_stride_deviation=2.0)
    with pytest.raises(InputFormatError, match=r"bouts need columns .* missing 'activity'"):
        segment_strides(
            walking_events(), pd.DataFrame({"bout_id": [0], "start_s": [0.0], "end_s": [9.0]})
        )


def test_empty_events():
    s = segment_strides(pd.DataFrame({"side": [], "event": [], "time_s": []}))
    assert len(s) == 0 and tuple(s.columns) == STRIDE_TABLE_COLUMNS
