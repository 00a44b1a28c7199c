//! # domino
//!
//! Agent-based simulation of how an innovation spreads through a network of schools, built to
//! compare scaling strategies: a thin coat everywhere, pilots that cascade along the network, or
//! one regional cluster at a time.
//!
//! The flow of a comparison:
//!
//! 1. [`scenario`]: a TOML file becomes a validated [`Scenario`].
//! 2. [`engine::ensemble::run_ensemble`]: for each run k, [`model::World::build`] draws the
//!    network ([`network`]) and the schools ([`school`]) once, and every strategy ([`strategy`])
//!    runs in that same world (common random numbers).
//! 3. [`engine::term`] is the core loop ([`engine::simulate`] runs it for every term): the
//!    strategy funds hubs and coaches, [`model::compute_fields`] computes what every school
//!    receives from the state at t, the strategy allocates the budget, and [`model::advance`]
//!    moves every school to t + 1.
//! 4. [`metrics`] records series and per-run summaries; [`output`] writes tidy CSV atomically;
//!    [`report`] prints the comparison table.
//!
//! ```
//! use domino::{engine::ensemble::run_ensemble, Scenario};
//! let scenario = Scenario::from_toml("runs = 8\nsteps = 6\n[network]\nschools = 60\nregions = 3\n", None).unwrap();
//! let result = run_ensemble(&scenario, &()).unwrap();
//! assert_eq!(result.runs.len(), 3); // thin-spread, pilot-then-cascade, cluster
//! assert_eq!(result.runs[0].len(), 8);
//! ```

#![warn(missing_docs)]

pub mod calibrate;
pub mod classic;
pub mod cli;
pub mod engine;
pub mod error;
pub mod explain;
pub mod maths;
pub mod metrics;
pub mod model;
pub mod network;
pub mod optimise;
pub mod output;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod school;
pub mod shard;
pub mod show;
pub mod strategy;
pub mod sweep;
pub mod validation;
pub mod version;

pub use error::{Error, InputError, Result};
pub use scenario::Scenario;
pub use version::{build_info, BuildInfo, VERSION_LONG};
