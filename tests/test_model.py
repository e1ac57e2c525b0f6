"""The Recording container: validation, immutability, views."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gaitkit.errors import RecordingError
from gaitkit.model import Annotation, Recording, RecordingMeta, SensorStream, check_recording


def _stream(n: int, seed: int = 0) -> SensorStream:
    rng = np.random.default_rng(seed)
    return SensorStream(rng.normal(size=(n, 3)), rng.normal(size=(n, 3)))


def _rec(n: int = 100) -> Recording:
    return Recording(
        np.arange(n) / 100.0,
        100.0,
        {"thigh_left": _stream(n, 1), "shank_left": _stream(n, 2)},
        RecordingMeta(subject="s01"),
        (Annotation("gap", 0.1, 0.2, "shank_left", None, "2 samples missing"),),
    )


def test_canonical_order_views_and_frames():
    rec = _rec()
    assert rec.placements == ("shank_left", "thigh_left")
    assert rec.n_samples == 100
    assert rec.duration_s == pytest.approx(1.0)
    wide = rec.to_frame()
    assert list(wide.columns[:4]) == [
        "time_s",
        "shank_left_acc_x",
        "shank_left_acc_y",
        "shank_left_acc_z",
    ]
    np.testing.assert_array_equal(
        wide["thigh_left_gyr_z"], rec.streams["thigh_left"].gyr_radps[:, 2]
    )
    sf = rec.stream_frame("shank_left")
    assert sf.index.name == "time_s" and list(sf.columns) == [
        "acc_x",
        "acc_y",
        "acc_z",
        "gyr_x",
        "gyr_y",
        "gyr_z",
    ]
    ann = rec.annotations
    assert list(ann.columns) == ["kind", "placement", "channel", "start_s", "end_s", "detail"]
    assert ann.loc[0, "kind"] == "gap"


def test_immutable():
    rec = _rec()
    with pytest.raises(ValueError, match="read-only"):
        rec.streams["shank_left"].acc_mps2[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        rec.time_s[0] = 5.0
    with pytest.raises(TypeError):
        rec.streams["pelvis"] = _stream(100)  # type: ignore[index]
    # the frames handed out are copies
    df = rec.to_frame()
    df.loc[0, "shank_left_acc_x"] = 123.0
    assert rec.streams["shank_left"].acc_mps2[0, 0] != 123.0


def test_input_arrays_are_copied():
    acc = np.zeros((10, 3))
    s = SensorStream(acc, np.zeros((10, 3)))
    acc[0, 0] = 7.0
    assert s.acc_mps2[0, 0] == 0.0


def test_select_and_slice():
    rec = _rec()
    sub = rec.select(["thigh_left"])
    assert sub.placements == ("thigh_left",)
    assert len(sub.annotation_rows) == 0  # the shank's gap went with the shank
    part = rec.slice_time(0.15, 0.5)
    assert part.n_samples == 35
    assert part.annotation_rows[0].start_s == pytest.approx(0.15)
    assert rec.with_annotations([Annotation("note", 0, 0.5)]).annotations.shape[0] == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sampling_rate_hz": 0.0}, "sampling_rate_hz must be finite and > 0, got 0.0"),
        ({"sampling_rate_hz": None}, "sampling_rate_hz must be a number, got None"),
        ({"streams": {}}, "at least one stream"),
        ({"streams": {"knee_left": _stream(5)}}, "unknown placement 'knee_left'"),
        (
            {"streams": {"shank_left": _stream(4)}},
            "stream 'shank_left' has 4 samples but time_s has 5",
        ),
        ({"time_s": [0.0, 0.1, 0.1, 0.3, 0.4]}, "sample 2 (0.1 s) follows 0.1 s"),
        ({"time_s": [0.0, 0.1, np.nan, 0.3, 0.4]}, "time_s must be finite; sample 2 is nan"),
        ({"time_s": [[0.0]] * 5}, r"time_s must have shape \(n, \)"),
    ],
)
def test_validation_messages(kwargs, message):
    args = {
        "time_s": np.arange(5) / 10.0,
        "sampling_rate_hz": 10.0,
        "streams": {"shank_left": _stream(5)},
    }
    args.update(kwargs)
    with pytest.raises(RecordingError, match=message if "shape" in message else re.escape(message)):
        Recording(**args)


def test_stream_and_annotation_validation():
    with pytest.raises(RecordingError, match=r"acc_mps2 must have shape \(n, 3\), got \(5, 2\)"):
        SensorStream(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(RecordingError, match="differ in length"):
        SensorStream(np.zeros((5, 3)), np.zeros((4, 3)))
    with pytest.raises(RecordingError, match="annotation kind must be one of"):
        Annotation("blip", 0, 1)
    with pytest.raises(RecordingError, match="finite start_s <= end_s"):
        Annotation("gap", 2, 1)
    with pytest.raises(RecordingError, match="names placement 'thigh_right', not in the recording"):
        Recording(
            np.arange(5.0),
            1.0,
            {"shank_left": _stream(5)},
            annotation_rows=(Annotation("gap", 0, 1, "thigh_right"),),
        )


def test_check_recording():
    rec = _rec()
    assert check_recording(rec) is rec
    with pytest.raises(RecordingError, match="expected a gaitkit Recording, got DataFrame"):
        check_recording(rec.to_frame())


def test_repr_is_one_line():
    text = repr(_rec())
    assert "\n" not in text and len(text) < 200
    assert text.startswith("Recording(shank_left, thigh_left; 100 samples, 1.000 s at 100 Hz")
