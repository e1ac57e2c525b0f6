"""Configuration of the gait simulator: :class:`SimulationConfig`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from gaitkit.errors import ConfigError
from gaitkit.frames import REQUIRED_PLACEMENTS

__all__ = ["SimulationConfig", "default_cadence_spm", "default_speed_mps"]

_SIDES = ("left", "right")

#: Allowed speed ranges per activity (m/s); outside them the normative curves are extrapolated
#: too far to be trusted.
SPEED_RANGE_MPS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"walk": (0.4, 2.2), "run": (1.8, 7.0)}
)
#: Allowed cadence range (steps/min).
CADENCE_RANGE_SPM: tuple[float, float] = (40.0, 240.0)


def default_speed_mps(activity: str) -> float:
    """Default speed: 1.3 m/s walking, 3.5 m/s running."""
    return 1.3 if activity == "walk" else 3.5


def default_cadence_spm(activity: str, speed_mps: float) -> float:
    """Cadence (steps/min) expected at a speed when none is given.

    Walking uses the *walk ratio* (step length / step rate), which stays close to constant in
    healthy adults over a wide range of speeds, about 0.006 m·min/step (Sekiya & Nagasaki
    1998, Gait Posture 7:225-227); we use ``WR = 0.0064``. With ``SL = WR·cad`` and
    ``v = SL·cad/60``, ``cad = sqrt(60·v / WR)``: 110 steps/min at 1.3 m/s, 92 at 0.9 m/s,
    130 at 1.8 m/s.

    Running uses ``cad = 150 + 6·v`` (steps/min, v in m/s): ≈171 steps/min at 3.5 m/s, rising
    slowly with speed because stride length, not rate, carries most of a speed increase
    (Cavanagh & Kram 1989, Med Sci Sports Exerc 21:467-479). The coefficients are our choice,
    placed in the range of preferred step rates of recreational runners (160-180 steps/min);
    they are not a fit to a published table.
    """
    if activity == "walk":
        return math.sqrt(60.0 * speed_mps / 0.0064)
    return 150.0 + 6.0 * speed_mps


def _num(
    name: str, value: Any, lo: float | None = None, hi: float | None = None, lo_open: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"SimulationConfig.{name} must be a finite number, got {value!r}")
    v = float(value)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        rel = ">" if lo_open else ">="
        raise ConfigError(f"SimulationConfig.{name} must be {rel} {lo:g}, got {v:g}")
    if hi is not None and v > hi:
        raise ConfigError(f"SimulationConfig.{name} must be <= {hi:g}, got {v:g}")
    return v


def _side_map(name: str, value: Any, default: float, lo: float, hi: float) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"SimulationConfig.{name} must be a mapping {{'left': x, 'right': y}}, "
            f"got {type(value).__name__}"
        )
    bad = [k for k in value if k not in _SIDES]
    if bad:
        raise ConfigError(f"SimulationConfig.{name} keys must be 'left'/'right', got {bad[0]!r}")
    out = {s: _num(f"{name}[{s!r}]", value.get(s, default), lo, hi) for s in _SIDES}
    return MappingProxyType(out)


@dataclass(frozen=True)
class SimulationConfig:
    """Parameters of :func:`gaitkit.simulate.simulate_gait` (validated, JSON round-trip).

    Attributes
    ----------
    duration_s
        Total length of the recording in seconds, standing periods included.
    activity
        ``"walk"`` or ``"run"``.
    speed_mps
        Mean forward speed; ``None``: 1.3 m/s walking, 3.5 m/s running. Allowed 0.4-2.2 m/s
        walking, 1.8-7.0 m/s running.
    cadence_spm
        Mean cadence in steps/min; ``None``: from the speed, see :func:`default_cadence_spm`.
    stride_time_cv_pct
        Coefficient of variation of stride time (white, stride to stride), 0-10 %.
    amplitude_cv_pct
        Coefficient of variation of the per-stride amplitude of every angle curve around its
        mean, 0-20 %.
    step_time_asymmetry_pct
        Right step time longer than left step time by this percentage (signed, -40..40). The
        right step ends with a right initial contact.
    extra_tibial_internal_rotation_deg
        Per side: extra tibial internal-rotation excursion (degrees, 0-30) added from initial
        contact to its peak in early stance and released by toe-off (over-pronation), with
        half of it as shank abduction (the knee moving medially over the foot).
    hip_rom_scale
        Per side: scale of the thigh sagittal excursion around its cycle mean (0.2-2).
    sampling_rate_hz
        Output sampling rate.
    acc_noise_mps2, gyr_noise_radps
        White-noise standard deviation per sample and axis. Defaults follow the MPU-6050 noise
        densities (400 µg/√Hz and 0.005 °/s/√Hz; InvenSense PS-MPU-6000A-00 rev. 3.4) over a
        ~50 Hz bandwidth (0.028 m/s², 0.0006 rad/s), rounded up to 0.03 m/s² and 0.001 rad/s
        because body-worn sensors are noisier than the bench figure.
    gyr_bias_radps
        Magnitude of the constant gyroscope bias vector (random direction per sensor). Default
        0.02 rad/s (1.1 °/s): a residual turn-on bias of consumer MEMS gyroscopes (the BMI160
        datasheet gives ±3 °/s zero-rate offset before calibration).
    gyr_bias_rw_radps_per_sqrt_s
        Bias random walk (rate random walk density), 0 for none.
    acc_bias_mps2
        Magnitude of a constant accelerometer bias vector (random direction), 0 for none.
    acc_range_g, gyr_range_dps
        Full-scale ranges; samples beyond them are clipped.
    misalignment_deg
        Each sensor is rotated about the segment's long axis by a uniform random angle in
        ``[-misalignment_deg, misalignment_deg]``.
    tilt_deg
        Each sensor's long axis is tilted off the segment's by a uniform random angle in
        ``[0, tilt_deg]`` about a random axis perpendicular to the segment.
    upside_down
        Per placement: mount the sensor rotated 180° about its own z axis.
    sensor_axes
        Nominal mounting before the perturbations above. ``"segment"``: sensor axes equal the
        ISB segment axes (x anterior, y up along the segment, z right) on every placement.
        ``"skin"``: sensor y up along the segment and sensor z normal to the skin, pointing
        out (lateral thigh, anteromedial tibia at 45° from anterior), x = y × z.
    dropped_samples_pct
        Percentage of rows removed (bursts of 1-5 samples, as BLE packet loss), 0-50.
    standing_s
        Quiet standing at the start and at the end (s), legs vertical.
    placements
        Sensors to simulate (subset of shank/thigh, left/right).
    impact_g
        Mean amplitude (g) of the heel-strike transient added along the tibial axis at every
        initial contact; ``None``: 1.5 g·(v/1.3) walking, 6 g·(v/3.5) running.
    seed
        Seed of the random generator; the same config gives the same simulation.
    """

    duration_s: float = 60.0
    activity: Literal["walk", "run"] = "walk"
    speed_mps: float | None = None
    cadence_spm: float | None = None
    stride_time_cv_pct: float = 2.0
    amplitude_cv_pct: float = 3.0
    step_time_asymmetry_pct: float = 0.0
    extra_tibial_internal_rotation_deg: Mapping[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    hip_rom_scale: Mapping[str, float] = field(default_factory=lambda: {"left": 1.0, "right": 1.0})
    sampling_rate_hz: float = 100.0
    acc_noise_mps2: float = 0.03
    gyr_noise_radps: float = 0.001
    gyr_bias_radps: float = 0.02
    gyr_bias_rw_radps_per_sqrt_s: float = 0.0
    acc_bias_mps2: float = 0.0
    acc_range_g: float = 16.0
    gyr_range_dps: float = 2000.0
    misalignment_deg: float = 0.0
    tilt_deg: float = 0.0
    upside_down: Mapping[str, bool] = field(default_factory=dict)
    sensor_axes: Literal["segment", "skin"] = "segment"
    dropped_samples_pct: float = 0.0
    standing_s: tuple[float, float] = (5.0, 5.0)
    placements: tuple[str, ...] = REQUIRED_PLACEMENTS
    impact_g: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        s = object.__setattr__
        if self.activity not in ("walk", "run"):
            raise ConfigError(
                f"SimulationConfig.activity must be 'walk' or 'run', got {self.activity!r}"
            )
        if self.sensor_axes not in ("segment", "skin"):
            raise ConfigError(
                "SimulationConfig.sensor_axes must be 'segment' or 'skin', "
                f"got {self.sensor_axes!r}"
            )
        if self.speed_mps is not None:
            lo, hi = SPEED_RANGE_MPS[self.activity]
            s(self, "speed_mps", _num("speed_mps", self.speed_mps, lo, hi))
        if self.cadence_spm is not None:
            s(self, "cadence_spm", _num("cadence_spm", self.cadence_spm, *CADENCE_RANGE_SPM))
        s(self, "sampling_rate_hz", _num("sampling_rate_hz", self.sampling_rate_hz, 10.0, 5000.0))
        s(
            self,
            "stride_time_cv_pct",
            _num("stride_time_cv_pct", self.stride_time_cv_pct, 0.0, 10.0),
        )
        s(self, "amplitude_cv_pct", _num("amplitude_cv_pct", self.amplitude_cv_pct, 0.0, 20.0))
        s(
            self,
            "step_time_asymmetry_pct",
            _num("step_time_asymmetry_pct", self.step_time_asymmetry_pct, -40.0, 40.0),
        )
        s(
            self,
            "extra_tibial_internal_rotation_deg",
            _side_map(
                "extra_tibial_internal_rotation_deg",
                self.extra_tibial_internal_rotation_deg,
                0.0,
                0.0,
                30.0,
            ),
        )
        s(self, "hip_rom_scale", _side_map("hip_rom_scale", self.hip_rom_scale, 1.0, 0.2, 2.0))
        for name in (
            "acc_noise_mps2",
            "gyr_noise_radps",
            "gyr_bias_radps",
            "gyr_bias_rw_radps_per_sqrt_s",
            "acc_bias_mps2",
        ):
            s(self, name, _num(name, getattr(self, name), 0.0))
        s(self, "acc_range_g", _num("acc_range_g", self.acc_range_g, 1.0, lo_open=True))
        s(self, "gyr_range_dps", _num("gyr_range_dps", self.gyr_range_dps, 0.0, lo_open=True))
        s(self, "misalignment_deg", _num("misalignment_deg", self.misalignment_deg, 0.0, 180.0))
        s(self, "tilt_deg", _num("tilt_deg", self.tilt_deg, 0.0, 45.0))
        s(
            self,
            "dropped_samples_pct",
            _num("dropped_samples_pct", self.dropped_samples_pct, 0.0, 50.0),
        )
        if self.impact_g is not None:
            s(self, "impact_g", _num("impact_g", self.impact_g, 0.0, 50.0))
        # placements
        pl = self.placements
        if isinstance(pl, str) or not isinstance(pl, (tuple, list)) or not pl:
            raise ConfigError(
                f"SimulationConfig.placements must be a non-empty tuple of placements from "
                f"{', '.join(REQUIRED_PLACEMENTS)}, got {pl!r}"
            )
        for p in pl:
            if p not in REQUIRED_PLACEMENTS:
                raise ConfigError(
                    f"SimulationConfig.placements: unknown placement {p!r}; expected one of "
                    f"{', '.join(REQUIRED_PLACEMENTS)}"
                )
        if len(set(pl)) != len(pl):
            raise ConfigError(f"SimulationConfig.placements has duplicates: {list(pl)}")
        s(self, "placements", tuple(p for p in REQUIRED_PLACEMENTS if p in pl))
        # upside_down
        ud = self.upside_down
        if not isinstance(ud, Mapping):
            raise ConfigError(
                f"SimulationConfig.upside_down must be a mapping {{placement: bool}}, "
                f"got {type(ud).__name__}"
            )
        for k, v in ud.items():
            if k not in REQUIRED_PLACEMENTS:
                raise ConfigError(
                    f"SimulationConfig.upside_down: unknown placement {k!r}; expected one of "
                    f"{', '.join(REQUIRED_PLACEMENTS)}"
                )
            if not isinstance(v, bool):
                raise ConfigError(
                    f"SimulationConfig.upside_down[{k!r}] must be true/false, got {v!r}"
                )
        s(
            self,
            "upside_down",
            MappingProxyType({p: bool(ud.get(p, False)) for p in REQUIRED_PLACEMENTS}),
        )
        # standing and duration
        st = self.standing_s
        if isinstance(st, (str, bytes)) or not hasattr(st, "__len__") or len(st) != 2:
            raise ConfigError(f"SimulationConfig.standing_s must be (start_s, end_s), got {st!r}")
        st = (_num("standing_s[0]", st[0], 0.0), _num("standing_s[1]", st[1], 0.0))
        s(self, "standing_s", st)
        dur = _num("duration_s", self.duration_s, 0.0, 48 * 3600.0, lo_open=True)
        s(self, "duration_s", dur)
        if dur - st[0] - st[1] < 5.0:
            raise ConfigError(
                f"SimulationConfig.duration_s must leave >= 5 s of gait after standing_s "
                f"{st[0]:g}+{st[1]:g} s, got duration_s={dur:g}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"SimulationConfig.seed must be an integer >= 0, got {self.seed!r}")

    # -- derived ---------------------------------------------------------------------------
    @property
    def effective_speed_mps(self) -> float:
        """Speed used: ``speed_mps`` or the activity default."""
        return self.speed_mps if self.speed_mps is not None else default_speed_mps(self.activity)

    @property
    def effective_cadence_spm(self) -> float:
        """Cadence used: ``cadence_spm`` or :func:`default_cadence_spm` at the speed."""
        if self.cadence_spm is not None:
            return self.cadence_spm
        return default_cadence_spm(self.activity, self.effective_speed_mps)

    # -- JSON round trip -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (mappings as dicts, tuples as lists)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Mapping):
                v = dict(v)
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimulationConfig:
        """Build a config from :meth:`to_dict` output; unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"SimulationConfig.from_dict needs a mapping, got {type(data).__name__}"
            )
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"SimulationConfig has no field {unknown[0]!r}; fields: {', '.join(sorted(names))}"
            )
        kw = dict(data)
        for key in ("standing_s", "placements"):
            if key in kw and isinstance(kw[key], list):
                kw[key] = tuple(kw[key])
        return cls(**kw)
