# Sourced by scripts/notebooks.sh and scripts/browser-tests.sh: the Python virtual environment
# target/venv with the pinned requirements files given as arguments. Reinstalls only when one of
# them changed since the last install. Sets VENV.
VENV=target/venv
venv_with() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! python3 -m venv "$VENV"; then
            echo "FAILED: python3 -m venv did not work (Debian: apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
    local requirements
    for requirements in "$@"; do
        local stamp="$VENV/.installed-${requirements//\//-}"
        if ! cmp -s "$requirements" "$stamp"; then
            "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
            cp "$requirements" "$stamp"
        fi
    done
}
