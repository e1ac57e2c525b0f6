"""Reference ranges, symmetry thresholds and literature sources used by :mod:`gaitkit.metrics`.

Everything a finding or an index compares against lives here, with its source, so a reader can
check it and replace it with values from their own population.

Provenance policy
-----------------
Each :class:`NormativeRange` records whether its numbers were checked against the cited text
(``verified=True``) or are a stated engineering assumption (``verified=False``, with the reason
in ``note``). Indices built on unverified references say so in their docstrings; replace them
with your laboratory's normative data through the ``reference=`` arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "COUPLING_CALCANEAL_EVERSION_TO_TIBIAL_ROTATION",
    "NORMATIVE",
    "SOURCES",
    "SYMMETRY_RULES",
    "NormativeRange",
    "SymmetryRule",
]

#: Literature cited by the metrics, by short key.
SOURCES: MappingProxyType[str, str] = MappingProxyType(
    {
        "robinson1987": (
            "Robinson RO, Herzog W, Nigg BM (1987). Use of force platform variables to quantify "
            "the effects of chiropractic manipulation on gait symmetry. J Manipulative Physiol "
            "Ther 10(4):172-176."
        ),
        "zifchock2008": (
            "Zifchock RA, Davis I, Higginson J, Royer T (2008). The symmetry angle: a novel, "
            "robust method of quantifying asymmetry. Gait Posture 27(4):622-627."
        ),
        "patterson2010": (
            "Patterson KK, Gage WH, Brooks D, Black SE, McIlroy WE (2010). Evaluation of gait "
            "symmetry after stroke: a comparison of current methods and recommendations for "
            "standardization. Gait Posture 31(2):241-246."
        ),
        "lamb2014": (
            "Lamb PF, Stöckl M (2014). On the use of continuous relative phase: review of "
            "current approaches and outline for a new standard. Clin Biomech 29(5):484-493."
        ),
        "chang2008": (
            "Chang R, Van Emmerik R, Hamill J (2008). Quantifying rearfoot-forefoot "
            "coordination in human walking. J Biomech 41(14):3101-3105."
        ),
        "needham2014": (
            "Needham R, Naemi R, Chockalingam N (2014). Quantifying lumbar-pelvis coordination "
            "during gait using a modified vector coding technique. J Biomech 47(5):1020-1026."
        ),
        "milner2006": (
            "Milner CE, Ferber R, Pollard CD, Hamill J, Davis IS (2006). Biomechanical factors "
            "associated with tibial stress fracture in female runners. Med Sci Sports Exerc "
            "38(2):323-328."
        ),
        "crowell2011": (
            "Crowell HP, Davis IS (2011). Gait retraining to reduce lower extremity loading in "
            "runners. Clin Biomech 26(1):78-83. (Screened runners with peak positive tibial "
            "acceleration > 8 g.)"
        ),
        "matijevich2019": (
            "Matijevich ES, Branscombe LM, Scott LR, Zelik KE (2019). Ground reaction force "
            "metrics are not strongly correlated with tibial bone load when running across "
            "speeds and slopes: implications for science, sport and wearable tech. PLoS One "
            "14(1):e0210000."
        ),
        "carter1987": (
            "Carter DR, Fyhrie DP, Whalen RT (1987). Trabecular bone density and loading "
            "history: regulation of connective tissue biology by mechanical energy. J Biomech "
            "20(8):785-794. (Daily stress stimulus: (sum n_i s_i^m)^(1/m).)"
        ),
        "peng1995": (
            "Peng CK, Havlin S, Stanley HE, Goldberger AL (1995). Quantification of scaling "
            "exponents and crossover phenomena in nonstationary heartbeat time series. Chaos "
            "5(1):82-87."
        ),
        "hausdorff1995": (
            "Hausdorff JM, Peng CK, Ladin Z, Wei JY, Goldberger AL (1995). Is walking a random "
            "walk? Evidence for long-range correlations in stride interval of human gait. "
            "J Appl Physiol 78(1):349-358."
        ),
        "fischer2018": (
            "Fischer KM, Willwacher S, Arndt A, Brüggemann GP (2018). Calcaneal adduction and "
            "eversion are coupled to talus and tibial rotation. J Anat 233(1):64-72. "
            "(In-vitro bone-pin study; calcaneal eversion to tibial rotation coupling "
            "coefficient 0.68 ± 0.15.)"
        ),
        "reinschmidt1997": (
            "Reinschmidt C, van den Bogert AJ, Murphy N, Lundberg A, Nigg BM (1997). "
            "Tibiocalcaneal motion during running, measured with external and bone markers. "
            "Clin Biomech 12(1):8-16."
        ),
        "sinclair2017": (
            "Sinclair J (2017). Effects of medial and lateral orthoses on kinetics and "
            "tibiocalcaneal kinematics in male runners. Foot Ankle Online J 10(4):1. "
            "(No-orthotic condition, 12 men at 4.0 m/s: relative tibial internal rotation range "
            "7.47°, peak eversion -12.37°.)"
        ),
        "ferber2002": (
            "Ferber R, McClay Davis I, Williams DS, Laughton C (2002). A comparison of within- "
            "and between-day reliability of discrete 3D lower extremity variables in runners. "
            "J Orthop Res 20(6):1139-1145. (Secondary-plane variables less reliable between "
            "days than sagittal-plane ones.)"
        ),
        "grood1983": (
            "Grood ES, Suntay WJ (1983). A joint coordinate system for the clinical description "
            "of three-dimensional motions: application to the knee. J Biomech Eng "
            "105(2):136-144."
        ),
        "alexander1984": (
            "Alexander RMcN (1984). The gaits of bipedal and quadrupedal animals. Int J Robotics "
            "Res 3(2):49-59. (Duty factor.)"
        ),
        "carlstein1986": (
            "Carlstein E (1986). The use of subseries values for estimating the variance of a "
            "general statistic from a stationary sequence. Ann Stat 14(3):1171-1179."
        ),
        "hall1995": (
            "Hall P, Horowitz JL, Jing BY (1995). On blocking rules for the bootstrap with "
            "dependent data. Biometrika 82(3):561-574."
        ),
        "assumption": (
            "gaitkit assumption: no published normative value was available to us; replace "
            "with measured normative data."
        ),
        "perry1992": (
            "Perry J (1992). Gait Analysis: Normal and Pathological Function. Thorofare NJ: "
            "SLACK. (Loading response: the first ~10 % of the gait cycle, i.e. ~1/6 of stance.)"
        ),
    }
)

#: Calcaneal eversion → tibial rotation coupling coefficient (slope of tibial rotation on
#: calcaneal eversion), mean and SD, from the in-vitro bone-pin study of Fischer et al. (2018).
#: gaitkit uses it only to *explain* why tibial internal rotation is a proxy for rearfoot
#: eversion: 1° of eversion comes with ~0.68° of tibial internal rotation, with wide
#: between-specimen spread (SD 0.15), so the proxy is approximate.
COUPLING_CALCANEAL_EVERSION_TO_TIBIAL_ROTATION: tuple[float, float] = (0.68, 0.15)


@dataclass(frozen=True)
class NormativeRange:
    """A normative mean and between-subject SD of one per-stride metric.

    Attributes
    ----------
    metric
        Column name of the metric (units in the name).
    activity
        ``"walk"`` or ``"run"``.
    mean, sd
        Normative mean and between-subject standard deviation, in the metric's units.
    source
        Key in :data:`SOURCES`.
    verified
        ``True`` when ``mean`` and ``sd`` were checked against the cited text.
    note
        What exactly was taken from the source and what was assumed.
    """

    metric: str
    activity: str
    mean: float
    sd: float
    source: str
    verified: bool
    note: str


#: Normative ranges used by :func:`gaitkit.metrics.overpronation_index`, keyed by
#: ``(activity, metric)``. Only running values are provided; walking has none yet, so the
#: index is not computed for walking strides unless a reference is passed in.
NORMATIVE: MappingProxyType[tuple[str, str], NormativeRange] = MappingProxyType(
    {
        ("run", "tibial_ir_excursion_deg"): NormativeRange(
            metric="tibial_ir_excursion_deg",
            activity="run",
            mean=7.5,
            sd=2.5,
            source="sinclair2017",
            verified=False,
            note=(
                "Mean 7.47° relative tibial internal rotation range in stance (skin markers, "
                "no-orthotic condition) checked in the abstract; the SD was not available to us "
                "and 2.5° is an assumption (about a third of the mean). Bone-pin data "
                "(Reinschmidt et al. 1997) show skin markers overestimate tibial rotation."
            ),
        ),
        ("run", "lr_tibial_ir_excursion_deg"): NormativeRange(
            metric="lr_tibial_ir_excursion_deg",
            activity="run",
            mean=3.5,
            sd=1.5,
            source="sinclair2017",
            verified=False,
            note=(
                "Assumption: about half of the stance tibial internal rotation range "
                "(7.47°, Sinclair 2017) occurs in the loading-response window; SD assumed."
            ),
        ),
        ("run", "shank_frontal_excursion_deg"): NormativeRange(
            metric="shank_frontal_excursion_deg",
            activity="run",
            mean=0.0,
            sd=2.0,
            source="assumption",
            verified=False,
            note=(
                "Assumption, not a number read from the source: the signed shank tilt toward "
                "abduction from IC to mid-stance is taken as 0 ± 2°. Replace with measured "
                "normative data."
            ),
        ),
    }
)

Basis = Literal["si", "diff"]


@dataclass(frozen=True)
class SymmetryRule:
    """When a left/right difference of one metric is flagged.

    Attributes
    ----------
    metric
        Column name of the metric.
    basis
        ``"si"``: flag when the 95 % bootstrap CI of the Robinson symmetry index lies entirely
        beyond ``±threshold`` (percent). ``"diff"``: flag when the 95 % CI of the right-minus-left
        difference of means lies entirely beyond ``±threshold`` (metric units); used for signed
        metrics whose mean can be near zero, where a percentage is meaningless.
    threshold
        Percent for ``"si"``, metric units for ``"diff"``.
    label
        Plain-language name used in findings.
    rationale
        Why this threshold.
    source
        Key in :data:`SOURCES` (or ``"engineering"`` for a stated engineering choice).
    concern
        Which side a finding names: ``"higher"`` the side with the larger value (e.g. more
        tibial rotation), ``"lower"`` the side with the smaller value (e.g. less hip range),
        ``"either"`` the larger side, worded neutrally.
    """

    metric: str
    basis: Basis
    threshold: float
    label: str
    rationale: str
    source: str
    concern: Literal["higher", "lower", "either"] = "either"


_KINEMATIC_SI = (
    "15 % SI: secondary-plane (transverse/frontal) kinematics vary between sessions far more "
    "than sagittal ones (Ferber et al. 2002), so only large, consistent differences are flagged"
)
_SAGITTAL_SI = (
    "10 % SI: sagittal-plane ranges of motion are the most repeatable kinematic measures "
    "(Ferber et al. 2002); 10 % is the common clinical asymmetry cut-off"
)
_TEMPORAL_SI = (
    "6 % SI: healthy adults' temporal symmetry ratios stay below ~1.06 (upper 95 % CI of "
    "controls, Patterson et al. 2010), i.e. an SI of about 6 %"
)

#: Default symmetry rules, one per metric gaitkit computes.
SYMMETRY_RULES: MappingProxyType[str, SymmetryRule] = MappingProxyType(
    {
        r.metric: r
        for r in (
            SymmetryRule(
                "tibial_ir_excursion_deg",
                "si",
                15.0,
                "tibial internal rotation excursion",
                _KINEMATIC_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "tibial_ir_peak_velocity_dps",
                "si",
                15.0,
                "peak tibial internal rotation velocity",
                _KINEMATIC_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "tibial_ir_peak_deg",
                "diff",
                3.0,
                "peak tibial internal rotation angle",
                "3° absolute: a signed angle near zero has no meaningful percentage; "
                "3° is an engineering choice above typical IMU transverse-angle "
                "error",
                "engineering",
                concern="higher",
            ),
            SymmetryRule(
                "knee_rotation_excursion_deg",
                "si",
                15.0,
                "knee rotation excursion",
                _KINEMATIC_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "lr_tibial_ir_excursion_deg",
                "si",
                15.0,
                "loading-response tibial internal rotation",
                _KINEMATIC_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "lr_tibial_ir_peak_velocity_dps",
                "si",
                15.0,
                "loading-response tibial internal rotation velocity",
                _KINEMATIC_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "shank_frontal_excursion_deg",
                "diff",
                2.0,
                "shank tilt toward abduction in early stance (eversion proxy)",
                "2° absolute: a signed change near zero has no meaningful percentage; 2° is an "
                "engineering choice, five times the per-stride error of the estimated shank "
                "frontal angle on the simulator (SD 0.4°)",
                "engineering",
                concern="higher",
            ),
            SymmetryRule(
                "shank_frontal_peak_velocity_dps",
                "diff",
                15.0,
                "peak shank tilt velocity toward abduction (eversion proxy)",
                "15°/s absolute: signed, may be near zero; engineering choice",
                "engineering",
                concern="higher",
            ),
            SymmetryRule(
                "foot_eversion_excursion_deg",
                "si",
                15.0,
                "foot eversion excursion",
                _KINEMATIC_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "overpronation_index",
                "diff",
                1.0,
                "over-pronation index",
                "1 SD of the normative distribution (the index is in SD units)",
                "engineering",
                concern="higher",
            ),
            SymmetryRule(
                "thigh_rom_deg",
                "si",
                10.0,
                "thigh (hip) sagittal range of motion",
                _SAGITTAL_SI,
                "ferber2002",
                concern="lower",
            ),
            SymmetryRule(
                "knee_flexion_rom_deg",
                "si",
                10.0,
                "knee flexion range of motion",
                _SAGITTAL_SI,
                "ferber2002",
            ),
            SymmetryRule(
                "knee_thigh_rom_ratio",
                "si",
                10.0,
                "knee-to-thigh range-of-motion ratio",
                _SAGITTAL_SI,
                "ferber2002",
                concern="higher",
            ),
            SymmetryRule(
                "thigh_shank_marp_deg",
                "diff",
                10.0,
                "thigh-shank mean absolute relative phase",
                "10° absolute: an engineering choice (a phase offset smaller than 3 % "
                "of the cycle)",
                "engineering",
            ),
            SymmetryRule("stride_time_s", "si", 6.0, "stride time", _TEMPORAL_SI, "patterson2010"),
            SymmetryRule("step_time_s", "si", 6.0, "step time", _TEMPORAL_SI, "patterson2010"),
            SymmetryRule("stance_time_s", "si", 6.0, "stance time", _TEMPORAL_SI, "patterson2010"),
            SymmetryRule("swing_time_s", "si", 6.0, "swing time", _TEMPORAL_SI, "patterson2010"),
            SymmetryRule(
                "stance_pct", "si", 6.0, "stance share of the stride", _TEMPORAL_SI, "patterson2010"
            ),
            *(
                SymmetryRule(
                    name,
                    "diff",
                    3.0,
                    label,
                    "3° absolute: the angle's zero is the calibration posture, so a percentage "
                    "of it is meaningless; 3° is an engineering choice above the per-stride "
                    "error of IMU sagittal angles",
                    "engineering",
                    concern="higher",
                )
                for name, label in (
                    ("knee_flexion_max_deg", "peak knee flexion"),
                    ("knee_flexion_min_deg", "least knee flexion (extension)"),
                    ("knee_flexion_at_ic_deg", "knee flexion at initial contact"),
                )
            ),
            SymmetryRule(
                "contact_time_s", "si", 6.0, "contact time", _TEMPORAL_SI, "patterson2010"
            ),
            SymmetryRule("duty_factor", "si", 6.0, "duty factor", _TEMPORAL_SI, "patterson2010"),
            SymmetryRule(
                "peak_tibial_acc_g",
                "si",
                15.0,
                "peak tibial acceleration",
                "15 % SI: engineering choice; tibial shock varies ~10 % stride to "
                "stride and with sensor fixation",
                "engineering",
                concern="higher",
            ),
            SymmetryRule(
                "peak_tibial_axial_acc_g",
                "si",
                15.0,
                "peak axial tibial acceleration",
                "15 % SI: engineering choice; tibial shock varies ~10 % stride to "
                "stride and with sensor fixation",
                "engineering",
                concern="higher",
            ),
        )
    }
)


#: Columns that restate another column under the name a community uses, ``{alias: canonical}``.
#: Both are in the strides table and the per-leg summaries; symmetry and findings use the
#: canonical one only. Contact time is the stance time (FC − IC) of running; duty factor
#: (Alexander 1984, Int J Robotics Res 3(2):49-59) is the stance fraction of the stride.
METRIC_ALIASES: MappingProxyType[str, str] = MappingProxyType(
    {
        "contact_time_s": "stance_time_s",
        "duty_factor": "stance_pct",
    }
)

#: Metrics whose left/right comparison restates another's: a leg's terminal double support
#: is the other leg's initial double support (the same interval), so comparing the initial
#: ones between legs already compares both. ``{redundant: covered_by}``.
MIRRORED_METRICS: MappingProxyType[str, str] = MappingProxyType(
    {"terminal_double_support_time_s": "initial_double_support_time_s"}
)
