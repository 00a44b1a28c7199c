//! The fields of a scenario that its network files replace: with `network.kind = "file"` the
//! generator's settings (`network.mean_degree`, ...) shape nothing, and a node table column that
//! gives every school a value replaces the law that would draw it (`schools.need_alpha`, ...).
//! The report's assumptions and `domino check` mark them, so that a leader does not read a
//! default the district's own data overrode as an assumption of the result.

use super::Scenario;
use std::path::Path;

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
    fn a_generated_network_uses_every_field() {
        let s = Scenario::from_toml("", None).unwrap();
        assert!(s.unused_fields().is_empty());
    }
}
