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
