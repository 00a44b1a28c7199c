#!/usr/bin/env bash
# Execute every notebook in notebooks/ (issue 10): a virtual environment in target/venv with the
# pinned notebooks/requirements.txt, the release binary, then each notebook run top to bottom
# with nbclient. Exits non-zero when a notebook raises (each notebook's first cell turns
# deprecation warnings into errors, so a deprecated pandas or matplotlib call fails it too) or
# was saved with outputs.
# Usage: scripts/notebooks.sh [NOTEBOOK.ipynb...]   (default: every notebook)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
venv_with notebooks/requirements.txt

# $DOMINO: a domino binary to run instead of this checkout's release build.
if [ -z "${DOMINO:-}" ]; then
    cargo build --release --locked
    export DOMINO="$PWD/target/release/domino"
fi

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
    # Notebooks are kept without outputs: diffs stay readable and nothing stale is shown.
    saved = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    if saved:
        failed.append(path)
        print(f"FAILED {path}: cells {saved} were saved with outputs "
              "(clear them: Jupyter's 'Clear All Outputs', then save)", file=sys.stderr)
        continue
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
