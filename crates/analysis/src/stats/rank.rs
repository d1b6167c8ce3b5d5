//! Average ranks with tie-group sizes, as `scipy.stats.rankdata(method="average")`.

/// Average 1-based ranks of `values` (which must not contain NaN) and the sizes of all tie groups.
pub(crate) fn average_ranks(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut groups = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        // `==` rather than total_cmp so that -0.0 and 0.0 tie, as in NumPy.
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start..end (1-based start+1 ..= end) share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = rank;
        }
        groups.push(end - start);
        start = end;
    }
    (ranks, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_mean_rank() {
        let (ranks, groups) = average_ranks(&[3.0, 2.0, 1.0, 2.0, 2.0, 2.0, 1.0]);
        assert_eq!(ranks, vec![7.0, 4.5, 1.5, 4.5, 4.5, 4.5, 1.5]);
        assert_eq!(groups, vec![2, 4, 1]);
        let (ranks, groups) = average_ranks(&[-0.0, 0.0, 5.0]);
        assert_eq!(ranks, vec![1.5, 1.5, 3.0]);
        assert_eq!(groups, vec![2, 1]);
    }
}
