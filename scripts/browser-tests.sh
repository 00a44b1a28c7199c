#!/usr/bin/env bash
# Browser tests (issue 10): report.html, the exported show page and the live `domino show`
# server (also on scenarios/domino-chain.toml), checked in headless Debian chromium by
# tests/browser/pages.py. Screenshots go to target/browser/ (report.png, show.png, show-live.png,
# show-chain-live.png).
#
#   scripts/browser-tests.sh          the real pages: builds domino, makes them, tests them
#                                     (the show pages of the default scenario, or of $SHOW_SCENARIO)
#   scripts/browser-tests.sh --mock   the mock pages of tests/browser/fixtures/ (they follow the
#                                     same contract), then pages broken on purpose, which must
#                                     fail: proves the harness in this browser without domino
#
# Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian: chromium, chromium-driver) and
# python3 with venv; the Python packages are pinned in tests/browser/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=real
case "${1:-}" in
    --mock) mode=mock ;;
    "") ;;
    *) echo "usage: $0 [--mock]" >&2; exit 2 ;;
esac

for program in "${CHROMIUM:-/usr/bin/chromium}" "${CHROMEDRIVER:-/usr/bin/chromedriver}"; do
    if [ ! -x "$program" ]; then
        echo "FAILED: $program is missing (Debian: apt-get install chromium chromium-driver)" >&2
        exit 1
    fi
done
. scripts/venv.sh
venv_with tests/browser/requirements.txt
PAGES=("$VENV/bin/python" tests/browser/pages.py)
SHOTS=target/browser
mkdir -p "$SHOTS"

if [ "$mode" = mock ]; then
    FIX=tests/browser/fixtures
    MOCK="$SHOTS/mock"
    rm -rf "$MOCK" && mkdir -p "$MOCK"
    "${PAGES[@]}" report "$FIX/mock_report.html" "$FIX/summary.csv" --screenshot "$MOCK/report.png"
    "${PAGES[@]}" show "$FIX/mock_show.html" --screenshot "$MOCK/show.png"
    "${PAGES[@]}" live --screenshot "$MOCK/show-live.png" -- "$VENV/bin/python" "$FIX/mock_show_server.py"

    # The harness must be able to fail: each broken page must fail, and for the stated reason.
    expect_failure() {
        local reason="$1"
        shift
        local log="$MOCK/expected-failure.log"
        if "$@" >"$log" 2>&1; then
            cat "$log"
            echo "FAILED: the harness passed a page that is broken on purpose ($reason)" >&2
            exit 1
        fi
        if ! grep -q "^FAIL .*$reason" "$log"; then
            cat "$log"
            echo "FAILED: the broken page failed, but not with \"$reason\"" >&2
            exit 1
        fi
        echo "ok: a page broken on purpose fails with \"$reason\""
    }
    mkdir -p "$MOCK/broken"
    # A number in summary.csv that the page does not show.
    sed '0,/^cluster,sustained_share,100,0.05657500000000001,/s//cluster,sustained_share,100,0.05757500000000001,/' \
        "$FIX/summary.csv" >"$MOCK/broken/summary.csv"
    cmp -s "$FIX/summary.csv" "$MOCK/broken/summary.csv" && { echo "FAILED: the sed found nothing to break" >&2; exit 1; }
    expect_failure "equals summary.csv" \
        "${PAGES[@]}" report "$FIX/mock_report.html" "$MOCK/broken/summary.csv" --screenshot "$MOCK/broken/report.png"
    # A console error.
    sed 's|</body>|<script>console.error("broken on purpose")</script></body>|' "$FIX/mock_show.html" \
        >"$MOCK/broken/error_show.html"
    expect_failure "no console errors" \
        "${PAGES[@]}" show "$MOCK/broken/error_show.html" --screenshot "$MOCK/broken/error_show.png"
    # An uncaught exception while operating the page (stepping forward throws).
    sed 's|const step = d => {|const step = d => { if (d > 0 \&\& term >= 2) null.boom;|' "$FIX/mock_show.html" \
        >"$MOCK/broken/throw_show.html"
    cmp -s "$FIX/mock_show.html" "$MOCK/broken/throw_show.html" && { echo "FAILED: the sed found nothing to break" >&2; exit 1; }
    expect_failure "no console errors after operating" \
        "${PAGES[@]}" show "$MOCK/broken/throw_show.html" --screenshot "$MOCK/broken/throw_show.png"
    # A blank page: everything in the DOM, nothing drawn.
    sed 's|</style>|body { visibility: hidden; }</style>|' "$FIX/mock_report.html" >"$MOCK/broken/blank_report.html"
    expect_failure "distinct colours" \
        "${PAGES[@]}" report "$MOCK/broken/blank_report.html" "$FIX/summary.csv" --screenshot "$MOCK/broken/blank.png"
    # Panes that draw different networks.
    sed 's|c.setAttribute("cx", pos\[i\]\[0\]);|c.setAttribute("cx", pane === panes[1] \&\& i === 5 ? 1 : pos[i][0]);|' \
        "$FIX/mock_show.html" >"$MOCK/broken/layout_show.html"
    cmp -s "$FIX/mock_show.html" "$MOCK/broken/layout_show.html" && { echo "FAILED: the sed found nothing to break" >&2; exit 1; }
    expect_failure "same network" \
        "${PAGES[@]}" show "$MOCK/broken/layout_show.html" --screenshot "$MOCK/broken/layout_show.png"
    # The key pushed below the first screen of a projector.
    sed 's|<div id="legend">|<div style="height: 1200px"></div><div id="legend">|' "$FIX/mock_show.html" \
        >"$MOCK/broken/fold_show.html"
    cmp -s "$FIX/mock_show.html" "$MOCK/broken/fold_show.html" && { echo "FAILED: the sed found nothing to break" >&2; exit 1; }
    expect_failure "none below the fold" \
        "${PAGES[@]}" show "$MOCK/broken/fold_show.html" --screenshot "$MOCK/broken/fold_show.png"
    # A live server that re-runs without the chosen pilots.
    expect_failure "includes every chosen school" \
        "${PAGES[@]}" live --screenshot "$MOCK/broken/live.png" -- "$VENV/bin/python" "$FIX/mock_show_server.py" --ignore-pilots
    echo "browser tests (mock pages): all passed, and every page broken on purpose failed"
    exit 0
fi

# The real pages. Each command must exist: say which one is missing rather than fail obscurely.
# $DOMINO: a domino binary to test instead of this checkout's release build.
if [ -z "${DOMINO:-}" ]; then
    cargo build --release --locked
    DOMINO="$PWD/target/release/domino"
fi
need() {
    if ! "$DOMINO" "$@" --help >/dev/null 2>&1; then
        echo "FAILED: \`domino $*\` is missing: the browser tests need it (issue 10)" >&2
        exit 1
    fi
}
need_flag() {
    local command="$1" flag="$2"
    if ! "$DOMINO" "$command" --help 2>/dev/null | grep -q -- "$flag"; then
        echo "FAILED: \`domino $command\` has no $flag option: the browser tests need it (issue 10)" >&2
        exit 1
    fi
}
need report
need show
need_flag compare --report
need_flag show --export
need_flag show --port
need_flag show --no-open

OUT="$SHOTS/compare"
rm -rf "$OUT"
"$DOMINO" compare --runs 50 --out "$OUT" --quiet --report
if [ ! -s "$OUT/report.html" ]; then
    echo "FAILED: \`domino compare --report\` wrote no $OUT/report.html" >&2
    exit 1
fi
rm "$OUT/report.html"
"$DOMINO" report "$OUT"
if [ ! -s "$OUT/report.html" ]; then
    echo "FAILED: \`domino report $OUT\` wrote no report.html" >&2
    exit 1
fi
# The show pages play the built-in default scenario unless SHOW_SCENARIO names a file.
show_scenario=(${SHOW_SCENARIO:+"$SHOW_SCENARIO"})
"$DOMINO" show "${show_scenario[@]}" --export "$SHOTS/show.html"

status=0
"${PAGES[@]}" report "$OUT/report.html" "$OUT/summary.csv" --screenshot "$SHOTS/report.png" || status=1
"${PAGES[@]}" show "$SHOTS/show.html" --screenshot "$SHOTS/show.png" || status=1
"${PAGES[@]}" live --screenshot "$SHOTS/show-live.png" -- "$DOMINO" show "${show_scenario[@]}" || status=1
# The workshop scenario: one pane, schools of eight sizes, and variant buttons.
"${PAGES[@]}" live --screenshot "$SHOTS/show-chain-live.png" -- "$DOMINO" show scenarios/domino-chain.toml || status=1
if [ "$status" -ne 0 ]; then
    echo "FAILED: browser tests (see the FAIL lines above; screenshots in $SHOTS/)" >&2
    exit 1
fi
echo "browser tests: all passed; screenshots in $SHOTS/"
