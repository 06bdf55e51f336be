//! Medians: robust to the one slow run a shared machine always produces.

/// The median of `values` (the mean of the two middle values for an even count);
/// `None` when empty. NaNs sort last and are never picked unless nothing else exists.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted.get(mid).copied()
    } else {
        Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0)
    }
}

/// The median of the element-wise ratios `num[i] / den[i]` (runs that were taken side
/// by side, so slow drift of the machine cancels out); pairs with a zero denominator
/// are skipped. `None` when no pair is usable.
pub fn paired_ratio(num: &[f64], den: &[f64]) -> Option<f64> {
    let ratios: Vec<f64> = num
        .iter()
        .zip(den)
        .filter(|(_, d)| **d > 0.0)
        .map(|(n, d)| n / d)
        .collect();
    median(&ratios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn paired_ratio_skips_zero_denominators() {
        assert_eq!(paired_ratio(&[1.0, 2.0, 3.0], &[2.0, 4.0, 0.0]), Some(0.5));
        assert_eq!(paired_ratio(&[1.0], &[0.0]), None);
        assert_eq!(paired_ratio(&[], &[]), None);
    }
}
