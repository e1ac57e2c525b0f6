"""``gaitkit simulate``: write a simulated recording and its ground truth."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]

_SIDES = ("left", "right")
_PLACEMENTS = ("shank_left", "shank_right", "thigh_left", "thigh_right")


def _side_value(text: str) -> tuple[str, float]:
    side, sep, value = text.partition("=")
    side = side.strip().lower()
    if not sep or side not in _SIDES:
        raise argparse.ArgumentTypeError(
            f"expected SIDE=VALUE with SIDE left or right, got {text!r}"
        )
    try:
        return side, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number after '{side}=', got {value!r}"
        ) from None


def _placement(text: str) -> str:
    if text not in _PLACEMENTS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(_PLACEMENTS)}, got {text!r}")
    return text


def _placements(text: str) -> tuple[str, ...]:
    return tuple(_placement(p.strip()) for p in text.split(",") if p.strip())


def register(subparsers: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = subparsers.add_parser(
        "simulate",
        help="simulate shank/thigh IMU recordings with exact ground truth",
        description=(
            "Simulate shank and thigh IMUs of both legs walking or running from a kinematic leg "
            "model, and write the recording (gaitkit CSV + JSON sidecar) plus its ground truth: "
            "<stem>.events.csv, <stem>.strides.csv, <stem>.angles.csv, <stem>.impacts.csv and "
            "<stem>.truth.json."
        ),
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="recording file to write (.csv); truth files take its stem",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument(
        "--duration",
        type=float,
        default=60.0,
        metavar="S",
        help="total duration in seconds, standing included (default 60)",
    )
    p.add_argument(
        "--activity", choices=("walk", "run"), default="walk", help="walk or run (default walk)"
    )
    p.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="M_PER_S",
        help="speed in m/s (default 1.3 walking, 3.5 running)",
    )
    p.add_argument(
        "--cadence",
        type=float,
        default=None,
        metavar="STEPS_PER_MIN",
        help="cadence in steps/min (default: from the speed)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--rate", type=float, default=100.0, metavar="HZ", help="sampling rate in Hz (default 100)"
    )
    p.add_argument(
        "--stride-cv",
        type=float,
        default=2.0,
        metavar="PCT",
        help="stride-time coefficient of variation in %% (default 2)",
    )
    p.add_argument(
        "--amplitude-cv",
        type=float,
        default=3.0,
        metavar="PCT",
        help="per-stride angle amplitude variation in %% (default 3)",
    )
    p.add_argument(
        "--asymmetry",
        type=float,
        default=0.0,
        metavar="PCT",
        help="right step longer than left step by this %% (signed, default 0)",
    )
    p.add_argument(
        "--extra-tibial-ir",
        type=_side_value,
        action="append",
        default=[],
        metavar="SIDE=DEG",
        help="extra tibial internal rotation in loading response on a side, e.g. "
        "right=5 (repeatable)",
    )
    p.add_argument(
        "--hip-rom-scale",
        type=_side_value,
        action="append",
        default=[],
        metavar="SIDE=X",
        help="scale of the thigh sagittal range on a side, e.g. left=0.7 (repeatable)",
    )
    p.add_argument(
        "--misalignment",
        type=float,
        default=0.0,
        metavar="DEG",
        help="random sensor rotation about the segment axis, up to DEG",
    )
    p.add_argument(
        "--tilt",
        type=float,
        default=0.0,
        metavar="DEG",
        help="random sensor tilt off the segment axis, up to DEG",
    )
    p.add_argument(
        "--upside-down",
        type=_placement,
        action="append",
        default=[],
        metavar="PLACEMENT",
        help="mount this sensor upside down (repeatable)",
    )
    p.add_argument(
        "--sensor-axes",
        choices=("segment", "skin"),
        default="segment",
        help="nominal sensor axes: ISB segment axes or skin-normal z (default segment)",
    )
    p.add_argument(
        "--dropped",
        type=float,
        default=0.0,
        metavar="PCT",
        help="percentage of rows dropped in bursts, as BLE loss (default 0)",
    )
    p.add_argument(
        "--standing",
        type=float,
        nargs=2,
        default=(5.0, 5.0),
        metavar=("START_S", "END_S"),
        help="quiet standing at start and end in seconds (default 5 5)",
    )
    p.add_argument(
        "--placements",
        type=_placements,
        default=_PLACEMENTS,
        metavar="LIST",
        help="comma-separated placements (default all four)",
    )
    p.add_argument(
        "--acc-noise",
        type=float,
        default=0.03,
        metavar="M_PER_S2",
        help="accelerometer white-noise SD in m/s² (default 0.03)",
    )
    p.add_argument(
        "--gyr-noise",
        type=float,
        default=0.001,
        metavar="RAD_PER_S",
        help="gyroscope white-noise SD in rad/s (default 0.001)",
    )
    p.add_argument(
        "--gyr-bias",
        type=float,
        default=0.02,
        metavar="RAD_PER_S",
        help="gyroscope bias magnitude in rad/s, random direction (default 0.02)",
    )
    p.add_argument(
        "--gyr-bias-rw",
        type=float,
        default=0.0,
        metavar="RAD_PER_S_SQRT_S",
        help="gyroscope bias random walk density in rad/s/√s (default 0)",
    )
    p.add_argument(
        "--acc-bias",
        type=float,
        default=0.0,
        metavar="M_PER_S2",
        help="accelerometer bias magnitude in m/s², random direction (default 0)",
    )
    p.add_argument(
        "--acc-range",
        type=float,
        default=16.0,
        metavar="G",
        help="accelerometer full-scale range in g (default 16)",
    )
    p.add_argument(
        "--gyr-range",
        type=float,
        default=2000.0,
        metavar="DEG_PER_S",
        help="gyroscope full-scale range in °/s (default 2000)",
    )
    p.add_argument(
        "--impact",
        type=float,
        default=None,
        metavar="G",
        help="mean heel-strike transient on the tibia in g (default: by activity)",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gaitkit.io._simulation import write_simulation
    from gaitkit.simulate import SimulationConfig, simulate_gait

    cfg = SimulationConfig(
        duration_s=args.duration,
        activity=args.activity,
        speed_mps=args.speed,
        cadence_spm=args.cadence,
        stride_time_cv_pct=args.stride_cv,
        amplitude_cv_pct=args.amplitude_cv,
        step_time_asymmetry_pct=args.asymmetry,
        extra_tibial_internal_rotation_deg={
            "left": 0.0,
            "right": 0.0,
            **dict(args.extra_tibial_ir),
        },
        hip_rom_scale={"left": 1.0, "right": 1.0, **dict(args.hip_rom_scale)},
        sampling_rate_hz=args.rate,
        acc_noise_mps2=args.acc_noise,
        gyr_noise_radps=args.gyr_noise,
        gyr_bias_radps=args.gyr_bias,
        gyr_bias_rw_radps_per_sqrt_s=args.gyr_bias_rw,
        acc_bias_mps2=args.acc_bias,
        acc_range_g=args.acc_range,
        gyr_range_dps=args.gyr_range,
        misalignment_deg=args.misalignment,
        tilt_deg=args.tilt,
        upside_down={p: True for p in args.upside_down},
        sensor_axes=args.sensor_axes,
        dropped_samples_pct=args.dropped,
        standing_s=tuple(args.standing),
        placements=tuple(args.placements),
        impact_g=args.impact,
        seed=args.seed,
    )
    if not args.overwrite:
        from pathlib import Path

        from gaitkit.errors import InputFormatError
        from gaitkit.io import sidecar_path
        from gaitkit.io._simulation import truth_paths

        out = Path(args.out)
        for f in (out, sidecar_path(out), *truth_paths(out).values()):
            if f.exists():
                raise InputFormatError("exists; pass --overwrite to replace it", path=f)
    sim = simulate_gait(cfg)
    paths = write_simulation(sim, args.out)
    st = sim.strides
    print(
        f"simulated {cfg.activity} {cfg.duration_s:g} s at {cfg.effective_speed_mps:g} m/s, "
        f"{cfg.effective_cadence_spm:.1f} steps/min, {sim.recording.n_samples} samples, "
        f"{len(st)} strides ({int(st['valid'].sum())} steady), seed {cfg.seed}"
    )
    for path in paths:
        print(f"wrote {path}")
    return 0
