"""Browser tests of domino's pages (issue 10): report.html, the exported show page and the live
`domino show` server, in headless Debian chromium driven through chromedriver (selenium).

The checks rely only on the contract in tests/browser/README.md (ids, classes and data-
attributes). Every check prints PASS or FAIL with the reason; the exit status is 1 when any
failed. Usage:

    pages.py report REPORT.html SUMMARY.csv [--objective METRIC] --screenshot PNG
    pages.py show FILE.html --screenshot PNG                  (an exported show page)
    pages.py live COMMAND... --screenshot PNG                 (starts COMMAND --port 0 --no-open)

Chromium runs as root in containers, hence --no-sandbox; selenium never downloads a driver
(the driver's path is given and SE_OFFLINE is set).
"""

import argparse
import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("SE_OFFLINE", "true")

from PIL import Image  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    ElementClickInterceptedException,
    ElementNotInteractableException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
READY_TIMEOUT = 10  # seconds, as the contract says
MIN_COLOURS = 20  # a blank or unstyled page has a handful of colours; a drawn one has hundreds
STAGES = {"none", "implementing", "pocket", "sustained", "abandoned"}


class Checks:
    """Collects named checks: each prints PASS or FAIL; `failed` counts the failures."""

    def __init__(self, target):
        self.target = target
        self.failed = 0

    def check(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'} {self.target}: {name}" + (f" ({detail})" if detail else ""))
        if not ok:
            self.failed += 1
        return ok


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--hide-scrollbars", "--no-first-run",
                 "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


class Console:
    """The browser's log, read as it goes (chromedriver hands each entry out once)."""

    def __init__(self, driver):
        self.driver = driver
        self.entries = []

    def severe(self):
        self.entries += self.driver.get_log("browser")
        errors = [e["message"] for e in self.entries if e["level"] == "SEVERE"]
        # Chromium asks every http origin for /favicon.ico; a 404 there is not the page's doing.
        return [m for m in errors if not re.search(r"/favicon\.ico .*404", m)]


def load(driver, checks, url, page):
    """Open URL and wait for body[data-ready=true]; check body[data-page]."""
    driver.get(url)
    try:
        WebDriverWait(driver, READY_TIMEOUT).until(
            lambda d: d.execute_script("return document.body && document.body.dataset.ready") == "true")
        ready = True
    except TimeoutException:
        ready = False
    checks.check(f"body[data-ready] becomes \"true\" within {READY_TIMEOUT} s", ready)
    actual = driver.execute_script("return document.body && document.body.dataset.page")
    checks.check(f"body[data-page] is \"{page}\"", actual == page, f"found {actual!r}")
    return ready


def screenshot(driver, checks, path):
    """Save a screenshot and check that the page is not blank (many distinct colours)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # The whole page, not only the window: grow the window to the document's height.
    height = driver.execute_script(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(1400, min(max(int(height), 1000), 8000))
    driver.save_screenshot(str(path))
    colours = len(Image.open(path).convert("RGB").getcolors(maxcolors=1 << 24))
    checks.check(f"screenshot {path} has more than {MIN_COLOURS} distinct colours (not blank)",
                 colours > MIN_COLOURS, f"{colours} colours")


def no_console_errors(checks, console, when):
    errors = console.severe()
    checks.check(f"no console errors {when}", not errors, "; ".join(errors)[:2000])


# ---------------------------------------------------------------------------------------------
# report.html

NUMBER = re.compile(r"[-\u2212]?\d[\d,\u2009\u202f\u00a0 ]*(?:\.(\d+))?")


def visible_number(text):
    """The number shown in a cell's text and its count of decimals, or None when there is none."""
    match = NUMBER.search(text)
    if not match:
        return None
    digits = re.sub(r"[,\u2009\u202f\u00a0 ]", "", match.group(0)).replace("\u2212", "-")
    return float(digits), len(match.group(1) or "")


def check_report(report, summary_csv, objective, shot):
    checks = Checks("report")
    with open(summary_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    csv_cells = {(r["strategy"], r["metric"]): r for r in rows}
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))

    driver = make_driver()
    try:
        console = Console(driver)
        load(driver, checks, Path(report).resolve().as_uri(), "report")
        no_console_errors(checks, console, "after load")
        cells = driver.execute_script("""
            const out = [];
            for (const tr of document.querySelectorAll('table#summary tr[data-strategy]'))
              for (const td of tr.querySelectorAll('[data-metric][data-stat]'))
                out.push({strategy: tr.dataset.strategy, metric: td.dataset.metric,
                          stat: td.dataset.stat, value: td.dataset.value,
                          percent: td.dataset.percent === 'true', text: td.innerText});
            return out;""")
        rows_in_table = driver.execute_script(
            "return [...document.querySelectorAll('table#summary tr[data-strategy]')]"
            ".map(tr => tr.dataset.strategy)")
        checks.check("table#summary has one row per strategy of summary.csv",
                     sorted(rows_in_table) == sorted(strategies),
                     f"table {rows_in_table}, csv {strategies}")
        bad = []
        for c in cells:
            key = (c["strategy"], c["metric"])
            if key not in csv_cells or c["stat"] not in csv_cells[key]:
                bad.append(f"{key} {c['stat']}: not in summary.csv")
                continue
            raw = csv_cells[key][c["stat"]]
            if c["value"] != raw:
                bad.append(f"{key} {c['stat']}: data-value {c['value']!r} != csv {raw!r}")
                continue
            number = visible_number(c["text"])
            if raw == "":
                if number is not None:
                    bad.append(f"{key} {c['stat']}: csv empty, page shows {c['text']!r}")
                continue
            if number is None:
                bad.append(f"{key} {c['stat']}: no number in {c['text']!r}")
                continue
            value, decimals = number
            expected = float(raw) * (100 if c["percent"] else 1)
            # Rounded to the shown decimals; a hair of slack for binary rounding of halves.
            if abs(value - expected) > 0.5 * 10 ** -decimals + 1e-9 * max(1, abs(expected)):
                bad.append(f"{key} {c['stat']}: shows {c['text']!r}, csv {raw}"
                           f"{' (x100)' if c['percent'] else ''}")
        checks.check(f"every numeric cell ({len(cells)}) equals summary.csv (data-value and visible text)",
                     bool(cells) and not bad, "; ".join(bad[:10]))
        missing = [(s, m, st) for s in strategies for m in (objective, "sustained_share")
                   for st in ("mean", "ci_low", "ci_high")
                   if not any(c["strategy"] == s and c["metric"] == m and c["stat"] == st for c in cells)]
        checks.check(f"cells for {objective} and sustained_share (mean, ci_low, ci_high) of every strategy",
                     not missing, f"missing {missing[:6]}")
        decision = driver.execute_script(
            "const d = document.getElementById('decision'); return d ? d.innerText : null")
        checks.check("#decision names a strategy in words",
                     bool(decision) and any(s in decision for s in strategies), repr(decision)[:200])
        screenshot(driver, checks, shot)
        no_console_errors(checks, console, "at the end")
    except WebDriverException as error:
        checks.check("the page can be read as the contract says", False, error.msg)
    finally:
        driver.quit()
    return checks.failed


# ---------------------------------------------------------------------------------------------
# The show page

STATE_JS = """
    const panes = [...document.querySelectorAll('section.pane')];
    return {
      term: (document.getElementById('term') || {}).textContent,
      runs: document.body.dataset.runs,
      panes: panes.map(p => ({
        strategy: p.dataset.strategy, pilots: p.dataset.pilots,
        circles: [...p.querySelectorAll('svg circle.school')].map(c => ({
          id: c.dataset.id, cx: c.getAttribute('cx'), cy: c.getAttribute('cy'),
          stage: c.dataset.stage, fill: c.getAttribute('fill') || getComputedStyle(c).fill,
          chosen: c.classList.contains('chosen')}))}))};"""


def state(driver):
    return driver.execute_script(STATE_JS)


def term_of(s):
    try:
        return int(s["term"].strip())
    except (AttributeError, ValueError):
        return None


def stages(s):
    # Stages only: a page may animate fills, so a fill read mid-transition is not compared.
    return [[(c["id"], c["stage"]) for c in p["circles"]] for p in s["panes"]]


def click(driver, selector):
    driver.find_element(By.CSS_SELECTOR, selector).click()


def wait_for(driver, condition, timeout=READY_TIMEOUT):
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: condition())
        return True
    except TimeoutException:
        return False


def check_show(url, shot, live):
    target = "show (live server)" if live else "show (exported page)"
    checks = Checks(target)
    driver = make_driver()
    try:
        return operate_show(driver, checks, url, shot, live)
    except WebDriverException as error:
        checks.check("the page can be operated as the contract says", False, error.msg)
        return checks.failed
    finally:
        driver.quit()


def operate_show(driver, checks, url, shot, live):
    """Load the show page and operate every control; returns the number of failed checks."""
    console = Console(driver)
    if not load(driver, checks, url, "show"):
        return checks.failed + 1
    no_console_errors(checks, console, "after load")
    controls = driver.execute_script("""
        const kind = id => { const e = document.getElementById(id);
                             return e ? e.tagName.toLowerCase() + (e.type ? ':' + e.type : '') : null; };
        return Object.fromEntries(['play', 'pause', 'step-forward', 'step-back', 'rerun', 'speed', 'jump']
                                  .map(id => [id, kind(id)]));""")
    wanted = {"play": "button", "pause": "button", "step-forward": "button",
              "step-back": "button", "rerun": "button", "speed": "input:range",
              "jump": "input:number"}
    wrong = {k: v for k, v in controls.items() if not (v or "").startswith(wanted[k])}
    if not checks.check("the controls exist (#play, #pause, #step-forward, #step-back, #rerun "
                        "buttons, #speed range, #jump number)", not wrong, f"found {wrong}"):
        return checks.failed
    s0 = state(driver)
    panes = s0["panes"]
    checks.check("one or two panes (section.pane[data-strategy]) with circles",
                 1 <= len(panes) <= 2 and all(p["circles"] for p in panes),
                 f"{len(panes)} panes, {[len(p['circles']) for p in panes]} circles")
    if not panes or not all(p["circles"] for p in panes):
        return checks.failed
    check_sizes(driver, checks)
    layouts = [sorted((c["id"], c["cx"], c["cy"]) for c in p["circles"]) for p in panes]
    checks.check("the panes draw the same network (same ids, same cx/cy)",
                 all(layout == layouts[0] for layout in layouts),
                 f"{len(layouts[0])} schools")
    bad_stages = {c["stage"] for p in panes for c in p["circles"]} - STAGES
    checks.check("every circle's data-stage is one of the five stages", not bad_stages,
                 f"unknown {sorted(map(str, bad_stages))}")
    checks.check("term 0 is shown after load", term_of(s0) == 0, f"#term {s0['term']!r}")

    # Step forward until some circle changes stage (at most 20 terms), each step +1.
    history, changed, steps_ok = [s0], False, True
    for _ in range(20):
        before = history[-1]
        click(driver, "#step-forward")
        if not wait_for(driver, lambda: term_of(state(driver)) == term_of(before) + 1, 5):
            steps_ok = False
            break
        history.append(state(driver))
        old = {(c["id"], i): c for i, p in enumerate(before["panes"]) for c in p["circles"]}
        moved = [(c, old[(c["id"], i)]) for i, p in enumerate(history[-1]["panes"])
                 for c in p["circles"] if c["stage"] != old[(c["id"], i)]["stage"]]
        if moved:
            changed = True
            checks.check("a circle whose data-stage changed also changed its fill",
                         any(new["fill"] != was["fill"] for new, was in moved),
                         f"{len(moved)} circles changed stage")
            break
    checks.check("#step-forward advances #term by one each click", steps_ok,
                 f"#term {state(driver)['term']!r} after {len(history) - 1} steps")
    checks.check("stepping forward changes some circles' data-stage", changed,
                 f"after {len(history) - 1} steps")

    click(driver, "#step-back")
    back = wait_for(driver, lambda: term_of(state(driver)) == term_of(history[-1]) - 1, 5)
    checks.check("#step-back goes back one term, to that term's stages",
                 back and stages(state(driver)) == stages(history[-2]),
                 f"#term {state(driver)['term']!r}")

    term = term_of(state(driver))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    checks.check("the right arrow key steps forward",
                 wait_for(driver, lambda: term_of(state(driver)) == term + 1, 5),
                 f"#term {state(driver)['term']!r}")

    check_arrows_after_slider(driver, checks)

    jump = driver.find_element(By.CSS_SELECTOR, "#jump")
    driver.execute_script(
        "arguments[0].value = '3'; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
        jump)
    checks.check("#jump to 3 shows term 3", wait_for(driver, lambda: term_of(state(driver)) == 3, 5),
                 f"#term {state(driver)['term']!r}")

    start = term_of(state(driver))
    click(driver, "#play")
    check_pressed_hovered(driver, checks)
    playing = wait_for(driver, lambda: term_of(state(driver)) > start, 10)
    click(driver, "#pause")
    checks.check("#play advances the term", playing, f"from {start} to {state(driver)['term']!r}")
    paused = term_of(state(driver))
    time.sleep(1.0)
    checks.check("#pause stops it", term_of(state(driver)) == paused,
                 f"{paused} then {state(driver)['term']!r}")

    rerun = driver.find_element(By.CSS_SELECTOR, "#rerun")
    if live:
        check_rerun(driver, checks)
        check_variant_keeps_pilots(driver, checks)
    else:
        check_export_click(driver, checks)
    if live:
        pass
    elif not rerun.is_enabled():
        checks.check("export: #rerun is disabled with a title saying why",
                     bool((rerun.get_attribute("title") or "").strip()))
    else:
        runs = int(state(driver)["runs"] or 0)
        click(driver, "#rerun")
        checks.check("export: #rerun switches variant (body[data-runs] + 1)",
                     wait_for(driver, lambda: int(state(driver)["runs"] or 0) == runs + 1))
    check_fold(driver, checks, shot)
    no_console_errors(checks, console, "after operating the controls")
    driver.execute_script("window.scrollTo(0, 0)")
    screenshot(driver, checks, shot)
    return checks.failed


# Projector screens, on which the room must see the network, the chart and the key at once.
SCREENS = [(1280, 800), (1920, 1080)]
PHONE = (390, 844)

FOLD_JS = """
    const h = window.innerHeight, w = window.innerWidth;
    const box = e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; };
    const legend = document.getElementById('legend');
    return {h, w, legend: legend ? box(legend) : null,
            charts: [...document.querySelectorAll('section.pane .chart')].map(box),
            circles: [...document.querySelectorAll('section.pane circle.school')].map(box)};"""


def check_fold(driver, checks, shot):
    """At projector sizes every school, each pane's chart (.chart) and the key (#legend) are on
    the first screen; on a phone the network starts on it. Screenshots beside SHOT."""
    def at(width, height, mobile):
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.3)
        return driver.execute_script(FOLD_JS)
    base = str(Path(shot).with_suffix(""))
    try:
        for width, height in SCREENS:
            f = at(width, height, False)
            inside = lambda b: b[0] >= -1 and b[1] <= f["h"] + 1 and b[2] >= -1 and b[3] <= f["w"] + 1  # noqa: E731
            outside = [name for name, boxes in [("the key #legend", [f["legend"]] if f["legend"] else []),
                                                ("a chart", f["charts"]), ("a school", f["circles"])]
                       if not boxes or not all(inside(b) for b in boxes)]
            checks.check(f"at {width}x{height} the schools, the charts and the key are on the first "
                         "screen (none below the fold)", not outside,
                         f"viewport {f['w']}x{f['h']}; missing or outside: {outside}; key {f['legend']}, "
                         f"charts {f['charts']}")
            driver.save_screenshot(f"{base}-{width}x{height}.png")
        f = at(*PHONE, True)
        first = min((b[0] for b in f["circles"]), default=None)
        checks.check(f"at {PHONE[0]}x{PHONE[1]} (a phone) the network starts on the first screen",
                     first is not None and first < f["h"], f"first school at {first}, screen {f['h']}")
        driver.save_screenshot(f"{base}-{PHONE[0]}x{PHONE[1]}.png")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def luminance(css):
    """Relative luminance (WCAG) of a computed `rgb(...)`/`rgba(...)` colour."""
    r, g, b = [int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3]]
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def check_pressed_hovered(driver, checks):
    """Just after a click on #play the pointer is still on it: its text must stay readable
    (contrast at least 3 between its computed colour and background)."""
    style = driver.execute_script(
        "const s = getComputedStyle(document.getElementById('play'));"
        "return [s.color, s.backgroundColor, document.getElementById('play').matches(':hover')]")
    fg, bg = luminance(style[0]), luminance(style[1])
    contrast = (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)
    checks.check("the pressed #play, still under the pointer, is readable (contrast >= 3)",
                 contrast >= 3, f"text {style[0]} on {style[1]}, hovered {style[2]}, "
                 f"contrast {contrast:.2f}")


def check_sizes(driver, checks):
    """A school twice the size of another is drawn visibly bigger (data-size, r)."""
    circles = driver.execute_script(
        "return [...document.querySelector('section.pane').querySelectorAll('circle.school')]"
        ".map(c => [Number(c.dataset.size), Number(c.getAttribute('r'))])")
    if not checks.check("every circle.school carries its enrolment in data-size",
                        bool(circles) and all(size is not None and r is not None for size, r in circles)):
        return
    circles.sort()
    bad = []
    for i, (size, r) in enumerate(circles):
        for big, rb in circles[i + 1:]:
            if big >= 2 * size and rb - r < 1:
                bad.append(f"{size:g} r {r:g} vs {big:g} r {rb:g}")
                break
        if len(bad) >= 5:
            break
    checks.check("a school at least twice the size of another has a radius at least 1 larger",
                 bool(circles) and not bad, "; ".join(bad))


def check_arrows_after_slider(driver, checks):
    """With a slider focused (as after dragging it), the arrow keys step the terms and the slider
    keeps its value (no re-run)."""
    params = driver.find_elements(By.CSS_SELECTOR, "input.param[type=range]")
    selector = (f'input.param[data-path="{params[0].get_attribute("data-path")}"]' if params
                else "#speed")
    read = lambda: driver.execute_script(  # noqa: E731 (the page may rebuild its sliders)
        "const e = document.querySelector(arguments[0]); return e ? e.value : null", selector)
    s = state(driver)
    term, runs = term_of(s), s["runs"]
    value = read()
    slider = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("arguments[0].focus()", slider)
    slider.send_keys(Keys.ARROW_RIGHT)
    stepped = wait_for(driver, lambda: term_of(state(driver)) == term + 1, 5)
    time.sleep(0.3)
    after = state(driver)
    checks.check("with a slider focused, the right arrow steps the term and leaves the slider",
                 stepped and after["runs"] == runs and read() == value,
                 f"#term {term} -> {after['term']!r}, runs {runs} -> {after['runs']!r}, "
                 f"slider {value} -> {read()}")


def check_export_click(driver, checks):
    """Exported page: a click on a school shows its story in #info and chooses nothing."""
    circle = driver.find_element(By.CSS_SELECTOR, "section.pane circle.school")
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", circle)
    info = driver.execute_script("return document.getElementById('info').innerText")
    chosen = driver.execute_script("return document.querySelectorAll('circle.school.chosen').length")
    checks.check("export: clicking a school shows its story in #info and marks nothing chosen",
                 circle.get_attribute("data-id") in info and "students" in info and chosen == 0
                 and "Re-run" not in info, f"#info {info!r}, {chosen} chosen")


def check_variant_keeps_pilots(driver, checks):
    """Live server, after check_rerun: a variant button re-runs with the chosen pilots, which
    stay marked."""
    buttons = driver.find_elements(By.CSS_SELECTOR, "#variants button.variant")
    if not buttons:
        checks.check("no variant buttons to press (the scenario has no [show] variants)", True)
        return
    s = state(driver)
    runs = int(s["runs"] or 0)
    chosen = {c["id"] for c in s["panes"][0]["circles"] if c["chosen"]}
    buttons[-1].click()
    done = wait_for(driver, lambda: int(state(driver)["runs"] or 0) == runs + 1)
    after = state(driver)
    still = {c["id"] for c in after["panes"][0]["circles"] if c["chosen"]}
    # The panes that piloted the chosen schools before (not one that funds every school anyway)
    # pilot them after the variant too.
    took = [p["strategy"] for p in s["panes"]
            if chosen <= set((p["pilots"] or "").split(",")) and len(p["pilots"].split(",")) < len(p["circles"])]
    piloted = {p["strategy"]: set((p["pilots"] or "").split(",")) for p in after["panes"]}
    checks.check("a variant button re-runs with the chosen pilots, still marked chosen",
                 done and bool(chosen) and bool(took) and still == chosen
                 and all(chosen <= piloted.get(name, set()) for name in took),
                 f"chosen {sorted(chosen)}, marked after {sorted(still)}, pilots {piloted}")


def check_rerun(driver, checks):
    """Live server: choose two schools that are not pilots now, re-run, find them among the pilots."""
    s = state(driver)
    runs = int(s["runs"] or 0)
    before = [p["pilots"] for p in s["panes"]]
    # The pane with the fewest pilots (thin-spread's "pilots" may be every school): choose two
    # schools that are not pilots there.
    fewest = min(s["panes"], key=lambda p: len((p["pilots"] or "").split(",")))
    current = set((fewest["pilots"] or "").split(","))
    candidates = [c["id"] for c in fewest["circles"] if c["id"] not in current][:2]
    checks.check("there are schools that are not pilots yet to choose", len(candidates) == 2,
                 f"pilots of the panes: {[p['pilots'] for p in s['panes']]}")
    dispatched = []
    for school in candidates:
        circle = driver.find_element(By.CSS_SELECTOR, f'section.pane circle.school[data-id="{school}"]')
        try:
            circle.click()
        except (ElementClickInterceptedException, ElementNotInteractableException):
            # A small circle under a neighbour or a label: click it the way a script would.
            driver.execute_script(
                "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", circle)
            dispatched.append(school)
    chosen = {c["id"] for c in state(driver)["panes"][0]["circles"] if c["chosen"]}
    checks.check("clicking schools marks them chosen (class \"chosen\")", chosen == set(candidates),
                 f"clicked {candidates}, chosen {sorted(chosen)}"
                 + (f"; covered, clicked by script: {dispatched}" if dispatched else ""))
    click(driver, "#rerun")
    done = wait_for(driver, lambda: int(state(driver)["runs"] or 0) == runs + 1)
    checks.check("#rerun finishes: body[data-runs] increases by one", done,
                 f"{runs} -> {state(driver)['runs']!r}")
    after = state(driver)
    # The contract does not say every strategy takes the chosen pilots, but the pane they were
    # chosen against (the fewest pilots: not one that funds every school anyway) must have them.
    same = [p for p in after["panes"] if p["strategy"] == fewest["strategy"]]
    pilots = set((same[0]["pilots"] or "").split(",")) - {""} if same else set()
    checks.check(f"after the re-run the {fewest['strategy']} pane's data-pilots includes every "
                 "chosen school", done and bool(candidates) and set(candidates) <= pilots,
                 f"chosen {candidates}, pilots {sorted(pilots)[:40]}")
    checks.check("the re-run changed the pilots", [p["pilots"] for p in after["panes"]] != before,
                 f"before {before}")
    error = driver.execute_script(
        "const e = document.getElementById('error'); return e ? e.innerText.trim() : ''")
    checks.check("#error shows nothing after a valid re-run", not error, error[:200])
    # The story of the school clicked last follows the play and term shown, not the click.
    last = candidates[-1] if candidates else None
    told = []
    for _ in range(4):
        click(driver, "#step-forward")
        time.sleep(0.1)
        told.append(driver.execute_script(
            "const c = document.querySelector('section.pane circle.school[data-id=\"' + arguments[0] + '\"]');"
            "return [document.getElementById('info').dataset.stage, c ? c.dataset.stage : null]", last))
    checks.check("after the re-run and at each step, #info[data-stage] is the stage of the school "
                 "clicked last as drawn now", bool(told) and all(a == b and a for a, b in told), f"{told}")


def check_live(command, shot):
    """Start `COMMAND --port 0 --no-open`, read the address from its first line, test, stop it."""
    checks = Checks("show (live server)")
    process = subprocess.Popen([*command, "--port", "0", "--no-open"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    # Both pipes are drained for as long as the server runs: a server that logs its requests
    # must never block on a full pipe.
    out, err, first_line = [], [], threading.Event()

    def drain(pipe, lines, event=None):
        for text in pipe:
            lines.append(text)
            if event:
                event.set()
        if event:
            event.set()

    threading.Thread(target=drain, args=(process.stdout, out, first_line), daemon=True).start()
    threading.Thread(target=drain, args=(process.stderr, err), daemon=True).start()
    first_line.wait(60)  # the server may first run the scenario
    line = out[0].strip() if out else ""
    match = re.fullmatch(r"domino show: serving (http://127\.0\.0\.1:\d+/)", line)
    failed = 0
    try:
        if not checks.check("the first stdout line is \"domino show: serving http://127.0.0.1:PORT/\"",
                            bool(match), repr(line) if line else
                            (f"no line within 60 s; exit status {process.poll()}; "
                             f"stderr {''.join(err)[-2000:]!r}")):
            return checks.failed
        failed = check_show(match.group(1), shot, live=True)
        check_stopped(match.group(1), process, checks)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(10)
            checks.check("SIGTERM ends the server within 10 s", True, f"exit status {code}")
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            checks.check("SIGTERM ends the server within 10 s", False, "killed")
    return checks.failed + failed


def check_stopped(url, process, checks):
    """Live server: stopped under an open page, a re-run says in #error that the server is not
    answering (not only the browser's "Failed to fetch")."""
    driver = make_driver()
    try:
        load(driver, checks, url, "show")
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        click(driver, "#rerun")
        said = lambda: driver.execute_script(  # noqa: E731
            "const e = document.getElementById('error'); return e ? e.innerText : ''")
        wait_for(driver, lambda: bool(said().strip()), 5)
        checks.check("with the server stopped, #rerun says the server is not answering",
                     "not answering" in said(), repr(said()))
    except (WebDriverException, subprocess.TimeoutExpired) as error:
        checks.check("with the server stopped, #rerun says the server is not answering", False, str(error))
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    report = sub.add_parser("report")
    report.add_argument("report")
    report.add_argument("summary")
    report.add_argument("--objective", default="students_benefiting_share")
    report.add_argument("--screenshot", required=True)
    show = sub.add_parser("show")
    show.add_argument("page")
    show.add_argument("--screenshot", required=True)
    live = sub.add_parser("live")
    live.add_argument("--screenshot", required=True)
    live.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.what == "report":
        failed = check_report(args.report, args.summary, args.objective, args.screenshot)
    elif args.what == "show":
        failed = check_show(Path(args.page).resolve().as_uri(), args.screenshot, live=False)
    else:
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("live: give the server's command, e.g. -- domino show")
        failed = check_live(command, args.screenshot)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
