//! The summary tables: rates, and ratios taken over paired rounds, so that
//! a slow spell of a shared machine lands on every implementation alike.

/// Formats a rate with a unit prefix.
#[must_use]
pub fn rate(per_second: f64, unit: &str) -> String {
    if per_second >= 1e9 {
        format!("{:.2} G{unit}/s", per_second / 1e9)
    } else if per_second >= 1e6 {
        format!("{:.2} M{unit}/s", per_second / 1e6)
    } else if per_second >= 1e3 {
        format!("{:.1} k{unit}/s", per_second / 1e3)
    } else {
        format!("{per_second:.1} {unit}/s")
    }
}

/// One timed run, returning what it counted.
pub type Contender<'a> = Box<dyn FnMut() -> u64 + 'a>;

/// Times every contender (a run returning what it counted, kept from the
/// optimizer) once per round, for `rounds` rounds, starting each
/// round with the next contender, and returns each one's times in seconds.
///
/// A shared machine slows down and speeds up over seconds; criterion's
/// groups measure one implementation after the other, so a slow spell can
/// land on one of them alone. Rounds spread it over everyone, and the ratio
/// of two contenders is then taken round by round ([`median_ratio`]).
pub fn paired_rounds(rounds: usize, contenders: &mut [Contender<'_>]) -> Vec<Vec<f64>> {
    let n = contenders.len();
    let mut times = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let start = std::time::Instant::now();
            std::hint::black_box((contenders[i])());
            times[i].push(start.elapsed().as_secs_f64());
        }
    }
    times
}

/// The median over rounds of `base[r] / of[r]`: how many times faster `of`
/// ran than `base`, round by round.
#[must_use]
pub fn median_ratio(base: &[f64], of: &[f64]) -> f64 {
    median(base.iter().zip(of).map(|(b, o)| b / o).collect())
}

/// The median of some values (the upper one of an even count).
///
/// # Panics
///
/// If there are none.
#[must_use]
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
