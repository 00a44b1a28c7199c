//! The fields of a scenario that its network files replace: with `network.kind = "file"` the
//! generator's settings (`network.mean_degree`, ...) shape nothing, and a node table column that
//! gives every school a value replaces the law that would draw it (`schools.need_alpha`, ...).
//! The report's assumptions and `domino check` mark them, so that a leader does not read a
//! default the district's own data overrode as an assumption of the result.
//!
//! Some of a strategy's knobs are read by one kind or mode only (`hub_share` by cluster, `pilots` by
//! pilot-then-cascade): one written for another kind is noted on loading
//! ([`Scenario::knob_notes`]) and marked by `domino check` and in optimise's `best.toml`.

use super::{Scenario, StrategyConfig, StrategyKind, SupportMode};
use std::path::Path;

/// Each strategy knob read by one kind or mode only, in the order notes list them.
const KNOBS: [&str; 14] = [
    "targeting",
    "pace",
    "max_wave",
    "adaptive",
    "hub_share",
    "region_done_share",
    "max_regions",
    "pilots",
    "pilot_terms",
    "waves",
    "build_share",
    "build_yield",
    "review_terms",
    "min_progress",
];

/// Who reads the knobs that thin-spread's even split has no use for: the ordering, pacing and
/// reviews of the other kinds' cohorts (`strategy::cohort`).
const COHORT_ONLY: &str = "pilot-then-cascade and cluster only";

impl StrategyConfig {
    /// Why the knob `key` does nothing for this strategy, if it does nothing: it belongs to
    /// other kinds (`cluster only`), or to a mode the strategy is not in.
    pub(crate) fn unused_knob(&self, key: &str) -> Option<&'static str> {
        let kind = self.kind?;
        match key {
            "targeting" | "pace" | "max_wave" | "adaptive" | "review_terms" | "min_progress"
                if kind == StrategyKind::ThinSpread =>
            {
                Some(COHORT_ONLY)
            }
            "hub_share" | "region_done_share" | "max_regions" if kind != StrategyKind::Cluster => {
                Some("cluster only")
            }
            "pilots" | "pilot_terms" | "waves" if kind != StrategyKind::PilotThenCascade => {
                Some("pilot-then-cascade only")
            }
            "build_share" | "build_yield" if self.support != SupportMode::Build => {
                Some("support = \"build\" only")
            }
            "review_terms" | "min_progress" if !self.adaptive => Some("adaptive = true only"),
            _ => None,
        }
    }

    /// The knobs this strategy gives a value other than their default though it does not read
    /// them, each with [`StrategyConfig::unused_knob`]'s reason. A default is never listed, so
    /// that a resolved scenario (which writes every knob) reads back quietly.
    pub(crate) fn idle_knobs(&self) -> Vec<(&'static str, &'static str)> {
        let table = |s: &StrategyConfig| match toml::Value::try_from(s) {
            Ok(toml::Value::Table(t)) => t,
            _ => toml::Table::new(),
        };
        let (given, default) = (table(self), table(&StrategyConfig::default()));
        KNOBS
            .into_iter()
            .filter(|key| given.get(*key) != default.get(*key))
            .filter_map(|key| self.unused_knob(key).map(|why| (key, why)))
            .collect()
    }
}

/// The settings of the network generators: none is read when the ties come from an edge list.
const GENERATOR: [&str; 10] = [
    "network.mean_degree",
    "network.within_region",
    "network.context_homophily",
    "network.rewire",
    "network.weight_min",
    "network.weight_max",
    "network.fixed",
    "network.degree_exponent",
    "network.degree_min",
    "network.degree_max",
];

/// A field the scenario does not use, and the file that replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused {
    /// The field's dotted path (`network.mean_degree`).
    pub path: &'static str,
    /// The file that gives what the field would have drawn, as the scenario names it.
    pub file: String,
}

impl Scenario {
    /// A note for each strategy that sets knobs its kind or mode does not read
    /// (`pilots = 5` under thin-spread): they change nothing, which the results alone would not
    /// show.
    pub fn knob_notes(&self) -> Vec<String> {
        self.config
            .strategies
            .iter()
            .filter_map(|s| {
                let idle = s.idle_knobs();
                let kind = s.kind?.name();
                let parts: Vec<String> = idle
                    .iter()
                    .map(|(key, why)| format!("{key} ({why})"))
                    .collect();
                (!parts.is_empty()).then(|| {
                    format!(
                        "note: strategy {} (kind {kind}) does not read {}: {} ignored",
                        s.name,
                        parts.join(", "),
                        if parts.len() == 1 {
                            "it is"
                        } else {
                            "they are"
                        }
                    )
                })
            })
            .collect()
    }

    /// A note for each seeding whose rule does not read the `count` or `share` it sets: `list`
    /// seeds exactly its nodes and `neighbourhood` one node drawn at random and all its
    /// neighbours, however many seeds were asked for.
    pub fn seeding_notes(&self) -> Vec<String> {
        use super::{SeedRule, SeedingConfig};
        let default = SeedingConfig::default();
        self.config
            .seedings
            .iter()
            .filter_map(|s| {
                let seeds = match s.rule {
                    SeedRule::List => "exactly its nodes",
                    SeedRule::Neighbourhood => "one node drawn at random and all its neighbours",
                    SeedRule::Random | SeedRule::Degree | SeedRule::Centrality => return None,
                };
                let mut set = Vec::new();
                if s.count != default.count {
                    set.push("count");
                }
                if s.share != default.share {
                    set.push("share");
                }
                (!set.is_empty()).then(|| {
                    format!(
                        "note: seeding {} (rule {}) seeds {seeds} and does not read {}: {} ignored",
                        s.name,
                        s.rule.name(),
                        set.join(" or "),
                        if set.len() == 1 { "it is" } else { "they are" }
                    )
                })
            })
            .collect()
    }

    /// A note naming the school laws the scenario gives a value other than their default though
    /// the node table's complete columns replace every draw they enter
    /// ([`Scenario::unused_fields`]): like a network setting its kind does not read
    /// ([`Scenario::network_notes`]), they change nothing.
    pub fn replaced_notes(&self) -> Option<String> {
        let table = |s: &super::SchoolsConfig| match toml::Value::try_from(s) {
            Ok(toml::Value::Table(t)) => t,
            _ => toml::Table::new(),
        };
        let (given, default) = (
            table(&self.config.schools),
            table(&super::SchoolsConfig::default()),
        );
        let unused = self.unused_fields();
        let changed: Vec<&Unused> = unused
            .iter()
            .filter(|u| {
                u.path
                    .strip_prefix("schools.")
                    .is_some_and(|key| given.get(key) != default.get(key))
            })
            .collect();
        let file = &changed.first()?.file;
        let paths: Vec<&str> = changed.iter().map(|u| u.path).collect();
        Some(format!(
            "note: the node table {file} gives every school the values drawn with {}: {} \
             ignored",
            paths.join(", "),
            if paths.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        ))
    }

    /// The fields this scenario's network files make unused, in a fixed order: the generator's
    /// settings under an edge list, and each school law whose every use is replaced by complete
    /// node-table columns (a law also used to draw another attribute the table leaves out, such
    /// as the need law for the context, stays used). Empty for a generated network.
    pub fn unused_fields(&self) -> Vec<Unused> {
        let Some(files) = &self.files else {
            return Vec::new();
        };
        let net = &self.config.network;
        let shown =
            |written: Option<&Path>, opened: &Path| written.unwrap_or(opened).display().to_string();
        let edges = shown(net.edges.as_deref(), &files.edges_path);
        let mut out: Vec<Unused> = GENERATOR
            .iter()
            .map(|&path| Unused {
                path,
                file: edges.clone(),
            })
            .collect();
        let (Some(table), Some(opened)) = (&files.nodes, &files.nodes_path) else {
            return out;
        };
        let nodes = shown(net.nodes.as_deref(), opened);
        // A column counts when every school has a value: otherwise the law draws all schools and
        // the given cells replace the draws (`school::Population::sample`).
        let complete =
            |c: &super::files::Column| c.as_ref().is_some_and(|v| v.iter().all(Option::is_some));
        let (size, need, readiness, resources, context) = (
            complete(&table.size),
            complete(&table.need),
            complete(&table.readiness),
            complete(&table.resources),
            complete(&table.context),
        );
        // Which attributes' draws each law enters (docs/model.md section 2): the need law also
        // sets the readiness mix and the context's centring; `size_median` is also the size
        // factors' reference (section 4.5), so it is always used.
        let laws: [(&'static str, bool); 11] = [
            ("schools.size_sigma", size),
            ("schools.need_alpha", need && readiness && context),
            ("schools.need_beta", need && readiness && context),
            ("schools.need_regional_share", need && readiness),
            ("schools.readiness_alpha", readiness),
            ("schools.readiness_beta", readiness),
            ("schools.need_readiness_correlation", readiness),
            ("schools.resources_mean", resources),
            ("schools.resources_shape", resources),
            ("schools.context_need_weight", context),
            ("schools.context_noise", context),
        ];
        out.extend(laws.into_iter().filter(|l| l.1).map(|(path, _)| Unused {
            path,
            file: nodes.clone(),
        }));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    fn paths(s: &Scenario) -> Vec<&'static str> {
        s.unused_fields().iter().map(|u| u.path).collect()
    }

    #[test]
    fn file_networks_leave_the_generator_and_the_replaced_laws_unused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.csv"), "source,target\na,b\nb,c\n").unwrap();
        // Need and readiness for every school, context for none, size for one.
        std::fs::write(
            dir.path().join("n.csv"),
            "id,name,region,size,need,readiness\na,A,x,300,0.2,0.5\nb,B,x,,0.4,0.6\nc,C,y,200,0.6,0.7\n",
        )
        .unwrap();
        let text = "[network]\nkind = \"file\"\nedges = \"e.csv\"\nnodes = \"n.csv\"\n";
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        let s = Scenario::from_file(&path).unwrap();
        let unused = s.unused_fields();
        let got = paths(&s);
        assert!(got.contains(&"network.mean_degree"));
        assert!(got.contains(&"network.degree_exponent"));
        assert_eq!(
            unused
                .iter()
                .find(|u| u.path == "network.rewire")
                .unwrap()
                .file,
            "e.csv"
        );
        assert!(got.contains(&"schools.readiness_alpha"));
        assert!(got.contains(&"schools.need_readiness_correlation"));
        assert!(got.contains(&"schools.need_regional_share"));
        assert_eq!(
            unused
                .iter()
                .find(|u| u.path == "schools.readiness_beta")
                .unwrap()
                .file,
            "n.csv"
        );
        // The context is drawn (no column), centred on the need law's mean: still used.
        assert!(!got.contains(&"schools.need_alpha"));
        assert!(!got.contains(&"schools.context_noise"));
        // One size is missing, so sizes are drawn; the median is always used.
        assert!(!got.contains(&"schools.size_sigma"));
        assert!(!got.contains(&"schools.size_median"));
        assert!(!got.contains(&"schools.resources_mean"));
    }

    #[test]
    fn set_school_laws_the_node_table_replaces_get_a_note() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.csv"), "source,target\na,b\n").unwrap();
        std::fs::write(dir.path().join("n.csv"), "id,size\na,300\nb,200\n").unwrap();
        let text = "[network]\nkind = \"file\"\nedges = \"e.csv\"\nnodes = \"n.csv\"\n";
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        // Left at their defaults, the replaced laws are not worth a word.
        assert_eq!(Scenario::from_file(&path).unwrap().replaced_notes(), None);
        let set = |s: &str| s.parse().unwrap();
        let s = Scenario::from_file_with(
            &path,
            &[set("schools.size_sigma=2"), set("schools.need_alpha=5")],
        )
        .unwrap();
        let note = s.replaced_notes().unwrap();
        assert!(
            note.contains("n.csv") && note.contains("schools.size_sigma: it is ignored"),
            "{note}"
        );
        // The need law still draws the need, which the table does not give.
        assert!(!note.contains("need_alpha"), "{note}");
    }

    #[test]
    fn a_count_the_seeding_rule_does_not_read_is_noted() {
        let text = |rule: &str, extra: &str| {
            format!(
                "model = \"independent-cascade\"\n[network]\nkind = \"random\"\nschools = 50\n\
                 [[seedings]]\nname = \"s\"\nrule = \"{rule}\"\n{extra}"
            )
        };
        let notes = |rule: &str, extra: &str| {
            Scenario::from_toml(&text(rule, extra), None)
                .unwrap()
                .seeding_notes()
        };
        let hood = notes("neighbourhood", "count = 50\n");
        assert_eq!(
            hood,
            [
                "note: seeding s (rule neighbourhood) seeds one node drawn at random and all its \
              neighbours and does not read count: it is ignored"
            ]
        );
        assert!(notes("list", "nodes = [1]\nshare = 0.2\n")[0].contains("does not read share"));
        // Not set, or read by the rule: no note.
        assert!(notes("neighbourhood", "").is_empty());
        assert!(notes("degree", "count = 5\n").is_empty());
    }

    #[test]
    fn knobs_another_kind_reads_get_a_note_naming_the_strategy_and_the_kind() {
        let text = "[[strategies]]\nname = \"thin-spread\"\npilots = 5\nhub_share = 0.4\n\
                    [[strategies]]\nname = \"cluster\"\npilots = 4\nhub_share = 0.4\n\
                    [[strategies]]\nname = \"pilot-then-cascade\"\npilots = 4\nmin_progress = 0.05\n";
        let s = Scenario::from_toml(text, None).unwrap();
        let notes = s.knob_notes();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(
            notes[0],
            "note: strategy thin-spread (kind thin-spread) does not read hub_share \
             (cluster only), pilots (pilot-then-cascade only): they are ignored"
        );
        assert!(notes[1].starts_with("note: strategy cluster (kind cluster) does not read pilots"));
        assert!(!notes[1].contains("hub_share"), "{}", notes[1]);
        // A mode's knob at its default is not noted; set, it is.
        let adaptive = "[[strategies]]\nname = \"cluster\"\nreview_terms = 2\n";
        let notes = Scenario::from_toml(adaptive, None).unwrap().knob_notes();
        assert!(
            notes[0].contains("review_terms (adaptive = true only)"),
            "{notes:?}"
        );
        assert!(Scenario::builtin_default().knob_notes().is_empty());
    }

    #[test]
    fn a_generated_network_uses_every_field() {
        let s = Scenario::from_toml("", None).unwrap();
        assert!(s.unused_fields().is_empty());
    }
}
