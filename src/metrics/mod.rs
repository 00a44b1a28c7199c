//! What is measured: per-term series, per-run summaries and their aggregation over runs.
//!
//! - [`Series`]: figures recorded every term of a run (shares, practice, effect, spend).
//! - [`Recorder`]: watches one run and produces its series and its [`RunSummary`].
//! - [`SeriesAggregate`]: folds the series of many runs, in run order, into mean and percentiles
//!   per term without keeping the runs (memory does not grow with the number of runs).
//! - [`stats`]: means with confidence intervals, percentiles and paired comparisons.

pub mod stats;

use crate::model::{Origin, Params, Stage, State, World};
use crate::scenario::Objective;
use crate::school::NeedGroup;
use stats::Bounds;

/// An enum of named figures with `ALL`, `COUNT` and `name()`; used for every metric list.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $var),+ }
        impl $name {
            /// Every variant, in column order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// Number of variants.
            pub const COUNT: usize = [$($text),+].len();
            /// The snake_case name used in files.
            pub fn name(self) -> &'static str {
                match self { $($name::$var => $text),+ }
            }
        }
    };
}
pub(crate) use named_enum;

named_enum! {
    /// Figures recorded every term (step 0 is the start).
    Series {
        /// Share of schools implementing.
        Implementing => "implementing_share",
        /// Share of schools that are pockets (visible successes).
        Pockets => "pockets_share",
        /// Share of schools sustained.
        Sustained => "sustained_share",
        /// Share of schools that have abandoned (and not re-adopted).
        Abandoned => "abandoned_share",
        /// Mean practice over all schools.
        MeanPractice => "mean_practice",
        /// Mean realized effect over adopters, SD.
        MeanEffect => "mean_effect_sd",
        /// Share of counted adopters with no benefit.
        NoBenefit => "no_benefit_share",
        /// Same among high-need schools (top third by need).
        NoBenefitHighNeed => "no_benefit_share_high_need",
        /// Same among low-need schools (bottom third).
        NoBenefitLowNeed => "no_benefit_share_low_need",
        /// Sustained share of high-need schools.
        SustainedHighNeed => "sustained_share_high_need",
        /// Sustained share of low-need schools.
        SustainedLowNeed => "sustained_share_low_need",
        /// Share of all students in practising schools whose true effect reaches the benefit bar.
        StudentsBenefiting => "students_benefiting_share",
        /// Share of the term's budget spent.
        Spend => "spend_share",
    }
}

impl Series {
    /// The range used by the aggregate's histogram (values outside are clamped for percentiles
    /// only; means are exact).
    pub fn range(self) -> (f64, f64) {
        match self {
            Series::MeanEffect => (-1.0, 1.0),
            _ => (0.0, 1.0),
        }
    }
}

named_enum! {
    /// Figures of one run at the horizon, one row per run in `runs.csv`.
    RunMetric {
        /// Share of schools sustained at the horizon.
        SustainedShare => "sustained_share",
        /// Number of schools sustained at the horizon.
        Sustained => "sustained_schools",
        /// Share implementing at the horizon.
        ImplementingShare => "implementing_share",
        /// Share abandoned at the horizon.
        AbandonedShare => "abandoned_share",
        /// Mean practice at the horizon.
        MeanPractice => "mean_practice",
        /// Mean practice over terms 1-4 (how fast a strategy starts).
        EarlyPractice => "mean_practice_terms_1_4",
        /// First term with 25 % of schools sustained (empty: never).
        TimeTo25 => "time_to_25pct_terms",
        /// First term with 50 % sustained (empty: never).
        TimeTo50 => "time_to_50pct_terms",
        /// First term with 75 % sustained (empty: never).
        TimeTo75 => "time_to_75pct_terms",
        /// First term some region had 80 % of its schools sustained (empty: never).
        FirstRegionDone => "first_region_done_terms",
        /// Students in practising schools whose true effect reaches the benefit bar.
        StudentsBenefiting => "students_benefiting",
        /// SU spent over the run.
        Spend => "spend_su",
        /// SU of budget left unspent over the run.
        Unspent => "unspent_su",
        /// Share of the horizon's total budget left unspent (`unspent_su` over the budget of
        /// every term; empty without a budget).
        UnspentShare => "unspent_share",
        /// SU spent per school sustained at the horizon (empty: none sustained).
        CostPerSustained => "cost_per_sustained_su",
        /// Sustained rate of high-need minus low-need schools.
        EquityGap => "equity_gap",
        /// Sustained share of high-need schools.
        SustainedHighNeed => "sustained_share_high_need",
        /// Sustained share of low-need schools.
        SustainedLowNeed => "sustained_share_low_need",
        /// Share of counted adopters with no benefit (empty: no adopters).
        NoBenefit => "no_benefit_share",
        /// Same among high-need adopters.
        NoBenefitHighNeed => "no_benefit_share_high_need",
        /// Same among low-need adopters.
        NoBenefitLowNeed => "no_benefit_share_low_need",
        /// Mean realized effect over adopters, SD (empty: no adopters).
        MeanEffect => "mean_effect_sd",
        /// Students benefiting as a share of all students: the default objective.
        StudentsBenefitingShare => "students_benefiting_share",
        /// Share of sustained schools that were persuaded and never directly funded (empty: none
        /// sustained).
        NeverFundedShare => "never_funded_share",
        /// Sustained schools per school the strategy directly funded (empty: none funded).
        CascadeMultiplier => "cascade_multiplier",
        /// Share of practising schools whose true effect is below the benefit bar (empty: none
        /// practising).
        NoBenefitPractising => "no_benefit_practising_share",
        /// Share of counted adopters not yet practising (practice below the visibility bar).
        NotPractising => "not_practising_share",
    }
}

impl RunMetric {
    /// The values the metric can take.
    pub(crate) fn bounds(self) -> Bounds {
        use RunMetric::*;
        match self {
            Sustained | TimeTo25 | TimeTo50 | TimeTo75 | FirstRegionDone | StudentsBenefiting
            | Spend | Unspent | CostPerSustained | CascadeMultiplier => Bounds::NON_NEGATIVE,
            EquityGap => Bounds::SHARE_DIFFERENCE,
            // A realized effect falls below 0 with the implementation dip, and has no cap.
            MeanEffect => Bounds::ANY,
            SustainedShare
            | ImplementingShare
            | AbandonedShare
            | MeanPractice
            | EarlyPractice
            | UnspentShare
            | SustainedHighNeed
            | SustainedLowNeed
            | NoBenefit
            | NoBenefitHighNeed
            | NoBenefitLowNeed
            | StudentsBenefitingShare
            | NeverFundedShare
            | NoBenefitPractising
            | NotPractising => Bounds::SHARE,
        }
    }

    /// True for times, where "never" is recorded as +infinity (empty in `runs.csv`).
    pub(crate) fn is_time(self) -> bool {
        matches!(
            self,
            RunMetric::TimeTo25
                | RunMetric::TimeTo50
                | RunMetric::TimeTo75
                | RunMetric::FirstRegionDone
        )
    }
}

/// The figures of one run, one per metric of its [`Measures`] (for the school model, indexed by
/// [`RunMetric`]). NaN means undefined in this run; +infinity means a time never reached.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary(pub Box<[f64]>);

impl RunSummary {
    /// The value of school-model metric `m`. For a classic-model run, read
    /// [`RunSummary::at`] with a `ClassicMetric` (`domino::classic::ClassicMetric::FinalShare as
    /// usize`) or an index from [`Measures::metric_index`].
    ///
    /// # Panics
    ///
    /// If this is not a school-model run (its figures are not one per [`RunMetric`]): a classic
    /// run's figures are other metrics, and reading them by a school-model name would give the
    /// wrong one.
    pub fn get(&self, m: RunMetric) -> f64 {
        assert_eq!(
            self.0.len(),
            RunMetric::COUNT,
            "RunSummary::get reads school-model runs only; read a classic run with `at`"
        );
        self.0[m as usize]
    }

    /// The value of the metric at index `i` of the ensemble's [`Measures`] (its
    /// `run_metrics`), for either model.
    ///
    /// # Panics
    ///
    /// If `i` is not below the number of metrics the run recorded.
    pub fn at(&self, i: usize) -> f64 {
        self.0[i]
    }
}

/// One per-run metric: its column name and whether it is a time (never reached = +infinity).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricInfo {
    /// Snake-case name used in files.
    pub name: &'static str,
    /// A time, where "never" is +infinity (an empty cell in `runs.csv`).
    pub is_time: bool,
    /// The values it can take; its mean's confidence interval is clipped to them.
    pub bounds: Bounds,
}

/// One per-step series: its name and the range of its histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInfo {
    /// Snake-case name used in files.
    pub name: &'static str,
    /// Range used by the aggregate's histogram for percentiles.
    pub range: (f64, f64),
}

/// What a model measures: the per-run metrics and per-step series of its ensembles, and which of
/// them headline a comparison. The school model and the classic models each have one, and the
/// output files and tables are written from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// Per-run metrics, in column order.
    pub run_metrics: Vec<MetricInfo>,
    /// Per-step series, in file order.
    pub series: Vec<SeriesInfo>,
    /// Run metrics compared run by run in `paired.csv` (higher is better for each).
    pub paired: Vec<usize>,
    /// The run metric that decides which strategy wins.
    pub headline: usize,
    /// The run metrics a parameter sweep reports per point (the headline first).
    pub sweep_figures: Vec<usize>,
    /// The series drawn in the chart.
    pub headline_series: usize,
    /// What a step is called in tables and charts ("term", "round", "time").
    pub step_name: &'static str,
    /// File name of the chart of the headline series.
    pub chart_file: &'static str,
    /// What an arm of a comparison is called ("strategy", "seeding").
    pub arm_label: &'static str,
    /// The same in the plural ("strategies", "seeding rules").
    pub arms_label: &'static str,
    /// What beating another arm on the headline means, after "this arm ..." ("sustains more
    /// schools").
    pub beats: &'static str,
    /// The columns of the comparison table, after the arm's name and before the `>name` columns.
    pub table: Vec<TableColumn>,
}

/// How a table cell shows a run metric over the runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellFormat {
    /// Mean as a percentage with the 95 % CI of the mean: `31.8 (30.9-32.7)`.
    PercentCi,
    /// A 0/1 metric: the share of runs as a percentage with its Wilson 95 % interval.
    ShareCi,
    /// Median time over runs; `>steps` when most runs never get there.
    MedianTime {
        /// Decimals shown.
        decimals: usize,
    },
    /// Mean as a whole number (`12k` from ten thousand).
    Count,
    /// Mean with one decimal.
    Decimal,
    /// Mean times 100 with a sign: a difference of shares, in points.
    Points,
    /// Mean times 100.
    Percent,
}

/// One column of the comparison table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// The column header.
    pub header: &'static str,
    /// The run metric shown (index into the measures' run metrics).
    pub metric: usize,
    /// How it is shown.
    pub format: CellFormat,
    /// One phrase explaining it, for the note under the table (`t50 = median terms to ...`).
    pub meaning: String,
}

impl Measures {
    /// The index of the run metric named `name` (as in `runs.csv`'s columns), for
    /// [`RunSummary::at`] and [`crate::engine::Ensemble::column`]; `None` if this model has none.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.run_metrics.iter().position(|m| m.name == name)
    }

    /// The index of the series named `name` (as in `timeseries.csv`'s `metric` column), for
    /// [`SeriesAggregate::point_at`]; `None` if this model has none.
    pub fn series_index(&self, name: &str) -> Option<usize> {
        self.series.iter().position(|s| s.name == name)
    }

    /// The measures of the school model when strategies compete on `objective`.
    pub fn school(objective: Objective) -> Self {
        let (headline, other, headline_series, beats) = match objective {
            Objective::StudentsBenefiting => (
                RunMetric::StudentsBenefitingShare,
                RunMetric::SustainedShare,
                Series::StudentsBenefiting,
                "benefits more students",
            ),
            Objective::SustainedShare => (
                RunMetric::SustainedShare,
                RunMetric::StudentsBenefitingShare,
                Series::Sustained,
                "sustains more schools",
            ),
        };
        Self {
            run_metrics: RunMetric::ALL
                .iter()
                .map(|&m| MetricInfo {
                    name: m.name(),
                    is_time: m.is_time(),
                    bounds: m.bounds(),
                })
                .collect(),
            series: Series::ALL
                .iter()
                .map(|&s| SeriesInfo {
                    name: s.name(),
                    range: s.range(),
                })
                .collect(),
            paired: vec![headline as usize, other as usize],
            headline: headline as usize,
            sweep_figures: [
                headline,
                other,
                RunMetric::TimeTo50,
                RunMetric::CostPerSustained,
                RunMetric::EquityGap,
                RunMetric::NoBenefitPractising,
            ]
            .map(|m| m as usize)
            .to_vec(),
            headline_series: headline_series as usize,
            step_name: "term",
            chart_file: "sustained.svg",
            arm_label: "strategy",
            arms_label: "strategies",
            beats,
            table: school_table(headline, other),
        }
    }
}

/// The columns of the school model's comparison table: the objective first.
fn school_table(headline: RunMetric, other: RunMetric) -> Vec<TableColumn> {
    let col = |header, metric: RunMetric, format, meaning: &str| TableColumn {
        header,
        metric: metric as usize,
        format,
        meaning: meaning.to_string(),
    };
    let share_column = |m: RunMetric| match m {
        RunMetric::SustainedShare => col(
            "sustained % (95% CI)",
            m,
            CellFormat::PercentCi,
            "sustained = share of schools sustained at the horizon (mean, 95% CI of the mean)",
        ),
        _ => col(
            "benefiting % (95% CI)",
            RunMetric::StudentsBenefitingShare,
            CellFormat::PercentCi,
            "benefiting = share of all students in schools practising with a true effect at or \
             above the benefit bar (mean, 95% CI)",
        ),
    };
    vec![
        share_column(headline),
        share_column(other),
        col(
            "t50",
            RunMetric::TimeTo50,
            CellFormat::MedianTime { decimals: 0 },
            "t50 = median terms to 50% sustained (>horizon = most runs never get there)",
        ),
        col(
            "never funded",
            RunMetric::NeverFundedShare,
            CellFormat::Percent,
            "never funded = sustained schools persuaded by peers and never funded, %",
        ),
        col(
            "SU/sust.",
            RunMetric::CostPerSustained,
            CellFormat::Decimal,
            "SU/sust. = support units spent per sustained school (mean over the runs that \
             sustained any)",
        ),
        col(
            "equity",
            RunMetric::EquityGap,
            CellFormat::Points,
            "equity = sustained rate of high- minus low-need schools, points",
        ),
        col(
            "no ben.",
            RunMetric::NoBenefitPractising,
            CellFormat::Percent,
            "no ben. = practising schools whose true effect is below the benefit bar, %",
        ),
        col(
            "unspent % (95% CI)",
            RunMetric::UnspentShare,
            CellFormat::PercentCi,
            "unspent = share of the horizon's budget left unspent (mean, 95% CI of the mean)",
        ),
    ]
}

/// One term's figures, indexed by [`Series`].
pub type SeriesRow = [f64; Series::COUNT];

/// The share of a region's schools that must be sustained for [`RunMetric::FirstRegionDone`].
pub(crate) const REGION_DONE_SHARE: f64 = 0.8;

/// Watches one run term by term.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    /// The series, one row per term from 0 to the horizon.
    pub rows: Vec<SeriesRow>,
    region_sustained: Vec<u32>,
    region_size: Vec<u32>,
    first_region_done: Option<u32>,
    spend: f64,
    unspent: f64,
    /// The budget of every term observed so far, SU.
    budget_total: f64,
    last: [f64; 10],
}

const LAST_SUSTAINED: usize = 0;
const LAST_STUDENTS: usize = 1;
const LAST_NO_BENEFIT: usize = 2;
const LAST_NB_HIGH: usize = 3;
const LAST_NB_LOW: usize = 4;
const LAST_EFFECT: usize = 5;
const LAST_NEVER_FUNDED: usize = 6;
const LAST_MULTIPLIER: usize = 7;
const LAST_NB_PRACTISING: usize = 8;
const LAST_NOT_PRACTISING: usize = 9;

fn share(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        f64::NAN
    }
}

impl Recorder {
    /// Clears the recorder for a new run in `world`.
    pub fn reset(&mut self, world: &World) {
        self.rows.clear();
        self.region_size.clear();
        self.region_size.resize(world.schools.n_regions, 0);
        for &r in &world.schools.region {
            self.region_size[r as usize] += 1;
        }
        self.first_region_done = None;
        self.spend = 0.0;
        self.unspent = 0.0;
        self.budget_total = 0.0;
    }

    /// Records the state after term `step - 1` (or the start, for step 0), given what was spent
    /// that term out of `budget`. O(n).
    pub fn observe(
        &mut self,
        world: &World,
        p: &Params,
        s: &State,
        step: u32,
        spent: f64,
        budget: f64,
    ) {
        let n = world.len() as f64;
        let sch = &world.schools;
        // Counts are kept as integers (exact, and free of the floating-point add chains that
        // bounded this loop) and turned into f64 once, where they are the same numbers.
        let mut count = [0u32; 4];
        let mut pockets = 0u32;
        let mut practice = 0.0;
        let (mut effect_sum, mut adopters) = (0.0, 0u32);
        // [group][0 = counted adopters, 1 = without benefit, 2 = sustained, 3 = schools]
        let mut by_need = [[0u32; 4]; 3];
        let mut students_ok = 0.0;
        let mut students = 0.0;
        // [practising, practising without benefit, counted not practising, sustained never
        // funded, funded]
        let mut origins = [0u32; 5];
        self.region_sustained.clear();
        self.region_sustained.resize(sch.n_regions, 0);
        for i in 0..world.len() {
            let stage = s.stage[i];
            count[stage as usize] += 1;
            practice += s.practice[i];
            pockets += s.pocket[i] as u32;
            students += sch.size[i];
            let g = match sch.need_group[i] {
                NeedGroup::Low => 0,
                NeedGroup::Middle => 1,
                NeedGroup::High => 2,
            };
            by_need[g][3] += 1;
            if stage.is_adopter() {
                effect_sum += s.effect[i];
                adopters += 1;
            }
            let benefit = s.effect[i] >= p.benefit_bar;
            let counted = stage == Stage::Sustained
                || (stage == Stage::Implementing && s.terms[i] >= p.benefit_min_terms);
            let practising = s.practising(i, p);
            if counted {
                by_need[g][0] += 1;
                by_need[g][1] += (!benefit) as u32;
                origins[2] += (!practising) as u32;
            }
            if practising {
                origins[0] += 1;
                if benefit {
                    students_ok += sch.size[i];
                } else {
                    origins[1] += 1;
                }
            }
            origins[4] += s.funded[i] as u32;
            if stage == Stage::Sustained {
                by_need[g][2] += 1;
                self.region_sustained[sch.region[i] as usize] += 1;
                origins[3] += (s.origin[i] == Origin::Persuaded) as u32;
            }
        }
        if self.first_region_done.is_none()
            && self
                .region_sustained
                .iter()
                .zip(&self.region_size)
                .any(|(&k, &m)| m > 0 && k as f64 >= REGION_DONE_SHARE * m as f64)
        {
            self.first_region_done = Some(step);
        }
        let count = count.map(f64::from);
        let (pockets, adopters) = (f64::from(pockets), f64::from(adopters));
        let by_need = by_need.map(|g| g.map(f64::from));
        let origins = origins.map(f64::from);
        let counted: f64 = by_need.iter().map(|g| g[0]).sum();
        let no_benefit: f64 = by_need.iter().map(|g| g[1]).sum();
        let mut row = [0.0; Series::COUNT];
        row[Series::Implementing as usize] = count[Stage::Implementing as usize] / n;
        row[Series::Pockets as usize] = pockets / n;
        row[Series::Sustained as usize] = count[Stage::Sustained as usize] / n;
        row[Series::Abandoned as usize] = count[Stage::Abandoned as usize] / n;
        row[Series::MeanPractice as usize] = practice / n;
        row[Series::MeanEffect as usize] = share(effect_sum, adopters);
        row[Series::NoBenefit as usize] = share(no_benefit, counted);
        row[Series::NoBenefitHighNeed as usize] = share(by_need[2][1], by_need[2][0]);
        row[Series::NoBenefitLowNeed as usize] = share(by_need[0][1], by_need[0][0]);
        row[Series::SustainedHighNeed as usize] = share(by_need[2][2], by_need[2][3]);
        row[Series::SustainedLowNeed as usize] = share(by_need[0][2], by_need[0][3]);
        row[Series::StudentsBenefiting as usize] = share(students_ok, students);
        row[Series::Spend as usize] = if step == 0 {
            0.0
        } else {
            share(spent, budget).min(1.0)
        };
        if budget.is_finite() && step > 0 {
            self.spend += spent;
            self.unspent += (budget - spent).max(0.0);
            self.budget_total += budget;
        }
        self.last = [
            count[Stage::Sustained as usize],
            students_ok,
            row[Series::NoBenefit as usize],
            row[Series::NoBenefitHighNeed as usize],
            row[Series::NoBenefitLowNeed as usize],
            row[Series::MeanEffect as usize],
            share(origins[3], count[Stage::Sustained as usize]),
            share(count[Stage::Sustained as usize], origins[4]),
            share(origins[1], origins[0]),
            share(origins[2], counted),
        ];
        self.rows.push(row);
    }

    /// The run's summary at the horizon (after the last `observe`).
    pub fn summary(&self) -> RunSummary {
        let last = self
            .rows
            .last()
            .copied()
            .unwrap_or([f64::NAN; Series::COUNT]);
        let first_reaching = |q: f64| {
            self.rows
                .iter()
                .position(|r| r[Series::Sustained as usize] >= q)
                .map_or(f64::INFINITY, |t| t as f64)
        };
        let early: Vec<f64> = self
            .rows
            .iter()
            .skip(1)
            .take(4)
            .map(|r| r[Series::MeanPractice as usize])
            .collect();
        let mut v = [f64::NAN; RunMetric::COUNT];
        let sustained = self.last[LAST_SUSTAINED];
        v[RunMetric::SustainedShare as usize] = last[Series::Sustained as usize];
        v[RunMetric::Sustained as usize] = sustained;
        v[RunMetric::ImplementingShare as usize] = last[Series::Implementing as usize];
        v[RunMetric::AbandonedShare as usize] = last[Series::Abandoned as usize];
        v[RunMetric::MeanPractice as usize] = last[Series::MeanPractice as usize];
        v[RunMetric::EarlyPractice as usize] = if early.is_empty() {
            f64::NAN
        } else {
            early.iter().sum::<f64>() / early.len() as f64
        };
        v[RunMetric::TimeTo25 as usize] = first_reaching(0.25);
        v[RunMetric::TimeTo50 as usize] = first_reaching(0.5);
        v[RunMetric::TimeTo75 as usize] = first_reaching(0.75);
        v[RunMetric::FirstRegionDone as usize] =
            self.first_region_done.map_or(f64::INFINITY, |t| t as f64);
        v[RunMetric::StudentsBenefiting as usize] = self.last[LAST_STUDENTS];
        v[RunMetric::Spend as usize] = self.spend;
        v[RunMetric::Unspent as usize] = self.unspent;
        v[RunMetric::UnspentShare as usize] = share(self.unspent, self.budget_total);
        v[RunMetric::CostPerSustained as usize] = share(self.spend, sustained);
        let (hi, lo) = (
            last[Series::SustainedHighNeed as usize],
            last[Series::SustainedLowNeed as usize],
        );
        v[RunMetric::EquityGap as usize] = hi - lo;
        v[RunMetric::SustainedHighNeed as usize] = hi;
        v[RunMetric::SustainedLowNeed as usize] = lo;
        v[RunMetric::NoBenefit as usize] = self.last[LAST_NO_BENEFIT];
        v[RunMetric::NoBenefitHighNeed as usize] = self.last[LAST_NB_HIGH];
        v[RunMetric::NoBenefitLowNeed as usize] = self.last[LAST_NB_LOW];
        v[RunMetric::MeanEffect as usize] = self.last[LAST_EFFECT];
        v[RunMetric::StudentsBenefitingShare as usize] = last[Series::StudentsBenefiting as usize];
        v[RunMetric::NeverFundedShare as usize] = self.last[LAST_NEVER_FUNDED];
        v[RunMetric::CascadeMultiplier as usize] = self.last[LAST_MULTIPLIER];
        v[RunMetric::NoBenefitPractising as usize] = self.last[LAST_NB_PRACTISING];
        v[RunMetric::NotPractising as usize] = self.last[LAST_NOT_PRACTISING];
        RunSummary(Box::new(v))
    }
}

/// Number of histogram bins per term and series: percentiles of the time series are resolved to
/// 1/1000 of the series' range.
pub const BINS: usize = 1000;

// The memory estimate that refuses too large a scenario before it runs (a lower layer) restates
// these counts; a change here must change it too.
const _: () = assert!(
    crate::scenario::budget::SERIES == Series::COUNT as u64
        && crate::scenario::budget::HISTOGRAM_BINS == BINS as u64,
    "scenario::budget's memory estimate restates metrics' series count and bins"
);

/// Mean and percentiles of every series at every term over many runs, folded run by run.
#[derive(Debug, Clone)]
pub struct SeriesAggregate {
    steps: usize,
    ranges: Vec<(f64, f64)>,
    n: Vec<u32>,
    mean: Vec<f64>,
    /// Smallest and largest value seen per cell: percentiles are clamped to them, so a series
    /// that is 0 in every run reports 0, not the middle of the first bin.
    min: Vec<f64>,
    max: Vec<f64>,
    hist: Vec<u32>,
}

/// Aggregate figures of one series at one term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesPoint {
    /// Runs where the series was defined at this term.
    pub n: u32,
    /// Mean over those runs (exact).
    pub mean: f64,
    /// 5th percentile: R's type 7 as in `summary.csv`, with each order statistic read from the
    /// histogram (within one bin, 1/1000 of the series' range, of the exact value).
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl SeriesAggregate {
    /// An empty aggregate of the school model's [`Series`] for terms 0..=steps.
    pub fn new(steps: usize) -> Self {
        Self::with_ranges(steps, Series::ALL.iter().map(|s| s.range()).collect())
    }

    /// An empty aggregate of series with the given histogram ranges, for steps 0..=steps.
    pub(crate) fn with_ranges(steps: usize, ranges: Vec<(f64, f64)>) -> Self {
        let cells = (steps + 1) * ranges.len();
        Self {
            steps,
            ranges,
            n: vec![0; cells],
            mean: vec![0.0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            hist: vec![0; cells * BINS],
        }
    }

    /// Adds one run's series. Runs must be added in run order for the means to be bit-identical
    /// across thread counts (the engine does so).
    pub fn add<'r>(&mut self, rows: impl IntoIterator<Item = &'r [f64]>) {
        let width = self.ranges.len();
        for (t, row) in rows.into_iter().enumerate().take(self.steps + 1) {
            for (k, &v) in row.iter().enumerate().take(width) {
                if v.is_nan() {
                    continue;
                }
                let cell = t * width + k;
                self.n[cell] += 1;
                self.mean[cell] += (v - self.mean[cell]) / self.n[cell] as f64;
                self.min[cell] = self.min[cell].min(v);
                self.max[cell] = self.max[cell].max(v);
                let (lo, hi) = self.ranges[k];
                let bin = (((v - lo) / (hi - lo)) * BINS as f64)
                    .floor()
                    .clamp(0.0, (BINS - 1) as f64) as usize;
                self.hist[cell * BINS + bin] += 1;
            }
        }
    }

    /// The aggregate of school-model `series` at term `step`. For a classic-model ensemble, read
    /// [`SeriesAggregate::point_at`] with a `ClassicSeries` (`domino::classic::ClassicSeries::Active
    /// as usize`) or an index from [`Measures::series_index`].
    ///
    /// # Panics
    ///
    /// If this aggregate does not hold the school model's series (a classic-model ensemble's,
    /// whose series are others: reading them by a school-model name would give the wrong one),
    /// or if `step` is after the last step.
    pub fn point(&self, step: usize, series: Series) -> SeriesPoint {
        assert_eq!(
            self.ranges.len(),
            Series::COUNT,
            "SeriesAggregate::point reads school-model series only; read a classic ensemble's \
             with `point_at`"
        );
        self.point_at(step, series as usize)
    }

    /// The aggregate of the series at index `k` of the ensemble's [`Measures`] (its `series`) at
    /// `step`, for either model.
    ///
    /// # Panics
    ///
    /// If `k` is not below the number of series aggregated or `step` is after the last step.
    pub fn point_at(&self, step: usize, k: usize) -> SeriesPoint {
        assert!(
            k < self.ranges.len() && step <= self.steps,
            "series {k} at step {step} is outside this aggregate ({} series, steps 0..={})",
            self.ranges.len(),
            self.steps
        );
        let cell = step * self.ranges.len() + k;
        let n = self.n[cell];
        let hist = &self.hist[cell * BINS..(cell + 1) * BINS];
        let (lo, hi) = self.ranges[k];
        let (seen_min, seen_max) = (self.min[cell], self.max[cell]);
        // The k-th smallest value (0-based): the middle of the bin the cumulative counts put it
        // in, clamped to the values seen (so the smallest and the largest are exact). A value
        // inside the range lies in its bin, so this is within one bin of the true value.
        let order_stat = |k: u32| -> f64 {
            if k == 0 {
                return seen_min;
            }
            if k + 1 == n {
                return seen_max;
            }
            let mut cum = 0u32;
            for (b, &c) in hist.iter().enumerate() {
                cum += c;
                if cum > k {
                    let mid = lo + (hi - lo) * (b as f64 + 0.5) / BINS as f64;
                    return mid.clamp(seen_min, seen_max);
                }
            }
            seen_max
        };
        // R's type 7, as summary.csv's percentiles ([`stats::quantile_sorted`]): linear
        // interpolation between the order statistics at q (n - 1). Each is within one bin, and
        // so is any weighted mean of the two.
        let q = |p: f64| -> f64 {
            match n {
                0 => f64::NAN,
                1 => seen_min,
                _ => {
                    let h = p * (n - 1) as f64;
                    let below = h.floor() as u32;
                    let a = order_stat(below);
                    let b = order_stat((below + 1).min(n - 1));
                    if a == b {
                        a
                    } else {
                        a + (h - below as f64) * (b - a)
                    }
                }
            }
        };
        SeriesPoint {
            n,
            mean: if n > 0 { self.mean[cell] } else { f64::NAN },
            p5: q(0.05),
            p50: q(0.5),
            p95: q(0.95),
        }
    }

    /// Number of terms recorded, including term 0.
    pub fn terms(&self) -> usize {
        self.steps + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An aggregate of two series, as a classic-model ensemble holds.
    fn two_series() -> SeriesAggregate {
        let mut agg = SeriesAggregate::with_ranges(1, vec![(0.0, 1.0); 2]);
        agg.add([&[0.25, 0.5][..], &[0.75, 1.0][..]]);
        agg
    }

    #[test]
    fn a_two_series_aggregate_reads_by_index() {
        let agg = two_series();
        assert_eq!(agg.point_at(1, 0).mean, 0.75);
        assert_eq!(agg.point_at(1, 1).mean, 1.0);
    }

    // Series::Implementing and Series::Pockets are indices 0 and 1: without the check, `point`
    // returned the classic series under a school-model name.
    #[test]
    #[should_panic(expected = "school-model series only")]
    fn point_by_a_school_series_name_refuses_other_series() {
        two_series().point(1, Series::Pockets);
    }

    #[test]
    #[should_panic(expected = "outside this aggregate")]
    fn point_at_an_index_past_the_series_says_so() {
        two_series().point_at(0, 2);
    }

    #[test]
    #[should_panic(expected = "school-model runs only")]
    fn get_by_a_school_metric_name_refuses_a_classic_run() {
        RunSummary(vec![0.5; 5].into_boxed_slice()).get(RunMetric::SustainedShare);
    }

    #[test]
    fn measures_find_metrics_and_series_by_name() {
        let m = Measures::school(Objective::SustainedShare);
        assert_eq!(
            m.metric_index("sustained_share"),
            Some(RunMetric::SustainedShare as usize)
        );
        assert_eq!(
            m.series_index("pockets_share"),
            Some(Series::Pockets as usize)
        );
        assert_eq!(m.metric_index("active_share"), None);
    }

    #[test]
    fn aggregate_mean_is_exact_and_percentiles_are_within_a_bin() {
        let mut agg = SeriesAggregate::new(0);
        let values: Vec<f64> = (0..1001).map(|k| k as f64 / 1000.0).collect();
        for &v in &values {
            let mut row = [f64::NAN; Series::COUNT];
            row[Series::Sustained as usize] = v;
            agg.add([&row[..]]);
        }
        let p = agg.point(0, Series::Sustained);
        assert_eq!(p.n, 1001);
        assert!((p.mean - 0.5).abs() < 1e-12);
        for (got, want) in [(p.p5, 0.05), (p.p50, 0.5), (p.p95, 0.95)] {
            assert!(
                (got - want).abs() <= 1.0 / BINS as f64 + 1e-12,
                "{got} vs {want}"
            );
        }
        assert_eq!(agg.point(0, Series::Pockets).n, 0);
    }

    /// Percentiles of discrete values (shares of a few schools, a few runs) follow summary.csv's
    /// type-7 definition to within half a bin: the case where "a percentile within the bin"
    /// and type 7 differed by many bins.
    #[test]
    fn percentiles_follow_type_7_within_half_a_bin_for_discrete_values() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let values = (1u32..200).prop_flat_map(|den| {
            (
                Just(den),
                proptest::collection::vec(0..=den, 1..50),
                any::<bool>(),
            )
        });
        runner
            .run(&values, |(den, ks, effect)| {
                // A share in [0, 1], or the same spread over [-1, 1] for mean_effect_sd.
                let (series, scale, shift) = if effect {
                    (Series::MeanEffect, 2.0, -1.0)
                } else {
                    (Series::Sustained, 1.0, 0.0)
                };
                let xs: Vec<f64> = ks
                    .iter()
                    .map(|&k| shift + scale * k as f64 / den as f64)
                    .collect();
                let mut agg = SeriesAggregate::new(0);
                for &v in &xs {
                    let mut row = [f64::NAN; Series::COUNT];
                    row[series as usize] = v;
                    agg.add([&row[..]]);
                }
                let got = agg.point(0, series);
                let want = stats::Summary::of(xs.iter().copied());
                let bound = 0.5 * scale / BINS as f64 + 1e-12;
                for (g, w) in [(got.p5, want.p5), (got.p50, want.p50), (got.p95, want.p95)] {
                    prop_assert!((g - w).abs() <= bound, "{g} vs {w} over {xs:?}");
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn percentiles_of_a_constant_series_are_that_constant() {
        let mut agg = SeriesAggregate::new(0);
        for _ in 0..50 {
            let mut row = [f64::NAN; Series::COUNT];
            row[Series::Sustained as usize] = 0.0;
            row[Series::Pockets as usize] = 0.3;
            agg.add([&row[..]]);
        }
        let zero = agg.point(0, Series::Sustained);
        assert_eq!((zero.p5, zero.p50, zero.p95), (0.0, 0.0, 0.0));
        let p = agg.point(0, Series::Pockets);
        assert_eq!((p.p5, p.p50, p.p95), (0.3, 0.3, 0.3));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = RunMetric::ALL.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RunMetric::COUNT);
    }
}
