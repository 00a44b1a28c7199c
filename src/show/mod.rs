//! `domino show`: a workshop view of one run. A [`Show`] holds a scenario as the presenter gave
//! it; [`Show::play`] answers a [`Request`] (changes as `--set` takes them, chosen pilots) with a
//! [`Play`]: the network laid out in the unit square ([`crate::network::layout`]) and, for each
//! strategy shown, every school's stage, origin and source in every term of the same run (same
//! world, same draws, read through [`crate::engine::watch`] as `domino run --trace` is). The page
//! ([`PAGE`], `page.html`) draws and plays it; [`server`] serves the page and the JSON to a room,
//! and [`Show::export`] writes the page with precomputed plays as one offline file.
//!
//! Every request is a scenario load: its changes pass the same validation as a scenario file's
//! values, and a request whose work (schools x terms x strategies) exceeds [`MAX_CELLS`] is
//! refused before it runs.

pub mod server;

use crate::engine::watch;
use crate::error::InputError;
use crate::maths::power_of_ten;
use crate::model::{Origin, Stage, NO_SOURCE};
use crate::network::layout::{layout, Point};
use crate::network::Network;
use crate::output::write_atomic;
use crate::scenario::set::Setting;
use crate::scenario::{path, NetworkFiles, Scenario, StrategyKind, DEFAULT_SCENARIO};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The most school-terms a request may ask for, over all strategies shown: a few hundred schools
/// for a few hundred terms plays in well under a second; beyond this the room would wait.
pub const MAX_CELLS: u64 = 2_000_000;

/// The most `--set` changes one request may carry.
pub(crate) const MAX_SETTINGS: usize = 64;

/// The page: one HTML file with inline CSS and JS. `/*DATA*/null` is replaced by the
/// precomputed plays in an export; the live page fetches them from its server.
pub const PAGE: &str = include_str!("page.html");

/// What the page asks for: changes to the scenario and the chosen pilots.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Request {
    /// `PATH=VALUE` changes, as `--set` takes them, applied after the presenter's own.
    pub set: Vec<String>,
    /// School ids to pilot (empty: the strategies choose), given to every pilot-then-cascade
    /// strategy shown as its `pilot_ids`.
    pub pilots: Vec<String>,
    /// The strategies to show, one per pane, as `--strategy` names them (empty: the
    /// presenter's choice, [`Show::shown`]). Checked as `--strategy` is.
    pub strategies: Vec<String>,
}

/// One school as drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolView {
    /// The school's id (node table), else its index as text.
    pub id: String,
    /// Its name, if the node table gives one.
    pub name: String,
    /// Its region index.
    pub region: u32,
    /// Enrolment, students.
    pub size: f64,
    /// Position in the unit square.
    pub x: f64,
    /// Position in the unit square.
    pub y: f64,
}

/// A school's stage as the page colours it: [`Stage`] with implementing schools that are visible
/// successes (pockets) told apart.
pub const STAGES: [&str; 5] = ["none", "implementing", "pocket", "sustained", "abandoned"];

/// How a school came to adopt, as the page marks it: [`Origin`] by name.
/// The names are the trace's (`domino run --trace`), so that the page and the trace use the same
/// words: a recruited school is one the strategy took on, paid or not ([`PaneView::paid`] says).
pub const ORIGINS: [&str; 4] = ["", "recruited", "persuaded_funded", "persuaded"];

/// One strategy's run, term by term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaneView {
    /// The strategy's name.
    pub strategy: String,
    /// Its kind.
    pub kind: String,
    /// What its kind does, in one plain sentence (empty when it has no kind).
    pub about: String,
    /// Ids of the schools piloted (else funded) in the first term anyone was.
    pub pilots: Vec<String>,
    /// `stage[t][i]`: index into [`STAGES`] of school i after t terms.
    pub stage: Vec<Vec<u8>>,
    /// `origin[t][i]`: index into [`ORIGINS`].
    pub origin: Vec<Vec<u8>>,
    /// `source[t][i]`: the index of the pocket that persuaded school i, -1 if none.
    pub source: Vec<Vec<i64>>,
    /// `coached[t][i]`: 1 when school i received coaching from a neighbouring pocket in term t-1.
    pub coached: Vec<Vec<u8>>,
    /// `funded[t][i]`: 1 when the strategy paid school i in term t-1.
    pub funded: Vec<Vec<u8>>,
    /// `paid[t][i]`: the support the strategy paid school i in terms 0 to t-1, SU (to a
    /// hundredth). A recruited school may have been paid nothing: one whose own resources
    /// cover its dose costs the strategy no money.
    pub paid: Vec<Vec<f64>>,
    /// Share of schools sustained after each term.
    pub sustained_share: Vec<f64>,
}

/// A slider the page offers: a dotted path and its range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slider {
    /// The field's dotted path, as `--set` takes it.
    pub path: String,
    /// What it is, for people.
    pub label: String,
    /// Lowest value offered.
    pub min: f64,
    /// Highest value offered.
    pub max: f64,
    /// Step.
    pub step: f64,
    /// This play's value.
    pub value: f64,
    /// The value as the show started (the scenario with the presenter's `--set`): the range
    /// is fixed around it for the whole session, so that the presenter can always get back to
    /// it, and the exported page scores the as-written play with it.
    pub start: f64,
    /// What the slider does, in a sentence, where its label alone would mislead (else empty).
    pub note: String,
    /// True when moving this slider to either end of its range, with every other value as the
    /// show started, changes no school's stage in any term of any pane: the page says so, so that
    /// a room is not asked to watch a knob that does nothing in this scenario.
    pub inert: bool,
}

/// A variant button: the scenario's `[show]` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantView {
    /// Label.
    pub name: String,
    /// Its changes.
    pub set: Vec<String>,
}

/// A strategy of the scenario, as the page's strategy chooser offers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyChoice {
    /// Its name, as `--strategy` and [`Request::strategies`] take it.
    pub name: String,
    /// Its kind.
    pub kind: String,
}

/// The answer to a request: everything the page needs to play the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Play {
    /// The scenario's name.
    pub scenario: String,
    /// Its description.
    pub description: String,
    /// Which run (its world and draws are run k's in `compare`).
    pub run: u64,
    /// Terms played.
    pub steps: u32,
    /// The changes applied, the presenter's then the request's.
    pub set: Vec<String>,
    /// The request's own changes (how the page finds a precomputed play).
    pub changes: Vec<String>,
    /// The presenter's changes (`--set` on the command line), under every play.
    pub presenter: Vec<String>,
    /// The line the page shows about them: each change, marked where this play's own changes
    /// override it (empty when the presenter changed nothing).
    pub presenter_note: String,
    /// Every strategy of the scenario, for the page's chooser; [`Play::panes`] are the ones
    /// shown.
    pub strategies: Vec<StrategyChoice>,
    /// Stage names, indexed by the codes in [`PaneView::stage`].
    pub stages: Vec<&'static str>,
    /// Origin names, indexed by the codes in [`PaneView::origin`].
    pub origins: Vec<&'static str>,
    /// The schools.
    pub schools: Vec<SchoolView>,
    /// Region names by index.
    pub regions: Vec<String>,
    /// Ties: `[a, b, weight]` by school index.
    pub edges: Vec<(u32, u32, f32)>,
    /// One pane per strategy shown.
    pub panes: Vec<PaneView>,
    /// Sliders, with this play's values and the session's fixed ranges.
    pub sliders: Vec<Slider>,
    /// Variant buttons.
    pub variants: Vec<VariantView>,
}

/// A scenario as the presenter gave it, ready to answer requests.
#[derive(Debug, Clone)]
pub struct Show {
    src: String,
    path: Option<PathBuf>,
    files: Option<Arc<NetworkFiles>>,
    sets: Vec<Setting>,
    shown: Vec<String>,
    /// Every strategy of the scenario, for the page's chooser.
    strategies: Vec<StrategyChoice>,
    variants: Vec<VariantView>,
    run: u64,
    /// The sliders with the ranges of the whole session, fixed when the show starts
    /// ([`Slider::start`]).
    sliders: Vec<Slider>,
    /// For each strategy of the scenario, the paths of the sliders that change nothing at
    /// either end when it runs ([`Slider::inert`]: inert in a play when inert for every
    /// strategy shown).
    inert: Vec<(String, Vec<String>)>,
    /// Layouts already computed, by a hash of the network and regions: re-runs with other
    /// pilots or mechanisms draw the same network, and laying out a few hundred schools takes
    /// longer than running them.
    layouts: Arc<Mutex<Vec<(u64, Layout)>>>,
}

/// Decimals of the support a page is told a school was paid ([`PaneView::paid`]): enough for a
/// tooltip, and few bytes a school-term (a large export holds millions of them).
const PAID_DECIMALS: u32 = 2;

/// Layouts kept.
const LAYOUTS: usize = 16;

/// A layout shared between plays.
type Layout = Arc<Vec<Point>>;

/// The sliders: (path, label, range). A relative range is a multiple of the scenario's value.
const SLIDERS: [(&str, &str, Range); 6] = [
    (
        "mechanisms.dose.d50",
        "Support for half-speed learning (support units per term)",
        Range::Times(0.25, 2.5),
    ),
    (
        "budget",
        "Budget, all schools (support units per term)",
        Range::Times(0.0, 3.0),
    ),
    (
        "mechanisms.coaching.capacity",
        "Coaching a successful school gives beyond its own resources (support units per term)",
        Range::Times(0.0, 3.0),
    ),
    (
        "mechanisms.size.influence_exponent",
        "Weight of a big school's success (size exponent, 0: size ignored)",
        Range::Fixed(0.0, 2.0, 0.1),
    ),
    (
        "network.within_region",
        "Ties within a region (share of all ties, 0 to 1)",
        Range::Fixed(0.0, 1.0, 0.05),
    ),
    (
        "mechanisms.contagion.topple_ratio",
        "Largest school one success can topple (times its size)",
        Range::Fixed(1.0, 4.0, 0.1),
    ),
];

/// The budget slider's label when the scenario gives the budget per school
/// (`budget.per_school`): the page shows the total beside the value.
const BUDGET_PER_SCHOOL_LABEL: &str = "Budget per school (support units per term)";

#[derive(Debug, Clone, Copy)]
enum Range {
    /// From about a times the value to about b times it, in about 20 round steps (0 to 1 when
    /// the value is 0).
    Times(f64, f64),
    /// From about, to about, step.
    Fixed(f64, f64, f64),
}

impl Range {
    /// `(min, max, step)` for a slider at `value`: the value is on the grid `min + k * step`
    /// (a browser's range input snaps to that grid, so a value off it would put the knob
    /// beside its label and send neighbouring values), and the grid covers the range.
    fn grid(self, value: f64) -> (f64, f64, f64) {
        let (lo, hi, step) = match self {
            Range::Fixed(a, b, s) => (a, b, s),
            Range::Times(_, _) if value == 0.0 => (0.0, 1.0, 0.05),
            Range::Times(a, b) => (a * value, b * value, round_step((b - a) * value / 20.0)),
        };
        // Tolerances absorb the rounding of values that are whole steps apart in decimal.
        let below = ((value - lo) / step + 1e-9).floor().max(0.0);
        let min = value - below * step;
        let above = ((hi - value) / step - 1e-9).ceil().max(0.0);
        let max = value + above * step;
        if tidy(value, step) == value {
            (tidy(min, step), tidy(max, step), step)
        } else {
            // A value with more digits than the step keeps them: rounding would leave the grid.
            (min, max, step)
        }
    }
}

/// What the coaching slider sets, said where the slider is: a pocket coaches with its own
/// resources too (model mechanism 10, `coach_capacity`), so schools are coached at 0.
const COACHING_NOTE: &str = "what a pocket of average readiness adds, when it coaches its \
    implementing neighbours, to its own resources (which always coach): at 0, pockets still coach";

/// The sentence a slider carries, if any ([`Slider::note`]).
fn slider_note(path: &str) -> &'static str {
    match path {
        "mechanisms.coaching.capacity" => COACHING_NOTE,
        _ => "",
    }
}

/// The round number (1, 2, 2.5 or 5 times a power of ten) nearest `raw` on a log scale.
/// `libm`'s functions rather than std's, so that the exported page is the same bytes on every
/// machine, as every output is.
fn round_step(raw: f64) -> f64 {
    let e = libm::floor(libm::log10(raw));
    let power = if e >= 0.0 {
        power_of_ten(e as u32)
    } else {
        1.0 / power_of_ten((-e) as u32)
    };
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .min_by(|a, b| {
            libm::log(a / raw)
                .abs()
                .total_cmp(&libm::log(b / raw).abs())
        })
        .unwrap_or(raw)
}

/// `x` rounded to `decimals` decimals.
fn round_to(x: f64, decimals: u32) -> f64 {
    let scale = power_of_ten(decimals);
    (x * scale).round() / scale
}

/// `x` without the binary noise below a thousandth of `step` (0.30000000000000004 is 0.3).
fn tidy(x: f64, step: f64) -> f64 {
    let digits = libm::ceil(-libm::log10(step / 1000.0)).clamp(0.0, 15.0) as u32;
    round_to(x, digits)
}

impl Show {
    /// The scenario at `path` (else the built-in default) with the presenter's `sets`, showing
    /// `strategies` (empty: the scenario's first two, or its only one: a scenario with a single
    /// strategy is shown in a single pane). Errors are the scenario's.
    pub fn new(
        path: Option<&Path>,
        sets: &[Setting],
        strategies: &[String],
        run: u64,
    ) -> Result<Self, InputError> {
        let src = match path {
            Some(p) => {
                let bytes = std::fs::read(p).map_err(|e| {
                    InputError::msg(format!("cannot read scenario file: {e}")).in_file(p)
                })?;
                crate::scenario::files::utf8(&bytes, Some(p))?.to_string()
            }
            None => DEFAULT_SCENARIO.to_string(),
        };
        let in_file = |e: InputError| match path {
            Some(p) => e.in_file(p),
            None => e,
        };
        let first = Scenario::load(&src, path, None, sets)?;
        if first.config.model.is_classic() {
            return Err(in_file(InputError::field(
                "model",
                format!(
                    "domino show plays the school model (model = \"school\", the default); this \
                     scenario's model is \"{}\", a classic model with no schools to colour",
                    first.config.model.name()
                ),
            )));
        }
        let mut show = Self {
            src,
            path: path.map(Path::to_path_buf),
            files: first.files.clone(),
            sets: sets.to_vec(),
            shown: Vec::new(),
            strategies: Vec::new(),
            variants: Vec::new(),
            run,
            sliders: Vec::new(),
            inert: Vec::new(),
            layouts: Arc::default(),
        };
        let base = first;
        let names: Vec<String> = base
            .config
            .strategies
            .iter()
            .map(|s| s.name.clone())
            .collect();
        show.shown = choose(&names, strategies, "--strategy")?;
        show.strategies = base
            .config
            .strategies
            .iter()
            .map(|s| StrategyChoice {
                name: s.name.clone(),
                kind: s.kind.map(|k| k.name().to_string()).unwrap_or_default(),
            })
            .collect();
        // The scenario as given must fit the bound on work before a server starts or a page is
        // written: otherwise the room would see only an error.
        show.bound(&base, show.shown.len()).map_err(|cells| {
            let by = if sets.is_empty() {
                String::new()
            } else {
                " (with the --set changes)".to_string()
            };
            in_file(InputError::msg(format!(
                "too large for domino show{by}: {cells}; lower network.schools or steps{}",
                if show.shown.len() > 1 {
                    ", or show one strategy with --strategy NAME"
                } else {
                    ""
                }
            )))
        })?;
        show.variants = show.variant_views(&base);
        show.sliders = sliders(&base);
        // The variants must load and fit the bound: a bad `[show]` change is the scenario's
        // error, found now, not when the room presses its button.
        for (i, v) in show.variants.iter().enumerate() {
            let fits = parse_sets(&v.set)
                .and_then(|sets| show.load(&sets))
                .and_then(|scenario| {
                    show.arms(&scenario, &show.shown)?;
                    show.bound(&scenario, show.shown.len()).map_err(|cells| {
                        InputError::msg(format!("too large for domino show: {cells}"))
                    })?;
                    Ok(scenario)
                });
            let scenario = fits.map_err(|e| {
                // The change at fault, when the error names one, is placed on its own line in
                // the file; else the variant's.
                let at = v
                    .set
                    .iter()
                    .position(|raw| e.field.as_deref() == Some(format!("--set {raw}").as_str()))
                    .map_or(format!("show.variants[{i}]"), |j| {
                        format!("show.variants[{i}].set[{j}]")
                    });
                crate::scenario::locate::place(
                    InputError::field(
                        at,
                        format!("the variant \"{}\" cannot be played: {e}", v.name),
                    ),
                    &show.src,
                    path,
                )
            })?;
            // A button's value is on its slider, whatever the range around the start.
            let table = toml::Table::try_from(&scenario.config).unwrap_or_default();
            for slider in &mut show.sliders {
                slider.cover(value_at(&table, &slider.path));
            }
        }
        show.inert = show.inert_sliders(&base)?;
        Ok(show)
    }

    /// For each strategy of `base`, the sliders that change no school's stage at either end of
    /// their range when it runs (an end the scenario cannot take is skipped; a slider with no
    /// playable end is not inert). Runs every strategy twice a slider, without laying out the
    /// network: each strategy alone, so that any pair the page chooses is marked right.
    fn inert_sliders(&self, base: &Scenario) -> Result<Vec<(String, Vec<String>)>, InputError> {
        let stages = |scenario: &Scenario, arm: usize| -> Result<Vec<Vec<u8>>, InputError> {
            let mut all = Vec::new();
            watch(scenario, arm, self.run, |world, _, state, _| {
                all.push((0..world.len()).map(|i| stage_code(state, i)).collect());
            })?;
            Ok(all)
        };
        let ends: Vec<(String, Vec<Scenario>)> = self
            .sliders
            .iter()
            .map(|slider| {
                let playable = slider
                    .ends()
                    .into_iter()
                    .filter_map(|end| parse_sets(&[end]).and_then(|s| self.load(&s)).ok())
                    .filter(|scenario| self.bound(scenario, 1).is_ok())
                    .collect();
                (slider.path.clone(), playable)
            })
            .collect();
        let mut inert = Vec::new();
        for (arm, strategy) in base.config.strategies.iter().enumerate() {
            let before = stages(base, arm)?;
            let mut paths = Vec::new();
            for (path, scenarios) in &ends {
                let mut same = !scenarios.is_empty();
                for scenario in scenarios {
                    // The changes keep the strategies, so `arm` is the same strategy.
                    same = same && stages(scenario, arm)? == before;
                }
                if same {
                    paths.push(path.clone());
                }
            }
            inert.push((strategy.name.clone(), paths));
        }
        Ok(inert)
    }

    /// The variant buttons. A variant plays on top of the presenter's `--set`; where the presenter
    /// changed a field that some variant sets, every variant that does not set it sets it back
    /// to the file's value, so that a button plays what its label says ("falls (topple ratio
    /// 2)" falls, whatever ratio the presenter started with).
    fn variant_views(&self, base: &Scenario) -> Vec<VariantView> {
        let variants = &base.config.show.variants;
        let paths_of = |set: &[String]| -> Vec<String> {
            parse_sets(set)
                .map(|s| s.into_iter().map(|s| s.path).collect())
                .unwrap_or_default()
        };
        let owned: Vec<String> = variants.iter().flat_map(|v| paths_of(&v.set)).collect();
        let changed: Vec<&str> = self
            .sets
            .iter()
            .map(|s| s.path.as_str())
            .filter(|p| owned.iter().any(|o| o == p))
            .collect();
        let file = if changed.is_empty() {
            None
        } else {
            Scenario::load(&self.src, self.path.as_deref(), self.files.as_ref(), &[])
                .ok()
                .and_then(|s| toml::Table::try_from(&s.config).ok())
        };
        variants
            .iter()
            .map(|v| {
                let mine = paths_of(&v.set);
                let mut set = v.set.clone();
                if let Some(table) = &file {
                    let mut done: Vec<&str> = Vec::new();
                    for &p in &changed {
                        if mine.iter().any(|m| m == p) || done.contains(&p) {
                            continue;
                        }
                        if let Some(value) = path::get(table, p) {
                            set.push(format!("{p}={value}"));
                            done.push(p);
                        }
                    }
                }
                VariantView {
                    name: v.name.clone(),
                    set,
                }
            })
            .collect()
    }

    /// The index of each strategy of `shown` in `scenario`.
    fn arms(&self, scenario: &Scenario, shown: &[String]) -> Result<Vec<usize>, InputError> {
        shown
            .iter()
            .map(|name| {
                scenario
                    .config
                    .strategies
                    .iter()
                    .position(|s| &s.name == name)
                    .ok_or_else(|| {
                        InputError::field(
                            "set",
                            format!("the changes leave no strategy named \"{name}\" to show"),
                        )
                    })
            })
            .collect()
    }

    /// Whether playing `scenario` with `panes` strategies fits [`MAX_CELLS`]; if not, the work
    /// it asks for, in words.
    fn bound(&self, scenario: &Scenario, panes: usize) -> Result<(), String> {
        let n = scenario.schools() as u64;
        let steps = u64::from(scenario.config.steps);
        let k = panes as u64;
        let cells = n * (steps + 1) * k;
        if cells <= MAX_CELLS {
            return Ok(());
        }
        Err(format!(
            "{n} schools x {} states (terms 0 to {steps}) x {k} strateg{} is {cells} \
             school-terms, and domino show plays at most {MAX_CELLS}",
            steps + 1,
            if k == 1 { "y" } else { "ies" }
        ))
    }

    /// The strategies shown, in pane order.
    pub fn shown(&self) -> &[String] {
        &self.shown
    }

    fn load(&self, extra: &[Setting]) -> Result<Scenario, InputError> {
        let mut sets = self.sets.clone();
        sets.extend_from_slice(extra);
        Scenario::load(&self.src, self.path.as_deref(), self.files.as_ref(), &sets)
    }

    /// Plays `request`: validates its changes as a scenario file's, bounds its work, runs every
    /// strategy shown in run k's world.
    pub fn play(&self, request: &Request) -> Result<Play, InputError> {
        if request.set.len() > MAX_SETTINGS {
            return Err(InputError::field(
                "set",
                format!("at most {MAX_SETTINGS} changes per request"),
            ));
        }
        let mut sets = parse_sets(&request.set)?;
        let shown = if request.strategies.is_empty() {
            self.shown.clone()
        } else {
            let names: Vec<String> = self.strategies().into_iter().map(|s| s.name).collect();
            choose(&names, &request.strategies, "strategies")?
        };
        let scenario = self.load(&sets)?;
        if !request.pilots.is_empty() {
            let list = toml::Value::Array(
                request
                    .pilots
                    .iter()
                    .map(|p| toml::Value::String(p.clone()))
                    .collect(),
            );
            let mut any = false;
            for (i, s) in scenario.config.strategies.iter().enumerate() {
                if shown.contains(&s.name) && s.kind == Some(StrategyKind::PilotThenCascade) {
                    any = true;
                    sets.push(setting(&format!("strategies[{i}].pilot_ids={list}"))?);
                }
            }
            if !any {
                return Err(InputError::field(
                    "pilots",
                    "none of the strategies shown chooses pilots (pilot-then-cascade does)",
                ));
            }
        }
        let scenario = if request.pilots.is_empty() {
            scenario
        } else {
            self.load(&sets)?
        };
        let arms = self.arms(&scenario, &shown)?;
        self.bound(&scenario, shown.len()).map_err(|cells| {
            InputError::field(
                "set",
                format!("{cells}: use fewer schools (network.schools) or terms (steps)"),
            )
        })?;
        let mut play = self.run_arms(&scenario, &arms, &self.applied(&request.set))?;
        play.presenter_note = self.presenter_note(&request.set)?;
        play.changes = request.set.clone();
        Ok(play)
    }

    /// Every strategy of the scenario as the show started.
    pub fn strategies(&self) -> Vec<StrategyChoice> {
        self.strategies.clone()
    }

    /// The line about the presenter's changes under a play with the request's `changes`: each
    /// change, and where one of `changes` sets the same field, by what it is overridden (a
    /// variant button by its name), so that the line never contradicts what is playing.
    fn presenter_note(&self, changes: &[String]) -> Result<String, InputError> {
        if self.sets.is_empty() {
            return Ok(String::new());
        }
        let requested = parse_sets(changes)?;
        let by = self
            .variants
            .iter()
            .find(|v| v.set == changes)
            .map(|v| format!("the button \"{}\"", v.name));
        let items: Vec<String> = self
            .sets
            .iter()
            .map(|mine| {
                // The last change of a field is the one in force.
                match requested.iter().rev().find(|r| r.path == mine.path) {
                    Some(r) => format!(
                        "{mine} (overridden by {}: {r})",
                        by.as_deref().unwrap_or("this page")
                    ),
                    None => mine.to_string(),
                }
            })
            .collect();
        Ok(format!(
            "The presenter's changes (--set): {}",
            items.join(", ")
        ))
    }

    fn applied(&self, extra: &[String]) -> Vec<String> {
        self.sets
            .iter()
            .map(|s| s.to_string())
            .chain(extra.iter().cloned())
            .collect()
    }

    fn run_arms(
        &self,
        scenario: &Scenario,
        arms: &[usize],
        set: &[String],
    ) -> Result<Play, InputError> {
        let mut schools = Vec::new();
        let mut edges = Vec::new();
        let panes = arms
            .iter()
            .map(|&arm| {
                let cfg = &scenario.config.strategies[arm];
                let mut pane = PaneView {
                    strategy: cfg.name.clone(),
                    kind: cfg.kind.map(|k| k.name().to_string()).unwrap_or_default(),
                    about: cfg.kind.map(|k| k.about().to_string()).unwrap_or_default(),
                    pilots: Vec::new(),
                    stage: Vec::new(),
                    origin: Vec::new(),
                    source: Vec::new(),
                    coached: Vec::new(),
                    funded: Vec::new(),
                    paid: Vec::new(),
                    sustained_share: Vec::new(),
                };
                let mut paid = vec![0.0; scenario.schools()];
                watch(scenario, arm, self.run, |world, step, state, plan| {
                    let n = world.len();
                    if schools.is_empty() {
                        let points = self.layout(&world.network, &world.schools.region);
                        schools = describe(scenario, &points, &world.schools);
                        edges = world
                            .network
                            .edges()
                            .map(|e| (e.a, e.b, e.weight))
                            .collect();
                    }
                    let stage: Vec<u8> = (0..n).map(|i| stage_code(state, i)).collect();
                    let sustained = stage.iter().filter(|&&s| s == 3).count();
                    pane.sustained_share
                        .push(sustained as f64 / n.max(1) as f64);
                    pane.stage.push(stage);
                    pane.origin.push(
                        (0..n)
                            .map(|i| match state.origin[i] {
                                Origin::None => 0,
                                Origin::Recruited => 1,
                                Origin::PersuadedFunded => 2,
                                Origin::Persuaded => 3,
                            })
                            .collect(),
                    );
                    pane.source.push(
                        state
                            .source
                            .iter()
                            .map(|&j| if j == NO_SOURCE { -1 } else { i64::from(j) })
                            .collect(),
                    );
                    let after_term = step > 0;
                    pane.coached.push(
                        (0..n)
                            .map(|i| u8::from(after_term && state.coaching[i] > 0.0))
                            .collect(),
                    );
                    pane.funded.push(
                        (0..n)
                            .map(|i| u8::from(after_term && plan.support[i] > 0.0))
                            .collect(),
                    );
                    if after_term {
                        for (sum, &support) in paid.iter_mut().zip(&plan.support) {
                            *sum += support;
                        }
                    }
                    pane.paid
                        .push(paid.iter().map(|&x| round_to(x, PAID_DECIMALS)).collect());
                    if after_term && pane.pilots.is_empty() {
                        let first: Vec<usize> =
                            match (0..n).filter(|&i| plan.pilot[i]).collect::<Vec<_>>() {
                                p if !p.is_empty() => p,
                                _ => (0..n).filter(|&i| plan.support[i] > 0.0).collect(),
                            };
                        pane.pilots = first
                            .into_iter()
                            .map(|i| scenario.school_id(i).into_owned())
                            .collect();
                    }
                })?;
                Ok(pane)
            })
            .collect::<Result<Vec<_>, InputError>>()?;
        let table = toml::Table::try_from(&scenario.config).unwrap_or_default();
        let shown: Vec<&str> = arms
            .iter()
            .map(|&arm| scenario.config.strategies[arm].name.as_str())
            .collect();
        let sliders = self
            .sliders
            .iter()
            .map(|s| Slider {
                value: value_at(&table, &s.path),
                inert: shown.iter().all(|name| {
                    self.inert
                        .iter()
                        .any(|(n, paths)| n == name && paths.contains(&s.path))
                }),
                ..s.clone()
            })
            .collect();
        Ok(Play {
            scenario: scenario.config.name.clone(),
            description: scenario.config.description.clone(),
            run: self.run,
            steps: scenario.config.steps,
            set: set.to_vec(),
            changes: Vec::new(),
            presenter: self.sets.iter().map(|s| s.to_string()).collect(),
            presenter_note: String::new(),
            strategies: self.strategies.clone(),
            stages: STAGES.to_vec(),
            origins: ORIGINS.to_vec(),
            regions: region_names(scenario),
            schools,
            edges,
            panes,
            sliders,
            variants: self.variants.clone(),
        })
    }

    /// The layout of `network` with `region`, from the cache when it was drawn before.
    fn layout(&self, network: &Network, region: &[u32]) -> Arc<Vec<Point>> {
        let mut h = DefaultHasher::new();
        network.schools().hash(&mut h);
        for e in network.edges() {
            (e.a, e.b, e.weight.to_bits()).hash(&mut h);
        }
        region.hash(&mut h);
        let key = h.finish();
        let cached = self.layouts.lock().ok().and_then(|l| {
            l.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, p)| Arc::clone(p))
        });
        if let Some(points) = cached {
            return points;
        }
        let points = Arc::new(layout(network, region));
        if let Ok(mut l) = self.layouts.lock() {
            if l.len() >= LAYOUTS {
                l.remove(0);
            }
            l.push((key, Arc::clone(&points)));
        }
        points
    }

    /// Writes the page with precomputed plays to `out`, atomically: the scenario as given, each
    /// `[show]` variant, and each slider at the low and high ends of its range. Returns how many
    /// plays it holds and the bytes written. Every variant is played (each was checked by
    /// [`Show::new`]), so every button of the page has its play; a slider end the scenario
    /// cannot take (out of a field's range) is left out, and the slider snaps to the ends it has.
    pub fn export(&self, out: &Path) -> anyhow::Result<(usize, u64)> {
        let base = self.play(&Request::default())?;
        let mut plays = vec![base];
        let mut seen: Vec<Vec<String>> = vec![Vec::new()];
        for v in &self.variants {
            if seen.contains(&v.set) {
                continue;
            }
            let request = Request {
                set: v.set.clone(),
                ..Request::default()
            };
            let play = self.play(&request).map_err(|e| {
                InputError::field(
                    "--export",
                    format!("the variant \"{}\" cannot be played: {e}", v.name),
                )
            })?;
            seen.push(v.set.clone());
            plays.push(play);
        }
        let ends: Vec<Vec<String>> = plays[0]
            .sliders
            .iter()
            .flat_map(|s| s.ends().into_iter().map(|end| vec![end]))
            .collect();
        for set in ends {
            if seen.contains(&set) {
                continue;
            }
            let request = Request {
                set: set.clone(),
                ..Request::default()
            };
            if let Ok(play) = self.play(&request) {
                seen.push(set);
                plays.push(play);
            }
        }
        let count = plays.len();
        let html = page_with(&serde_json::to_string(&plays)?);
        write_atomic(out, |w| w.write_all(html.as_bytes()))?;
        Ok((count, html.len() as u64))
    }
}

/// The page with `data` (JSON) in place of its placeholder, made safe inside a `<script>`.
pub(crate) fn page_with(data: &str) -> String {
    let safe = data.replace("</", "<\\/").replace("<!--", "<\\!--");
    PAGE.replacen("/*DATA*/null", &safe, 1)
}

/// School i's stage as the page codes it: [`STAGES`] by index.
fn stage_code(state: &crate::model::State, i: usize) -> u8 {
    match state.stage[i] {
        Stage::NotAdopted => 0,
        Stage::Implementing if state.pocket[i] => 2,
        Stage::Implementing => 1,
        Stage::Sustained => 3,
        Stage::Abandoned => 4,
    }
}

/// The sliders of `scenario` ([`SLIDERS`]) with its values, their ranges around them (the
/// show's fixed ranges, made once from the scenario as the show starts); none marked inert. The
/// network sliders are left out when the network comes from files, which they cannot change.
fn sliders(scenario: &Scenario) -> Vec<Slider> {
    let table = toml::Table::try_from(&scenario.config).unwrap_or_default();
    let file_network = scenario.files.is_some();
    SLIDERS
        .iter()
        .filter(|(p, _, _)| !(file_network && p.starts_with("network.")))
        .map(|&(p, label, range)| {
            let p = if p == "budget" {
                if scenario.config.budget.total.is_some() {
                    "budget.total"
                } else {
                    "budget.per_school"
                }
            } else {
                p
            };
            let value = value_at(&table, p);
            let (min, max, step) = range.grid(value);
            let label = if p == "budget.per_school" {
                BUDGET_PER_SCHOOL_LABEL
            } else {
                label
            };
            Slider {
                path: p.to_string(),
                label: label.to_string(),
                min,
                max,
                step,
                value,
                start: value,
                note: slider_note(p).to_string(),
                inert: false,
            }
        })
        .collect()
}

impl Slider {
    /// Widens the range by whole steps until it holds `value` (a variant's value beyond the
    /// range around the start), keeping the start on the grid.
    fn cover(&mut self, value: f64) {
        let tidy_if = |x: f64| {
            let t = tidy(x, self.step);
            // Only binary noise is tidied: a start with more digits than the step keeps them.
            if (t - x).abs() < self.step * 1e-6 {
                t
            } else {
                x
            }
        };
        if value < self.min {
            let k = ((self.min - value) / self.step - 1e-9).ceil();
            self.min = tidy_if(self.min - k * self.step);
        }
        if value > self.max {
            let k = ((value - self.max) / self.step - 1e-9).ceil();
            self.max = tidy_if(self.max + k * self.step);
        }
    }

    /// The changes that put this slider at the ends of its range other than its value, as
    /// `PATH=VALUE`.
    fn ends(&self) -> Vec<String> {
        [self.min, self.max]
            .into_iter()
            .filter(|&v| v != self.value)
            .map(|v| format!("{}={}", self.path, crate::output::num(v)))
            .collect()
    }
}

/// The strategies to show, one per pane: `wanted` (empty: the scenario's first two, or its only
/// one) checked against the scenario's `names`: at most two, each the scenario's, none twice.
/// Errors name `field` (`--strategy` on the command line, `strategies` in a request).
fn choose(names: &[String], wanted: &[String], field: &str) -> Result<Vec<String>, InputError> {
    if wanted.is_empty() {
        return Ok(names.iter().take(2).cloned().collect());
    }
    if wanted.len() > 2 {
        return Err(InputError::field(
            field,
            format!(
                "at most two, one per pane; got {}: {}",
                wanted.len(),
                wanted.join(", ")
            ),
        ));
    }
    for s in wanted {
        if !names.contains(s) {
            return Err(InputError::field(
                field,
                format!(
                    "no strategy named \"{s}\"; the scenario has: {}",
                    names.join(", ")
                ),
            ));
        }
    }
    if wanted.len() == 2 && wanted[0] == wanted[1] {
        return Err(InputError::field(
            field,
            format!(
                "\"{}\" is named twice; name two different strategies, one per pane, or one for \
                 a single pane",
                wanted[0]
            ),
        ));
    }
    Ok(wanted.to_vec())
}

/// The number at dotted `path` of a scenario's `table` (0 when it has none).
fn value_at(table: &toml::Table, path: &str) -> f64 {
    path::get(table, path)
        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
        .unwrap_or(0.0)
}

fn setting(text: &str) -> Result<Setting, InputError> {
    text.parse::<Setting>()
        .map_err(|e| InputError::field("set", e))
}

fn parse_sets(list: &[String]) -> Result<Vec<Setting>, InputError> {
    list.iter().map(|s| setting(s)).collect()
}

fn region_names(scenario: &Scenario) -> Vec<String> {
    let (_, n) = crate::school::regions(scenario);
    let names = scenario
        .files
        .as_ref()
        .and_then(|f| f.nodes.as_ref())
        .and_then(|t| t.region_names.clone());
    names.unwrap_or_else(|| (0..n).map(|r| format!("region {}", r + 1)).collect())
}

fn describe(
    scenario: &Scenario,
    points: &[Point],
    schools: &crate::school::Population,
) -> Vec<SchoolView> {
    (0..schools.len())
        .map(|i| SchoolView {
            id: scenario.school_id(i).into_owned(),
            name: scenario.school_name(i).to_string(),
            region: schools.region[i],
            size: schools.size[i],
            x: points[i].x,
            y: points[i].y,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_steps() {
        assert_eq!(round_step(0.1125), 0.1);
        assert_eq!(round_step(0.3), 0.25);
        assert_eq!(round_step(0.8), 1.0);
        assert_eq!(round_step(17.0), 20.0);
    }

    #[test]
    fn the_default_d50_slider_steps_through_its_value() {
        // d50 = 1: 0.25 to 2.5 times it in steps of 0.1125 put 1.0 off the grid.
        assert_eq!(Range::Times(0.25, 2.5).grid(1.0), (0.3, 2.5, 0.1));
        assert_eq!(Range::Times(0.0, 3.0).grid(2.0), (0.0, 6.0, 0.25));
        assert_eq!(Range::Fixed(1.0, 4.0, 0.1).grid(5.0), (1.0, 5.0, 0.1));
    }

    #[test]
    fn a_slider_widens_by_whole_steps_to_hold_a_variants_value() {
        let (min, max, step) = Range::Fixed(1.0, 4.0, 0.1).grid(2.0);
        let mut s = Slider {
            path: "p".into(),
            label: "p".into(),
            min,
            max,
            step,
            value: 2.0,
            start: 2.0,
            note: String::new(),
            inert: false,
        };
        s.cover(1.5);
        assert_eq!((s.min, s.max), (1.0, 4.0), "inside: unchanged");
        s.cover(4.25);
        assert_eq!((s.min, s.max), (1.0, 4.3));
        s.cover(0.55);
        assert_eq!((s.min, s.max), (0.5, 4.3));
        let k = (s.start - s.min) / s.step;
        assert!((k - k.round()).abs() < 1e-9, "the start stays on the grid");
    }

    proptest! {
        /// Whatever the value, it is on the slider's grid and the grid covers the range.
        #[test]
        fn the_value_is_on_the_grid(value in 0.0001f64..10_000.0, fixed in any::<bool>()) {
            let range = if fixed { Range::Fixed(0.0, 2.0, 0.1) } else { Range::Times(0.25, 2.5) };
            let (lo, hi) = if fixed { (0.0, 2.0) } else { (0.25 * value, 2.5 * value) };
            let (min, max, step) = range.grid(value);
            prop_assert!(step > 0.0);
            prop_assert!(min <= value && value <= max, "{min} {value} {max}");
            let k = (value - min) / step;
            prop_assert!((k - k.round()).abs() < 1e-3, "{value} is {k} steps from {min}");
            prop_assert!(min <= lo.max(0.0) + step && min >= lo - step - 1e-9, "{min} vs {lo}");
            prop_assert!(max >= hi.min(value.max(hi)) - step, "{max} vs {hi}");
        }
    }
}
