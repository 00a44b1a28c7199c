//! Racing: evaluate candidates on the same runs in batches and stop spending runs on a candidate
//! once it is behind with confidence (Maron & Moore 1997, "The racing algorithm"; Birattari,
//! Stützle, Paquete & Varrentrapp 2002, F-race).
//!
//! The rule, after each batch from the second on: the leader is the candidate still in the race
//! with the highest mean objective over the runs so far (ties: the earlier candidate). Every
//! other candidate's run-by-run difference to the leader (paired: the same worlds) gets a
//! t-based 95 % confidence interval ([`crate::metrics::stats::paired`]); a candidate whose
//! interval lies wholly below 0 is dropped. Each comparison is at 95 % without a correction for
//! the number of candidates, so a good candidate is sometimes dropped by bad luck; the race only
//! decides where the runs go, and the finalists are judged again on fresh worlds. The race ends
//! when one candidate is left, every candidate has had every run, or the simulation budget would
//! be overrun by the next batch.

use super::eval::{Evaluator, Values};
use crate::error::Result;
use crate::metrics::stats::paired;
use crate::scenario::StrategyConfig;

/// The result of a race, per candidate.
#[derive(Debug, Clone)]
pub struct Race {
    /// `values[c]`: candidate c's values on the first `values[c].len()` runs of the race.
    pub values: Vec<Vec<Values>>,
    /// The number of runs after which the candidate was dropped (`None`: never dropped).
    pub dropped_after: Vec<Option<usize>>,
}

impl Race {
    /// Mean objective of candidate `c` over its runs.
    pub fn mean(&self, c: usize) -> f64 {
        mean(&self.values[c])
    }

    /// Candidates never dropped, best mean first (ties: the earlier).
    pub fn survivors(&self) -> Vec<usize> {
        let mut alive: Vec<usize> = (0..self.values.len())
            .filter(|&c| self.dropped_after[c].is_none())
            .collect();
        alive.sort_by(|&a, &b| self.mean(b).total_cmp(&self.mean(a)).then(a.cmp(&b)));
        alive
    }
}

/// Mean objective of a list of values.
pub fn mean(v: &[Values]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().map(|x| x.objective).sum::<f64>() / v.len() as f64
}

/// The candidates among `alive` that are behind the leader with confidence, by the rule in the
/// module docs. `objective[c]` are candidate c's values on the same runs.
pub fn behind(objective: &[Vec<f64>], alive: &[usize]) -> Vec<usize> {
    let m = |c: usize| objective[c].iter().sum::<f64>() / objective[c].len().max(1) as f64;
    let Some(&leader) = alive
        .iter()
        .max_by(|&&a, &&b| m(a).total_cmp(&m(b)).then(b.cmp(&a)))
    else {
        return Vec::new();
    };
    alive
        .iter()
        .copied()
        .filter(|&c| c != leader)
        .filter(|&c| paired(&objective[c], &objective[leader]).diff.ci_high < 0.0)
        .collect()
}

/// Races `cands` on the runs `ks` in batches of `batch`, spending at most `budget` simulations
/// in all (counted by the evaluator, so values already known cost nothing new). With `racing`
/// false no candidate is dropped (every candidate runs until the runs or the budget end).
pub fn race(
    eval: &mut Evaluator,
    cands: &[StrategyConfig],
    ks: &[u64],
    batch: usize,
    budget: u64,
    racing: bool,
) -> Result<Race> {
    let mut out = Race {
        values: vec![Vec::new(); cands.len()],
        dropped_after: vec![None; cands.len()],
    };
    let mut done = 0;
    while done < ks.len() {
        let alive: Vec<usize> = (0..cands.len())
            .filter(|&c| out.dropped_after[c].is_none())
            .collect();
        if alive.len() <= 1 && done > 0 {
            break;
        }
        let next = &ks[done..(done + batch).min(ks.len())];
        let cost = (alive.len() * next.len()) as u64;
        if done > 0 && eval.spent() + cost > budget {
            break;
        }
        let refs: Vec<&StrategyConfig> = alive.iter().map(|&c| &cands[c]).collect();
        let got = eval.evaluate(&refs, next)?;
        for (&c, v) in alive.iter().zip(got) {
            out.values[c].extend(v);
        }
        done += next.len();
        if racing && done >= 2 * batch {
            let objective: Vec<Vec<f64>> = out
                .values
                .iter()
                .map(|v| v.iter().map(|x| x.objective).collect())
                .collect();
            for c in behind(&objective, &alive) {
                out.dropped_after[c] = Some(done);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_clearly_behind_is_dropped_and_a_close_one_kept() {
        let runs = 16;
        let noise: Vec<f64> = (0..runs).map(|k| ((k * 7919) % 13) as f64 / 13.0).collect();
        let leader: Vec<f64> = noise.iter().map(|x| 0.5 + x).collect();
        let worse: Vec<f64> = noise.iter().map(|x| 0.4 + x).collect();
        let close: Vec<f64> = noise
            .iter()
            .enumerate()
            .map(|(k, x)| 0.5 + x + if k % 2 == 0 { 0.01 } else { -0.011 })
            .collect();
        let objective = vec![leader, worse, close];
        assert_eq!(behind(&objective, &[0, 1, 2]), vec![1]);
        // A candidate already dropped is not judged again.
        assert_eq!(behind(&objective, &[0, 2]), Vec::<usize>::new());
    }
}
