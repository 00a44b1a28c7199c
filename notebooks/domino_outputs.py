"""Find the domino binary and create the output folders the notebooks read.

Every notebook's first cell imports this module (Jupyter runs a notebook from its own folder), so
each notebook creates the files it reads instead of relying on a folder someone made by hand.
The binary is `$DOMINO` when set, else `target/release/domino` of this repository, built with
cargo when absent. Outputs go to `target/notebooks/<name>/`, which `cargo clean` removes.
"""

import os
import shutil
import subprocess
import warnings
from pathlib import Path

# The repository root: the folder above this file's `notebooks/`.
ROOT = Path(__file__).resolve().parent.parent


def fail_on_deprecations() -> None:
    """Turn deprecation warnings into errors, so a deprecated pandas, numpy or matplotlib call
    fails the notebook (and CI, which runs every notebook) instead of breaking on the next release.

    The kernel's own machinery (ipykernel, jupyter_client) is left alone: its warnings are not
    about the notebook's code.
    """
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.simplefilter("error", category)
    for module in (r"ipykernel(\.|$)", r"jupyter_client(\.|$)", r"IPython(\.|$)"):
        warnings.filterwarnings("default", module=module)


def binary() -> Path:
    """The domino binary: `$DOMINO`, else the release build, built first when absent."""
    if os.environ.get("DOMINO"):
        return Path(os.environ["DOMINO"])
    path = ROOT / "target" / "release" / "domino"
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    return path


def out_dir(name: str) -> Path:
    """A fresh, empty `target/notebooks/<name>/` (a stale file must never be read by mistake)."""
    out = ROOT / "target" / "notebooks" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return out


def domino(*args) -> None:
    """Run `domino ARGS... --quiet` from the repository root; raise if it fails."""
    command = [str(binary()), *map(str, args), "--quiet"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")


# The runs.csv/summary.csv metric of each scenario `objective` (with the spellings the scenario
# reader also accepts), so a notebook analyses the metric the folder's own ranking used.
OBJECTIVE_METRICS = {
    "students_benefiting": "students_benefiting_share",
    "students-benefiting": "students_benefiting_share",
    "sustained_share": "sustained_share",
    "sustained-share": "sustained_share",
    "sustained": "sustained_share",
}


def objective(out: Path) -> str:
    """The metric the comparison in `out` ranks strategies by: its scenario.toml's `objective`
    (default `students_benefiting`) as the metric name of runs.csv, summary.csv and paired.csv."""
    import tomllib

    with open(Path(out) / "scenario.toml", "rb") as f:
        scenario = tomllib.load(f)
    return OBJECTIVE_METRICS[scenario.get("objective", "students_benefiting")]
