//! `domino init [PATH]`: write a commented example scenario.

use crate::output::write_atomic;
use crate::scenario::example_scenario;
use std::path::Path;

pub fn init(path: &Path, force: bool) -> anyhow::Result<()> {
    crate::output::check_file_target(path, "PATH")?;
    crate::output::check_no_overwrite(path, force)?;
    write_atomic(path, |w| w.write_all(example_scenario().as_bytes()))?;
    crate::output::tell(&format!(
        "wrote {}; edit it, then run: domino check {0} && domino compare {0}",
        path.display()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::{example_scenario, Scenario};

    /// The template's comments name every network generator and every contagion form: the
    /// variants the scenario reader lists when it refuses an unknown one.
    #[test]
    fn the_template_lists_every_generator_and_contagion_form() {
        for (table, key) in [("network", "kind"), ("mechanisms.contagion", "form")] {
            let error = Scenario::from_toml(&format!("[{table}]\n{key} = \"nope\"\n"), None)
                .unwrap_err()
                .to_string();
            let expected = &error[error.find("expected one of").expect(&error)..];
            let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            assert!(names.len() >= 3, "{error}");
            for name in names {
                assert!(
                    example_scenario().contains(&format!("\"{name}\"")),
                    "{table}.{key} = \"{name}\" is not in the template"
                );
            }
        }
    }

    /// The template names every mechanism of the model and counts them truly: as many as
    /// docs/model.md has sections 4.N and the scenario has `[mechanisms.*]` tables.
    #[test]
    fn the_template_counts_the_mechanisms_truly() {
        let doc = include_str!("../../docs/model.md");
        let sections = doc.lines().filter(|l| l.starts_with("### 4.")).count();
        let config = toml::Table::try_from(&Scenario::from_toml("", None).unwrap().config).unwrap();
        let tables = config["mechanisms"].as_table().unwrap();
        assert_eq!(sections, tables.len());
        let words = [
            "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen",
        ];
        let line = example_scenario()
            .lines()
            .find(|l| l.contains("mechanisms of the model"))
            .unwrap();
        assert!(
            line.contains(&format!("The {} mechanisms", words[sections])),
            "{line}"
        );
        for name in tables.keys() {
            assert!(
                example_scenario().contains(&format!(" {name},"))
                    || example_scenario().contains(&format!(" {name})")),
                "{name}"
            );
        }
        // The node-table comment lists every column, `name` included.
        assert!(
            example_scenario().contains("`id,name,region,size,need,readiness,resources,context`")
        );
    }
}
