//! The scenario file as written: plain serde structs with documented defaults.
//!
//! Every struct is `#[serde(default, deny_unknown_fields)]`, so a file sets only what differs from
//! the defaults and a misspelt key is an error. The defaults and the reasons for them are listed in
//! `docs/model.md`; the numbers here are the single source of those values.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The master seed of a scenario that names none: the built-in default's, so that a file that
/// leaves it out reproduces the default's numbers.
pub const DEFAULT_SEED: u64 = 20261122;

/// The whole scenario, as written (after defaults are filled in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Name used for the output folder; defaults to the file's stem.
    pub name: String,
    /// One or two sentences on what the scenario shows.
    pub description: String,
    /// Master seed; run k derives its own seeds from `(seed, k)`.
    pub seed: u64,
    /// Number of paired runs per strategy.
    pub runs: u32,
    /// Number of terms simulated (20 terms = 10 school years).
    pub steps: u32,
    /// The network of schools.
    pub network: NetworkConfig,
    /// How school attributes are drawn.
    pub schools: SchoolsConfig,
    /// The innovation being scaled.
    pub innovation: InnovationConfig,
    /// The eleven mechanisms of the model.
    pub mechanisms: MechanismsConfig,
    /// The budget per term, the same for every strategy.
    pub budget: BudgetConfig,
    /// The strategies compared (school model only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub strategies: Vec<StrategyConfig>,
    /// Which model runs on the network: the school model or one of the classic diffusion models.
    pub model: ModelKind,
    /// Parameters of the classic models (filled in when `model` is not `school`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classic: Option<ClassicConfig>,
    /// The seeding rules compared (classic models only; the counterpart of strategies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seedings: Vec<SeedingConfig>,
    /// What a comparison of strategies optimises: it headlines the table, decides the winner and
    /// sweeps' winners, and comes first in the paired comparisons (school model only).
    pub objective: Objective,
    /// How `domino show` presents the scenario (its variant buttons); nothing else reads it.
    #[serde(skip_serializing_if = "ShowConfig::is_empty")]
    pub show: ShowConfig,
    /// What `domino optimise` searches and how (school model only); left out, the default
    /// space ([`OptimiseConfig::default`]). Nothing else reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimise: Option<OptimiseConfig>,
    /// What `domino calibrate` fits to an observed rollout, and how; nothing else reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibrate: Option<CalibrateConfig>,
}

/// The `[calibrate]` table: the prior of every field `domino calibrate` fits, and the settings of
/// its ABC-SMC search (`crate::calibrate`). Nothing else reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalibrateConfig {
    /// The prior of each fitted field, by its dotted path as TOML dotted keys, in the
    /// distribution syntax of uncertain fields: `mechanisms.dose.d50 = { dist = "uniform",
    /// low = 0.5, high = 2 }` under `[calibrate.priors]`.
    pub priors: toml::Table,
    /// The strategy that was used in the observed rollout, by name (default: the scenario's
    /// first strategy).
    pub strategy: String,
    /// Particles accepted per generation.
    pub particles: u32,
    /// Most generations, the prior's sample included.
    pub generations: u32,
    /// Stop once a generation's tolerance is at or below this distance.
    pub min_epsilon: f64,
    /// Most simulations the search runs, every attempt counted (a generation the budget cannot
    /// finish is dropped, its simulations still counted); the predictive check runs `particles`
    /// more.
    pub simulations: u64,
}

impl Default for CalibrateConfig {
    fn default() -> Self {
        Self {
            priors: toml::Table::new(),
            strategy: String::new(),
            particles: 200,
            generations: 8,
            min_epsilon: 0.0,
            simulations: 100_000,
        }
    }
}

/// The `[show]` table: what `domino show` offers beside the scenario itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ShowConfig {
    /// Named variants the page offers as buttons, each a list of `--set` changes.
    pub variants: Vec<ShowVariant>,
}

impl ShowConfig {
    /// No variants (left out when the scenario is written back).
    pub fn is_empty(&self) -> bool {
        self.variants.is_empty()
    }
}

/// One variant button of `domino show`: a name and the changes it makes, as `PATH=VALUE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ShowVariant {
    /// The button's label.
    pub name: String,
    /// `PATH=VALUE` changes, as `--set` takes them (empty: the scenario as written).
    pub set: Vec<String>,
}

/// What decides which strategy wins. The names `optimise` uses for the same measures
/// (`students-benefiting`, `sustained`) are accepted too, so that one spelling works in both places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Students in schools practising the innovation with a true effect at or above the benefit
    /// bar, as a share of all students: what the innovation is for.
    #[default]
    #[serde(alias = "students-benefiting")]
    StudentsBenefiting,
    /// Share of schools sustained at the horizon: the version 1 headline.
    #[serde(alias = "sustained-share", alias = "sustained")]
    SustainedShare,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            seed: DEFAULT_SEED,
            runs: 1000,
            steps: 20,
            network: NetworkConfig::default(),
            schools: SchoolsConfig::default(),
            innovation: InnovationConfig::default(),
            mechanisms: MechanismsConfig::default(),
            budget: BudgetConfig::default(),
            strategies: vec![
                StrategyConfig::named("thin-spread"),
                StrategyConfig::named("pilot-then-cascade"),
                StrategyConfig::named("cluster"),
            ],
            model: ModelKind::School,
            classic: None,
            seedings: Vec::new(),
            objective: Objective::default(),
            show: ShowConfig::default(),
            optimise: None,
            calibrate: None,
        }
    }
}

/// The model run on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// The school model: eleven mechanisms, strategies allocating a budget.
    School,
    /// Independent cascade (Kempe, Kleinberg & Tardos 2003).
    IndependentCascade,
    /// Fractional threshold (Granovetter 1978; Watts 2002).
    Threshold,
    /// Linear threshold with random thresholds (Kempe, Kleinberg & Tardos 2003).
    LinearThreshold,
    /// Bass diffusion on the network, in exact continuous time (Bass 1969).
    Bass,
}

impl ModelKind {
    /// True for the classic diffusion models.
    pub fn is_classic(self) -> bool {
        self != ModelKind::School
    }

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::School => "school",
            ModelKind::IndependentCascade => "independent-cascade",
            ModelKind::Threshold => "threshold",
            ModelKind::LinearThreshold => "linear-threshold",
            ModelKind::Bass => "bass",
        }
    }
}

/// Parameters of the classic diffusion models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassicConfig {
    /// Independent cascade: chance that a newly active node activates a given inactive neighbour.
    pub transmission: f64,
    /// Independent cascade: use each tie's weight as its transmission chance instead.
    pub transmission_from_weight: bool,
    /// Fractional threshold: share of active neighbours a node needs (mean, if `threshold_sd` > 0).
    pub threshold: f64,
    /// Fractional threshold: thresholds ~ Normal(threshold, threshold_sd), clipped to [0, 1].
    pub threshold_sd: f64,
    /// Threshold model: number of active neighbours a node needs, whatever its degree (complex
    /// contagion, Centola & Macy 2007); 0 uses the fractional `threshold`. Left out of the
    /// resolved scenario when 0, so scenarios without it write the same bytes as before it existed.
    #[serde(skip_serializing_if = "ClassicConfig::uses_fraction")]
    pub threshold_count: u32,
    /// Bass: rate of adoption from outside the network (innovation), per unit time.
    pub bass_p: f64,
    /// Bass: rate of adoption per unit share of adopting neighbours (imitation), per unit time.
    pub bass_q: f64,
    /// Bass: model time between recorded steps (the process itself runs in continuous time).
    pub time_step: f64,
    /// A run is a global cascade when its final active share exceeds this.
    pub cascade_share: f64,
}

impl ClassicConfig {
    /// True when a `threshold_count` of `count` means the fractional threshold applies.
    fn uses_fraction(count: &u32) -> bool {
        *count == 0
    }
}

impl Default for ClassicConfig {
    fn default() -> Self {
        Self {
            transmission: 0.1,
            transmission_from_weight: false,
            threshold: 0.18,
            threshold_sd: 0.0,
            threshold_count: 0,
            bass_p: 0.03,
            bass_q: 0.38,
            time_step: 1.0,
            cascade_share: 0.1,
        }
    }
}

/// How the first active nodes of a classic model are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeedRule {
    /// k nodes uniformly at random.
    Random,
    /// The nodes listed in `nodes`.
    List,
    /// The k nodes of highest degree.
    Degree,
    /// The k nodes of highest eigenvector centrality.
    Centrality,
    /// One random node and all its neighbours.
    Neighbourhood,
}

impl SeedRule {
    /// The rule's name as scenario files write it.
    pub fn name(self) -> &'static str {
        match self {
            SeedRule::Random => "random",
            SeedRule::List => "list",
            SeedRule::Degree => "degree",
            SeedRule::Centrality => "centrality",
            SeedRule::Neighbourhood => "neighbourhood",
        }
    }
}

/// One seeding rule: the counterpart, for the classic models, of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedingConfig {
    /// Unique name, shown in tables and file rows.
    pub name: String,
    /// The rule.
    pub rule: SeedRule,
    /// Number of seeds k (0: use `share`).
    pub count: u32,
    /// Share of nodes seeded, used when `count` is 0 (rounded, at least one unless 0).
    pub share: f64,
    /// `list`: node indices (0-based, in the order of the network's nodes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<u32>,
}

impl Default for SeedingConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            rule: SeedRule::Random,
            count: 0,
            share: 0.01,
            nodes: Vec::new(),
        }
    }
}

/// Which network generator, or files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// Schools in regions: dense ties inside a region, few between, likelier between similar contexts.
    Regional,
    /// Watts-Strogatz small world: a ring lattice with a share of ties rewired.
    SmallWorld,
    /// Barabasi-Albert preferential attachment.
    ScaleFree,
    /// Erdos-Renyi G(n, m).
    Random,
    /// Ring lattice: each school tied to its nearest neighbours on a ring.
    Ring,
    /// Every school tied to every other.
    Complete,
    /// Configuration model: a given degree sequence, or degrees from a truncated power law.
    Configuration,
    /// An edge list CSV and, optionally, a node table CSV.
    File,
}

/// The network section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// Generator, or `file`.
    pub kind: NetworkKind,
    /// Number of schools (generators; with files, taken from the files).
    pub schools: u32,
    /// Number of regions; schools are split into contiguous blocks of ids.
    pub regions: u32,
    /// Mean number of ties per school.
    pub mean_degree: f64,
    /// Regional: share of a school's ties inside its region, in [0, 1].
    pub within_region: f64,
    /// Regional: context distance at which a tie is exp(-1/2) as likely; 0 turns homophily off.
    pub context_homophily: f64,
    /// Small world: share of ties rewired, in [0, 1].
    pub rewire: f64,
    /// Lowest tie weight drawn, in (0, 1].
    pub weight_min: f64,
    /// Highest tie weight drawn, in [weight_min, 1].
    pub weight_max: f64,
    /// Classic models: draw the network once (from the master seed) and use it in every run, so
    /// runs differ only in seeds, coins and thresholds. False: a new network per run.
    pub fixed: bool,
    /// Configuration model: exponent of the power law P(k) ~ k^-exponent.
    pub degree_exponent: f64,
    /// Configuration model: smallest degree of the power law.
    pub degree_min: u32,
    /// Configuration model: largest degree of the power law (0: the square root of the node count).
    pub degree_max: u32,
    /// Configuration model: an explicit degree sequence, one entry per node (overrides the law).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degrees: Option<Vec<u32>>,
    /// Edge list `source,target[,weight]` (kind = "file"), relative to the scenario file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edges: Option<PathBuf>,
    /// Node table `id,region,size,need,readiness,resources,context` (any column but id optional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<PathBuf>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            kind: NetworkKind::Regional,
            schools: 400,
            regions: 8,
            mean_degree: 8.0,
            within_region: 0.9,
            context_homophily: 0.3,
            rewire: 0.1,
            weight_min: 0.2,
            weight_max: 1.0,
            fixed: false,
            degree_exponent: 2.5,
            degree_min: 2,
            degree_max: 0,
            degrees: None,
            edges: None,
            nodes: None,
        }
    }
}

/// How school attributes are drawn (columns of a node table override them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchoolsConfig {
    /// Median enrolment (students); size is log-normal.
    pub size_median: f64,
    /// Log-scale spread of enrolment.
    pub size_sigma: f64,
    /// Need ~ Beta(need_alpha, need_beta) (mean 0.4).
    pub need_alpha: f64,
    /// See `need_alpha`.
    pub need_beta: f64,
    /// Share of a school's need that is its region's, in [0, 1].
    pub need_regional_share: f64,
    /// Readiness ~ Beta(readiness_alpha, readiness_beta) before correlation with need.
    pub readiness_alpha: f64,
    /// See `readiness_alpha`.
    pub readiness_beta: f64,
    /// Target correlation of readiness with need, in (-1, 1).
    pub need_readiness_correlation: f64,
    /// Mean own resources, SU per term (gamma distributed).
    pub resources_mean: f64,
    /// Gamma shape of own resources.
    pub resources_shape: f64,
    /// How far need moves a school's context from its region's centre.
    pub context_need_weight: f64,
    /// Standard deviation of school-level context noise.
    pub context_noise: f64,
    /// Fewest terms an implementing school tolerates low practice before abandoning.
    pub patience_min: u32,
    /// Most terms, see `patience_min`.
    pub patience_max: u32,
    /// Fewest terms an abandoned school waits before it can adopt again.
    pub cool_down_min: u32,
    /// Most terms, see `cool_down_min`.
    pub cool_down_max: u32,
}

impl Default for SchoolsConfig {
    fn default() -> Self {
        Self {
            size_median: 400.0,
            size_sigma: 0.5,
            need_alpha: 2.0,
            need_beta: 3.0,
            need_regional_share: 0.5,
            readiness_alpha: 4.0,
            readiness_beta: 4.0,
            need_readiness_correlation: -0.4,
            resources_mean: 0.25,
            resources_shape: 2.0,
            context_need_weight: 0.5,
            context_noise: 0.1,
            patience_min: 4,
            patience_max: 8,
            cool_down_min: 4,
            cool_down_max: 8,
        }
    }
}

/// The innovation being scaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InnovationConfig {
    /// Mean true effect at full practice and perfect fit, in student-level SD.
    pub effect_mean: f64,
    /// Spread of site effects across schools, SD.
    pub effect_sd: f64,
    /// The context the innovation was designed in, in [0, 1].
    pub home_context: f64,
    /// Context distance at which fit falls to exp(-1/2).
    pub context_width: f64,
    /// Share of the gap to full practice closed per term at full dose, fit and average readiness.
    pub learning_rate: f64,
    /// Effect lost while practice is low (results dip before they improve), SD.
    pub implementation_dip: f64,
}

impl Default for InnovationConfig {
    fn default() -> Self {
        Self {
            effect_mean: 0.2,
            effect_sd: 0.2,
            home_context: 0.4,
            context_width: 0.3,
            learning_rate: 0.3,
            implementation_dip: 0.05,
        }
    }
}

/// The eleven mechanisms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MechanismsConfig {
    /// 1. Minimum effective dose.
    pub dose: DoseConfig,
    /// 2. Visible success.
    pub visibility: VisibilityConfig,
    /// 3. Know-how flows along ties.
    pub know_how: KnowHowConfig,
    /// 4. Adoption by peers.
    pub contagion: ContagionConfig,
    /// 5. Size matters.
    pub size: SizeConfig,
    /// 6. Context matters: adaptation of the school's version.
    pub adaptation: AdaptationConfig,
    /// 7. Variability: what counts as a benefit.
    pub benefit: BenefitConfig,
    /// 8. Sustain or abandon.
    pub sustain: SustainConfig,
    /// 9. Clusters and hubs.
    pub hub: HubConfig,
    /// 10. Pockets coach their neighbours.
    pub coaching: CoachingConfig,
    /// 11. Effects are observed late and with noise, and reviewed.
    pub evidence: EvidenceConfig,
}

/// Mechanism 10: a pocket coaches its implementing neighbours (train-the-trainer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoachingConfig {
    /// Switch.
    pub enabled: bool,
    /// Coaching capacity of a pocket of average readiness, SU per term; scaled by
    /// `2 * readiness`, plus the pocket's own resources.
    pub capacity: f64,
    /// SU of coaching capacity per SU a strategy pays a pocket to coach.
    pub funded_efficiency: f64,
}

impl Default for CoachingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            capacity: 2.0,
            funded_efficiency: 1.0,
        }
    }
}

/// Mechanism 11: the effect is a lagging indicator, observed with noise at reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceConfig {
    /// Switch (off: the true effect is seen at once and no review drops a school).
    pub enabled: bool,
    /// Standard deviation of an observed school effect around the true one, SD.
    pub measurement_sd: f64,
    /// Terms since adoption before the first observation of the effect.
    pub review_after: u32,
    /// Terms between reviews after the first.
    pub review_every: u32,
    /// Chance that a review whose observed effect is below the benefit bar drops the innovation.
    pub drop_without_benefit: f64,
    /// Chance that a school whose support a strategy's adaptive review withdraws stops
    /// implementing that term (it reads the withdrawal as a verdict on its results).
    pub abandon_when_withdrawn: f64,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            measurement_sd: 0.1,
            review_after: 4,
            review_every: 4,
            drop_without_benefit: 0.6,
            abandon_when_withdrawn: 0.4,
        }
    }
}

/// Mechanism 1: practice grows with a Hill response to the dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DoseConfig {
    /// Dose (SU per term) at which learning runs at half speed.
    pub d50: f64,
    /// Hill exponent g: 1 is diminishing returns, above 1 a threshold.
    pub hill: f64,
    /// Share of practice lost per term when the dose response is zero.
    pub decay: f64,
    /// r(readiness) = readiness_speedup * readiness; 2 makes an average school learn at the base rate.
    pub readiness_speedup: f64,
}

impl Default for DoseConfig {
    fn default() -> Self {
        Self {
            d50: 1.0,
            hill: 2.0,
            decay: 0.05,
            readiness_speedup: 2.0,
        }
    }
}

/// Mechanism 2: only visible successes (pockets) persuade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisibilityConfig {
    /// Practice above which an adopter is visible.
    pub bar: f64,
    /// A pocket must also show a realized effect above zero.
    pub require_positive_effect: bool,
}

impl Default for VisibilityConfig {
    fn default() -> Self {
        Self {
            bar: 0.5,
            require_positive_effect: true,
        }
    }
}

/// Mechanism 3: know-how from neighbours' practice adds to the dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnowHowConfig {
    /// Switch.
    pub enabled: bool,
    /// SU of know-how per unit of tie weight times neighbour practice (from a pocket).
    pub weight: f64,
    /// Weight of a neighbour still implementing (not a pocket), relative to a pocket.
    pub implementing_weight: f64,
    /// Same, under process-and-failure sharing (failures teach too).
    pub process_implementing_weight: f64,
    /// How strongly best-practice know-how is lost across contexts (multiplies the fit exponent).
    pub best_practice_context_sensitivity: f64,
    /// Same, under process-and-failure sharing: less, since process travels.
    pub process_context_sensitivity: f64,
    /// Share of an implementing school's learning lost to the time that sharing process and
    /// failures takes (best-practice sharing costs nothing).
    pub exchange_cost: f64,
}

impl Default for KnowHowConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            weight: 0.2,
            implementing_weight: 0.5,
            process_implementing_weight: 0.75,
            best_practice_context_sensitivity: 1.0,
            process_context_sensitivity: 0.3,
            exchange_cost: 0.1,
        }
    }
}

/// Simple or complex contagion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContagionForm {
    /// Adopt with probability readiness * (1 - exp(-pressure)).
    Simple,
    /// Adopt once neighbouring pockets reach a count or fraction threshold.
    Complex,
    /// Adopt when one neighbouring pocket is big and close enough to topple the school.
    Domino,
}

/// Mechanism 4: adoption by peers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContagionConfig {
    /// Switch.
    pub enabled: bool,
    /// Simple or complex contagion.
    pub form: ContagionForm,
    /// Pressure per unit of tie weight times influence of a neighbouring pocket.
    pub peer_weight: f64,
    /// Pressure from outside the network (conferences, media), per term.
    pub outside_rate: f64,
    /// Domino: a pocket topples a school when tie weight x influence / resistance reaches
    /// 1 / topple_ratio (a domino topples one up to `topple_ratio` times its size).
    pub topple_ratio: f64,
    /// Complex contagion: neighbouring pockets needed (0 = use the fraction).
    pub threshold_count: u32,
    /// Complex contagion: share of neighbours that are pockets needed (used when count is 0).
    pub threshold_fraction: f64,
}

impl Default for ContagionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            form: ContagionForm::Simple,
            peer_weight: 0.5,
            outside_rate: 0.002,
            topple_ratio: 2.0,
            threshold_count: 2,
            threshold_fraction: 0.25,
        }
    }
}

/// Mechanism 5: size matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SizeConfig {
    /// resistance = (size / median size) ^ resistance_exponent.
    pub resistance_exponent: f64,
    /// influence = (size / median size) ^ influence_exponent.
    pub influence_exponent: f64,
    /// The dose a school feels is divided by (size / median size) ^ dose_exponent.
    pub dose_exponent: f64,
}

impl Default for SizeConfig {
    fn default() -> Self {
        Self {
            resistance_exponent: 0.5,
            influence_exponent: 0.5,
            dose_exponent: 0.0,
        }
    }
}

/// Mechanism 6: a school's version moves toward its own context while implementing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptationConfig {
    /// Switch.
    pub enabled: bool,
    /// Share of the version-context gap closed per term under a-la-carte.
    pub a_la_carte_rate: f64,
    /// Same under prix-fixe.
    pub prix_fixe_rate: f64,
    /// Multiplier on the rate when process and failures are shared.
    pub process_speedup: f64,
    /// Share of the site effect lost per unit the version drifts from the home context.
    pub drift_cost: f64,
}

impl Default for AdaptationConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            a_la_carte_rate: 0.15,
            prix_fixe_rate: 0.03,
            process_speedup: 1.5,
            drift_cost: 0.3,
        }
    }
}

/// Mechanism 7: what counts as a benefit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenefitConfig {
    /// Effect (SD) at or above which a school benefits: an absolute bar, so that a harmful
    /// innovation cannot lower it.
    pub bar: f64,
    /// Terms of implementing before a school counts as an adopter for the no-benefit share.
    pub min_terms: u32,
}

impl Default for BenefitConfig {
    fn default() -> Self {
        Self {
            bar: 0.05,
            min_terms: 2,
        }
    }
}

/// Mechanism 8: sustain or abandon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SustainConfig {
    /// Practice above which a term counts toward sustaining.
    pub bar: f64,
    /// Consecutive terms above the bar that make a school sustained.
    pub terms: u32,
    /// Practice below which a term counts against the school's patience.
    pub low_bar: f64,
    /// Per-term chance that a leader change ends an implementing school's commitment.
    pub turnover_rate: f64,
    /// Turnover of sustained schools relative to implementing ones.
    pub sustained_turnover_factor: f64,
    /// Turnover of mandated schools relative to opt-in ones.
    pub mandate_abandon_multiplier: f64,
    /// Learning rate of mandated schools relative to schools that chose the innovation.
    pub mandate_learning_factor: f64,
    /// Share of readiness lost by a school each time it abandons.
    pub fatigue: f64,
}

impl Default for SustainConfig {
    fn default() -> Self {
        Self {
            bar: 0.7,
            terms: 3,
            low_bar: 0.3,
            turnover_rate: 0.03,
            sustained_turnover_factor: 0.3,
            mandate_abandon_multiplier: 1.5,
            mandate_learning_factor: 0.8,
            fatigue: 0.2,
        }
    }
}

/// Mechanism 9: a regional hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// Switch.
    pub enabled: bool,
    /// Tie weights inside a hub's region are multiplied by this (capped at 1).
    pub tie_multiplier: f64,
    /// SU of know-how delivered per SU spent on the hub.
    pub efficiency: f64,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            tie_multiplier: 1.5,
            efficiency: 1.0,
        }
    }
}

/// The budget per term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetConfig {
    /// SU per school per term (used unless `total` is set).
    pub per_school: f64,
    /// SU per term for the whole system; overrides `per_school`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            per_school: 0.1,
            total: None,
        }
    }
}

/// The registry of strategy kinds: one line per kind,
/// `module: Variant = "name", "what it does", default coach_share;`.
///
/// Calls the macro `$callback` with the list. The scenario layer expands it into
/// [`StrategyKind`] (the names a file may give, the list shown when a name is unknown); the
/// strategy layer expands it into `strategy::build`, so adding a strategy is one new file,
/// `src/strategy/<module>.rs` with a `build` function, its `mod` line in `src/strategy/mod.rs`
/// (declared there by hand so that cargo-mutants, which does not expand macros, mutates it), plus
/// one line here. The scenario never names strategy code: `module` is only a name to the scenario
/// layer.
macro_rules! strategy_kinds {
    ($callback:ident) => {
        $callback! {
            thin: ThinSpread = "thin-spread", "The budget split evenly over all eligible schools.", 0.0;
            pilot: PilotThenCascade = "pilot-then-cascade", "A few pilots, then waves to schools tied to pockets.", 0.2;
            cluster: Cluster = "cluster", "Region by region, several at once when the budget allows, each with a hub.", 0.1;
        }
    };
}
pub(crate) use strategy_kinds;

/// Expands the registry into [`StrategyKind`].
macro_rules! kind_enum {
    ($($module:ident: $variant:ident = $name:literal, $about:literal, $coach:literal;)*) => {
        /// The strategy families (see the registry, `strategy_kinds!`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum StrategyKind {
            $(
                #[doc = $about]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl StrategyKind {
            /// Every kind, in registry order.
            pub const ALL: &'static [StrategyKind] = &[$(StrategyKind::$variant),*];

            /// The kind's name in scenario files.
            pub fn name(self) -> &'static str {
                match self {
                    $(StrategyKind::$variant => $name,)*
                }
            }

            /// One sentence on what the kind does.
            pub fn about(self) -> &'static str {
                match self {
                    $(StrategyKind::$variant => $about,)*
                }
            }

            /// The kind's `coach_share` when the scenario leaves it out (reasons in
            /// `docs/model.md`, "Coaches").
            pub fn default_coach_share(self) -> f64 {
                match self {
                    $(StrategyKind::$variant => $coach,)*
                }
            }
        }
    };
}
strategy_kinds!(kind_enum);

impl StrategyKind {
    /// The kind a strategy named exactly like a kind gets when it names no kind.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The known kinds' names, for messages: `a, b or c`.
    pub fn names_list() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            Some((last, _)) => last.to_string(),
            None => String::new(),
        }
    }
}

/// Pace: how fast new schools are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pace {
    /// Add schools every term as budget allows.
    Fixed,
    /// Add a new wave only once every school of the current wave is a pocket.
    Proven,
}

/// Which schools (or region) come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Targeting {
    /// Highest need first.
    Need,
    /// Highest readiness first.
    Readiness,
    /// Highest eigenvector centrality first.
    Centrality,
    /// A random order, drawn per run.
    Random,
}

/// Build internally vs. buy externally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportMode {
    /// Bought-in support: a full dose now, nothing left after.
    Buy,
    /// A share of support becomes the school's own lasting resources.
    Build,
}

/// Prix-fixe vs. a-la-carte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdaptationMode {
    /// Schools adapt the innovation to their context quickly.
    ALaCarte,
    /// Schools keep the designed version; adaptation is slow.
    PrixFixe,
}

/// Share best practice vs. share process and failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exchange {
    /// Share what worked; it travels poorly across contexts.
    BestPractice,
    /// Share process and failures; more know-how carries across contexts.
    Process,
}

/// One strategy: a kind plus the seven knobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrategyConfig {
    /// Unique name, shown in tables and file rows.
    pub name: String,
    /// The family; may be left out when the name is a kind's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<StrategyKind>,
    /// Mandate (true) vs. opt-in (false).
    pub mandate: bool,
    /// Fixed schedule vs. proven pace.
    pub pace: Pace,
    /// Targeting rule for pilots, waves and regions.
    pub targeting: Targeting,
    /// Build vs. buy.
    pub support: SupportMode,
    /// Build: share of support that turns into capacity.
    pub build_share: f64,
    /// Build: SU per term of lasting resources per SU put into capacity.
    pub build_yield: f64,
    /// Adaptive strategies review their supported schools and drop those that do not progress:
    /// once a member's effect has been observed (evidence reviews), those whose observed effect
    /// is below the benefit bar; before, those whose practice grew by less than `min_progress`.
    pub adaptive: bool,
    /// Adaptive: terms between reviews.
    pub review_terms: u32,
    /// Adaptive: practice gain over a review period below which support is withdrawn, for a
    /// member whose effect has not been observed yet (after that, the benefit bar decides).
    pub min_progress: f64,
    /// Prix-fixe vs. a-la-carte.
    pub adaptation: AdaptationMode,
    /// Best practice vs. process and failures.
    pub exchange: Exchange,
    /// Pilot-then-cascade: number of pilots; 0 = as many as the term's budget funds at the
    /// effective dose (at least one).
    pub pilots: u32,
    /// Pilot-then-cascade: the schools of the first pilots, by id (the node table's `id`, else
    /// the school's index as text); empty: chosen by the targeting rule. Each must name a school.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pilot_ids: Vec<String>,
    /// `pilot_ids` as school indices, in the order given: filled in when the scenario is loaded
    /// (the ids need the node table), read by the strategy.
    #[serde(skip)]
    pub pilot_index: Vec<u32>,
    /// Pilot-then-cascade: longest pilot period, terms.
    pub pilot_terms: u32,
    /// Pilot-then-cascade: support waves after the pilots (false: pilots only, let peers carry it).
    pub waves: bool,
    /// Most schools newly supported per term (0 = as many as the budget allows).
    pub max_wave: u32,
    /// The effective dose is the dose where the Hill response reaches this value.
    pub effective_response: f64,
    /// Cluster: share of the budget that funds the hub.
    pub hub_share: f64,
    /// Cluster: share of a region's schools sustained for the region to be done.
    pub region_done_share: f64,
    /// Cluster: most regions worked on at once (0 = as many as the budget can fund).
    pub max_regions: u32,
    /// Share of the term's budget paid to pockets to coach their neighbours; left out, the
    /// kind's default (thin-spread 0, pilot-then-cascade 0.2, cluster 0.1), filled in by
    /// validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coach_share: Option<f64>,
}

impl Default for StrategyConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: None,
            mandate: true,
            pace: Pace::Fixed,
            targeting: Targeting::Readiness,
            support: SupportMode::Buy,
            build_share: 0.3,
            build_yield: 0.2,
            adaptive: false,
            review_terms: 4,
            min_progress: 0.05,
            adaptation: AdaptationMode::ALaCarte,
            exchange: Exchange::BestPractice,
            pilots: 0,
            pilot_ids: Vec::new(),
            pilot_index: Vec::new(),
            pilot_terms: 8,
            waves: true,
            max_wave: 0,
            effective_response: 0.8,
            hub_share: 0.2,
            region_done_share: 0.8,
            max_regions: 0,
            coach_share: None,
        }
    }
}

impl StrategyConfig {
    /// A strategy of the kind with the same name, all knobs at their defaults.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            kind: StrategyKind::from_name(name),
            ..Self::default()
        }
    }
}

/// What `domino optimise` maximises (`[optimise] objective`, or `--objective`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Goal {
    /// Students in schools practising with a true effect at or above the benefit bar, as a share
    /// of all students (the comparison's default objective).
    #[default]
    #[serde(alias = "students_benefiting")]
    StudentsBenefiting,
    /// Share of schools sustained at the horizon.
    #[serde(alias = "sustained_share", alias = "sustained-share")]
    Sustained,
    /// Students benefiting, each school's students weighted by `1 + equity_weight x need`
    /// (need in [0, 1]), as a share of all students weighted alike.
    Equity,
    /// Students benefiting per SU spent in a run (0 when it spends nothing), averaged over runs:
    /// per SU rather than the cost per student benefiting (undefined when nobody benefits), so
    /// that higher is better like the others. A mean of per-run ratios, not the reciprocal of
    /// `compare`'s ratio of means.
    #[serde(alias = "cost_per_student")]
    CostPerStudent,
}

impl Goal {
    /// Every goal, in the order of the docs.
    pub const ALL: &'static [Goal] = &[
        Goal::StudentsBenefiting,
        Goal::Sustained,
        Goal::Equity,
        Goal::CostPerStudent,
    ];

    /// The goal's name in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Goal::StudentsBenefiting => "students-benefiting",
            Goal::Sustained => "sustained",
            Goal::Equity => "equity",
            Goal::CostPerStudent => "cost-per-student",
        }
    }

    /// The goal named `name`: its own name, or the spelling of the scenario's top-level
    /// `objective` (`students_benefiting`, `sustained_share`) for the same measure.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.replace('_', "-");
        let name = if name == "sustained-share" {
            "sustained"
        } else {
            &name
        };
        Self::ALL.iter().copied().find(|g| g.name() == name)
    }
}

/// A `[low, high]` range of the `[optimise]` table. Exactly two values: serde's fixed-size
/// array reads the first two of a longer array and drops the rest without a word, and a user
/// who wrote `[1, 2, 3]` meant a list of values to try, which a range is not.
fn range<'de, D, T>(d: D) -> Result<[T; 2], D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Copy,
{
    let values = Vec::<T>::deserialize(d)?;
    match values[..] {
        [low, high] => Ok([low, high]),
        _ => Err(serde::de::Error::custom(format!(
            "expected a range [fewest, most] of two numbers, got {} number{}",
            values.len(),
            if values.len() == 1 { "" } else { "s" }
        ))),
    }
}

/// The `[optimise]` table: the search space of `domino optimise` and the settings of its search.
/// Each range is `[low, high]`; each list holds the values the search may choose. The default
/// bounds and their reasons are in `docs/methods.md`, "Optimisation".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimiseConfig {
    /// What is maximised.
    pub objective: Goal,
    /// Equity: the extra weight of a school's students per unit of need (0: plain students
    /// benefiting; 2: a school of need 1 counts its students three times).
    pub equity_weight: f64,
    /// Most simulations (one strategy, one run) the search may spend before the finalists'
    /// re-evaluation on fresh worlds.
    pub budget_evals: u32,
    /// The strategy kinds searched.
    pub kinds: Vec<StrategyKind>,
    /// Pilot-then-cascade: fewest and most pilots.
    #[serde(deserialize_with = "range")]
    pub pilots: [u32; 2],
    /// Cluster: range of the hub's share of the budget.
    #[serde(deserialize_with = "range")]
    pub hub_share: [f64; 2],
    /// Range of the coaches' share of the budget.
    #[serde(deserialize_with = "range")]
    pub coach_share: [f64; 2],
    /// Build: range of the share of support turned into capacity.
    #[serde(deserialize_with = "range")]
    pub build_share: [f64; 2],
    /// Targeting rules searched.
    pub targeting: Vec<Targeting>,
    /// Paces searched.
    pub pace: Vec<Pace>,
    /// Build or buy.
    pub support: Vec<SupportMode>,
    /// Mandate (true) or opt-in (false).
    pub mandate: Vec<bool>,
    /// Adaptive reviews on or off.
    pub adaptive: Vec<bool>,
    /// Prix-fixe or a-la-carte.
    pub adaptation: Vec<AdaptationMode>,
    /// Best practice or process and failures.
    pub exchange: Vec<Exchange>,
    /// Pilot-then-cascade: waves after the pilots or not.
    pub waves: Vec<bool>,
    /// Runs per racing batch: candidates are compared after every batch.
    pub batch: u32,
    /// Most runs (worlds) a candidate is evaluated on during the search.
    pub max_runs: u32,
    /// Candidates kept after the race for the re-evaluation on fresh worlds.
    pub finalists: u32,
    /// Runs on fresh worlds for the finalists and the comparison with the scenario's strategies.
    pub fresh_runs: u32,
    /// Choose the pilot schools (networks from files only, where school i is the same school in
    /// every run).
    pub pilot_sets: bool,
}

impl Default for OptimiseConfig {
    fn default() -> Self {
        Self {
            objective: Goal::StudentsBenefiting,
            equity_weight: 2.0,
            budget_evals: 12_000,
            kinds: StrategyKind::ALL.to_vec(),
            pilots: [1, 20],
            hub_share: [0.0, 0.5],
            coach_share: [0.0, 0.4],
            build_share: [0.0, 0.6],
            targeting: vec![Targeting::Need, Targeting::Readiness, Targeting::Centrality],
            pace: vec![Pace::Fixed, Pace::Proven],
            support: vec![SupportMode::Buy, SupportMode::Build],
            mandate: vec![true, false],
            adaptive: vec![false, true],
            adaptation: vec![AdaptationMode::ALaCarte, AdaptationMode::PrixFixe],
            exchange: vec![Exchange::BestPractice, Exchange::Process],
            waves: vec![true, false],
            batch: 8,
            max_runs: 48,
            finalists: 3,
            fresh_runs: 200,
            pilot_sets: true,
        }
    }
}
