"""Cost of ``import gaitkit`` (budget: 0.5 s), median of 7 fresh interpreters."""

from __future__ import annotations

import statistics
import subprocess
import sys

CODE = "import time; t=time.perf_counter(); import gaitkit; print(time.perf_counter()-t)"


def main() -> None:
    times = [float(subprocess.check_output([sys.executable, "-c", CODE])) for _ in range(7)]
    base = [
        float(subprocess.check_output([sys.executable, "-c", CODE.replace("gaitkit", "pandas")]))
        for _ in range(7)
    ]
    med = statistics.median(times)
    print(
        f"import gaitkit: median {med * 1000:.0f} ms (budget 500 ms) "
        f"{'OK' if med < 0.5 else 'OVER BUDGET'}"
    )
    print(f"import pandas alone: median {statistics.median(base) * 1000:.0f} ms (for scale)")


if __name__ == "__main__":
    main()
