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

/// A stopwatch for stages: wall time, and the time this process spent on a CPU. The second
/// is what a stage costs whatever else the machine runs (2 cores shared with other
/// builds make wall times wander); it counts every thread of the process, so the
/// generator's threads (`codegen/src/halves.rs`) are counted too, and it assumes that
/// no other thread of the process works while a stage is timed.
pub(crate) struct Clock {
    wall: std::time::Instant,
    cpu: f64,
}

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock {
            wall: std::time::Instant::now(),
            cpu: process_cpu_ms(),
        }
    }

    /// Milliseconds since the last lap (or the start): `(wall, cpu)`.
    pub(crate) fn lap(&mut self) -> (f64, f64) {
        let wall = std::time::Instant::now();
        let cpu = process_cpu_ms();
        let out = ((wall - self.wall).as_secs_f64() * 1000.0, cpu - self.cpu);
        self.wall = wall;
        self.cpu = cpu;
        out
    }
}

/// The milliseconds this process has run on a CPU: `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`,
/// which the kernel brings up to date when asked (unlike `/proc/thread-self/schedstat`,
/// which moves only at scheduler ticks). NaN where it is not available.
pub(crate) fn process_cpu_ms() -> f64 {
    process_cpu_ns().map_or(f64::NAN, |ns| ns as f64 / 1e6)
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn process_cpu_ns() -> Option<u64> {
    // `struct timespec` on 64-bit Linux: `time_t` and `long` are both 64 bits.
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    let mut time = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `time` is a valid, writable `struct timespec` for the call's duration, and
    // glibc's `clock_gettime` writes nothing else.
    let status = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut time) };
    (status == 0).then(|| time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn process_cpu_ns() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    fn process_cpu_time_grows_with_work_and_not_with_sleep() {
        let start = super::process_cpu_ms();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i.wrapping_mul(i)));
        }
        let worked = super::process_cpu_ms();
        assert!(start.is_finite() && worked > start, "{start} -> {worked}");
        // Sleeping costs (almost) no CPU: far less than the 200 ms of wall time. The clock
        // counts the whole process, where other tests may run meanwhile: one quiet try of
        // five suffices, a clock that counted sleep would fail them all.
        let quiet = (0..5).any(|_| {
            let before = super::process_cpu_ms();
            std::thread::sleep(std::time::Duration::from_millis(200));
            super::process_cpu_ms() - before < 100.0
        });
        assert!(
            quiet,
            "200 ms of sleep cost 100 ms of CPU or more, five times"
        );
    }

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
