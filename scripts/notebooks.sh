#!/usr/bin/env bash
# Execute every notebook in notebooks/ (issue 10): a virtual environment in target/venv with the
# pinned notebooks/requirements.txt, the release binary, then each notebook run top to bottom
# with nbclient. Exits non-zero when a notebook raises (each notebook's first cell turns
# deprecation warnings into errors, so a deprecated pandas or matplotlib call fails it too).
# Usage: scripts/notebooks.sh [NOTEBOOK.ipynb...]   (default: every notebook)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
venv_with notebooks/requirements.txt

cargo build --release --locked
export DOMINO="$PWD/target/release/domino"

if [ "$#" -eq 0 ]; then
    set -- notebooks/*.ipynb
fi
"$VENV/bin/python" - "$@" <<'PY'
import sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

failed = []
for path in sys.argv[1:]:
    start = time.monotonic()
    nb = nbformat.read(path, as_version=4)
    folder = path.rsplit("/", 1)[0] if "/" in path else "."
    try:
        # The notebook runs in its own folder, as in Jupyter; nothing is written back.
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": folder}}).execute()
    except CellExecutionError as error:
        failed.append(path)
        print(f"FAILED {path}:\n{error}", file=sys.stderr)
        continue
    print(f"ok     {path} ({time.monotonic() - start:.1f} s)")
if failed:
    sys.exit(f"{len(failed)} notebook(s) failed: {', '.join(failed)}")
PY
