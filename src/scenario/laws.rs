//! The probability laws a world's schools are drawn from, built once when a scenario is
//! validated.
//!
//! The configuration says `need_alpha = 2`; the world needs a `Beta(2, 5)` sampler. Building the
//! samplers here, where a failure is still a scenario error with a field name, means the code that
//! draws schools (`school::Population::sample`) holds ready samplers and has nothing left that can
//! fail: no `expect` on configuration downstream of validation.

use super::{InnovationConfig, SchoolsConfig};
use crate::error::InputError;
use crate::rng::sample::{Beta, Gamma, LogNormal, Normal};

/// The validated samplers of school attributes ([`SchoolsConfig`], [`InnovationConfig`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolLaws {
    /// Need, both its regional and its school part: `Beta(need_alpha, need_beta)`.
    pub need: Beta,
    /// Readiness before it is mixed with need: `Beta(readiness_alpha, readiness_beta)`.
    pub readiness: Beta,
    /// Enrolment: log-normal with median `size_median` and log-sd `size_sigma`.
    pub size: LogNormal,
    /// Own resources: `Gamma(resources_shape, resources_mean / resources_shape)`; `None` when the
    /// mean is 0 (every school has none).
    pub resources: Option<Gamma>,
    /// Noise of a school's context about its region's centre: `Normal(0, context_noise)`.
    pub context_noise: Normal,
    /// A school's site effect: `Normal(effect_mean, effect_sd)`.
    pub site_effect: Normal,
}

impl SchoolLaws {
    /// Builds the samplers; an error names the field whose value no sampler accepts.
    pub fn new(s: &SchoolsConfig, innovation: &InnovationConfig) -> Result<Self, InputError> {
        let bad = |field: &str, e: &dyn std::fmt::Display| {
            InputError::field(field, format!("no sampler accepts this value ({e})"))
        };
        Ok(Self {
            need: Beta::new(s.need_alpha, s.need_beta)
                .map_err(|e| bad("schools.need_alpha", &e))?,
            readiness: Beta::new(s.readiness_alpha, s.readiness_beta)
                .map_err(|e| bad("schools.readiness_alpha", &e))?,
            size: LogNormal::new(libm::log(s.size_median), s.size_sigma)
                .map_err(|e| bad("schools.size_median", &e))?,
            resources: if s.resources_mean == 0.0 {
                None
            } else {
                Some(
                    Gamma::new(s.resources_shape, s.resources_mean / s.resources_shape)
                        .map_err(|e| bad("schools.resources_mean", &e))?,
                )
            },
            context_noise: Normal::new(0.0, s.context_noise)
                .map_err(|e| bad("schools.context_noise", &e))?,
            site_effect: Normal::new(innovation.effect_mean, innovation.effect_sd)
                .map_err(|e| bad("innovation.effect_sd", &e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioConfig;

    #[test]
    fn default_laws_build_and_a_value_no_sampler_takes_names_its_field() {
        let cfg = ScenarioConfig::default();
        assert!(SchoolLaws::new(&cfg.schools, &cfg.innovation).is_ok());
        let mut s = cfg.schools.clone();
        s.need_beta = -1.0;
        let e = SchoolLaws::new(&s, &cfg.innovation).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("schools.need_alpha"));
        let mut i = cfg.innovation.clone();
        i.effect_sd = f64::NAN;
        let e = SchoolLaws::new(&cfg.schools, &i).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("innovation.effect_sd"));
    }
}
