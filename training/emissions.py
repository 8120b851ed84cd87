"""CO2eq of a training run with codecarbon's ``OfflineEmissionsTracker`` (no network: the grid intensity comes from
the country code, the power from RAPL / NVML where readable and from the CPU's TDP otherwise).

The result has the shape of the ``co2_eq_emissions`` block of a model card (grams of CO2eq). Emissions tracking is
a report, not a dependency of the run: when codecarbon cannot start or stop, the run goes on and ``emissions`` is
``None``, with the reason in ``error``.
"""

from __future__ import annotations

import logging
import os
import platform
from contextlib import contextmanager
from pathlib import Path


logger = logging.getLogger(__name__)

TRAINING_TYPES = {"cpt": "pre-training", "sft": "fine-tuning"}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def describe_hardware() -> str:
    """'4 x NVIDIA H100 80GB HBM3' on GPUs, 'Intel(R) Xeon(R) ... (2 CPU cores)' otherwise."""
    import torch

    if torch.cuda.is_available():
        return f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}"
    return f"{_cpu_model()} ({os.cpu_count()} CPU cores)"


@contextmanager
def track_emissions(output_dir: Path, *, stage: str, country_iso_code: str, enabled: bool = True):
    """Measure the block's emissions; yields the ``co2_eq_emissions`` dict, filled in when the block exits."""
    result = {
        "emissions": None,
        "source": "codecarbon",
        "training_type": TRAINING_TYPES[stage],
        "geographical_location": country_iso_code,
        "hardware_used": describe_hardware(),
    }
    tracker = _start(Path(output_dir), stage, country_iso_code) if enabled else None
    try:
        yield result
    finally:
        if tracker is not None:
            _stop(tracker, result)


def _start(output_dir: Path, stage: str, country_iso_code: str):
    output_dir.mkdir(parents=True, exist_ok=True)
    try:
        from codecarbon import OfflineEmissionsTracker, OutputMethod

        # Explicit values win over ~/.codecarbon.config and CODECARBON_* variables: CSV only, no HTTP endpoint.
        tracker = OfflineEmissionsTracker(
            country_iso_code=country_iso_code,
            project_name=f"gaokerena-{stage}",
            output_dir=str(output_dir),
            output_file="emissions.csv",
            output_methods=[OutputMethod.CSV],
            emissions_endpoint=None,
            log_level="error",
            allow_multiple_runs=True,
            measure_power_secs=15,
        )
        tracker.start()
        return tracker
    except Exception as error:  # noqa: BLE001 - codecarbon must never stop a training run; the reason is logged
        logger.warning("emissions tracking disabled: codecarbon could not start (%s)", error)
        return None


def _stop(tracker, result: dict) -> None:
    try:
        kilograms = tracker.stop()
        data = getattr(tracker, "final_emissions_data", None)
    except Exception as error:  # noqa: BLE001 - as in _start: report, never fail the run
        logger.warning("codecarbon could not stop cleanly: %s", error)
        result["error"] = str(error)
        return
    if kilograms is None:
        result["error"] = "codecarbon measured nothing"
        return
    result["emissions"] = round(float(kilograms) * 1000.0, 6)
    if data is not None:
        country = getattr(data, "country_name", None)
        if country:
            result["geographical_location"] = f"{country} ({result['geographical_location']})"
        result["energy_consumed_kwh"] = float(getattr(data, "energy_consumed", 0.0) or 0.0)
    logger.info("emissions: %.3f g CO2eq (%s)", result["emissions"], result["geographical_location"])
