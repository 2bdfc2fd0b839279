//! Medians and number formatting.

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The smallest and largest of `values`.
pub(crate) fn spread(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// Milliseconds with a precision that suits their size.
pub(crate) fn ms(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// `log(t2 / t1) / log(n2 / n1)`: 1 for linear growth, 2 for quadratic.
pub(crate) fn growth_exponent(n1: f64, t1: f64, n2: f64, t2: f64) -> f64 {
    (t2 / t1).ln() / (n2 / n1).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn exponents() {
        assert!((growth_exponent(10.0, 1.0, 100.0, 10.0) - 1.0).abs() < 1e-9);
        assert!((growth_exponent(10.0, 1.0, 100.0, 100.0) - 2.0).abs() < 1e-9);
    }
}

/// A stopwatch for stages: wall time, and the time this thread spent on a CPU. The second
/// is what a stage costs whatever else the machine runs (2 cores shared with other
/// builds make wall times wander); it counts this thread only, so it fits stages that do
/// not start threads, as none of the regen stages do.
pub(crate) struct Clock {
    wall: std::time::Instant,
    cpu: f64,
}

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock {
            wall: std::time::Instant::now(),
            cpu: thread_cpu_ms(),
        }
    }

    /// Milliseconds since the last lap (or the start): `(wall, cpu)`.
    pub(crate) fn lap(&mut self) -> (f64, f64) {
        let wall = std::time::Instant::now();
        let cpu = thread_cpu_ms();
        let out = ((wall - self.wall).as_secs_f64() * 1000.0, cpu - self.cpu);
        self.wall = wall;
        self.cpu = cpu;
        out
    }
}

/// The milliseconds this thread has run on a CPU, from Linux's
/// `/proc/thread-self/schedstat` (nanosecond resolution); NaN where that is missing.
pub(crate) fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e6)
}
