"""``gaitkit decode``: JSON output on real vectors, one-line errors with exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gaitkit.cli import main

VECTORS = Path(__file__).parent / "vectors"


def _vector(family: str, vid: str) -> dict:
    vs = json.loads((VECTORS / f"{family}.json").read_text())["vectors"]
    return next(v for v in vs if v["id"] == vid)


def test_decode_witmotion_fragmented_stream(capsys):
    v = _vector("witmotion", "wit_stream_fragmented")  # derived vector
    assert main(["decode", "witmotion", *v["packet_hex"]]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["family"] == "witmotion" and len(doc["batches"]) == 2
    acc_g = np.array([b["acc_mps2"][0] for b in doc["batches"]]) / 9.80665
    np.testing.assert_allclose(acc_g, [f["acc_g"] for f in v["expected"]["frames"]], atol=1e-12)
    assert doc["batches"][1]["meta"]["angle_deg"] == [v["expected"]["frames"][1]["angle_deg"]]
    assert doc["stats"] == {
        "packets": 3,
        "samples": 2,
        "lost_samples": 0,
        "rejected_packets": 0,
        "stale_packets": 0,
    }


def test_decode_movesense_split_imu9_with_config(capsys):
    v = _vector("movesense", "ms_data_imu9_104hz_split")  # derived vector
    rc = main(
        [
            "decode",
            "movesense",
            *v["packet_hex"],
            "--config",
            "path=/Meas/IMU9/104",
            "--config",
            "reference=99",
        ]
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config"] == {"path": "/Meas/IMU9/104", "reference": 99}
    (b,) = doc["batches"]
    assert b["n_samples"] == 8
    np.testing.assert_allclose(b["mag_ut"], v["expected"]["magn_uT"])
    np.testing.assert_allclose(np.rad2deg(b["gyr_radps"]), v["expected"]["gyro_deg_s"])
    assert b["device_time_s"][0] == 987.654


def test_decode_thingy52(capsys):
    v = _vector("thingy52", "thingy_raw_fixed_point_mix")
    assert main(["decode", "thingy52", v["packet_hex"]]) == 0
    (b,) = json.loads(capsys.readouterr().out)["batches"]
    np.testing.assert_allclose(b["mag_ut"], [v["expected"]["compass_uT"]])


def test_unknown_family_is_one_line_exit_1(capsys):
    assert main(["decode", "fitbit", "00"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "gaitkit decode: error: FAMILY: unknown sensor family 'fitbit': expected one of "
        "polar_pmd, metawear, movesense, witmotion, thingy52, gaitkit_open\n"
    )


def test_protocol_error_is_one_line_exit_1(capsys):
    assert main(["decode", "thingy52", "0011"]) == 1
    assert capsys.readouterr().err == (
        "gaitkit decode: error: payload 1 of 1: thingy52: offset 2: expected 18-byte raw motion "
        "packet, found 2 bytes\n"
    )


def test_bad_hex_and_bad_config(capsys):
    assert main(["decode", "thingy52", "0g"]) == 1
    assert capsys.readouterr().err == (
        "gaitkit decode: error: payload 1 of 1: expected hex digits 0-9a-f, found 'g' in '0g'\n"
    )
    assert main(["decode", "thingy52", "00", "abc"]) == 1
    assert capsys.readouterr().err == (
        "gaitkit decode: error: payload 2 of 2: expected an even number of hex digits "
        "(whole bytes), found 3 in 'abc'\n"
    )
    assert main(["decode", "movesense", "0263"]) == 1
    assert capsys.readouterr().err.startswith(
        "gaitkit decode: error: --config for movesense: movesense decoder needs path="
    )
    assert main(["decode", "movesense", "0263", "--config", "path"]) == 1
    assert capsys.readouterr().err == (
        "gaitkit decode: error: --config: expected KEY=VALUE, found 'path'\n"
    )
    assert main(["decode", "thingy52", "00", "--config", "colour=red"]) == 1
    assert "--config for thingy52: " in capsys.readouterr().err


def test_decode_gaitkit_open_packet(capsys):
    from firmware_protocols import gaitkit_open as go

    (p,) = go.EXAMPLE_NOTIFICATIONS  # 3 samples, counter 1000, t = 5 s, ±16 g, 100 Hz
    assert main(["decode", "gaitkit_open", p.hex()]) == 0
    (b,) = json.loads(capsys.readouterr().out)["batches"]
    assert b["sample_index"] == [1000, 1001, 1002]
    assert b["device_time_s"] == [5.0, 5.01, 5.02]
    assert b["acc_mps2"][0] == [0.0, 0.0, 9.80665]  # 2048 counts at ±16 g = 1 g
    assert b["meta"]["device_id"] == 7


def test_decode_movesense_command_result(capsys):
    rc = main(
        ["decode", "movesense", "017b48656c6c6f", "0163c800", "--config", "path=/Meas/IMU6/104"]
    )
    assert rc == 0
    a, b = json.loads(capsys.readouterr().out)["batches"]
    assert a["n_samples"] == 0 and a["meta"]["text"] == "Hello"
    assert b["meta"]["status"] == 200


def test_prefixed_hex_accepted_and_nothing_decoded_is_said(capsys):
    assert main(["decode", "witmotion", "0x5561fcffefff110800000000000098ff0d00f831"]) == 0
    assert json.loads(capsys.readouterr().out)["stats"]["samples"] == 1
    assert main(["decode", "witmotion", "0000000000"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("gaitkit decode: warning: no samples decoded from 1 payload(s)")
    assert "5 byte(s) skipped" in err
