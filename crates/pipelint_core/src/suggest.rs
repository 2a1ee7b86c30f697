//! "Did you mean" suggestions.

/// The candidate closest to `word` by edit distance, when it is close enough to be a
/// likely typo (at most a third of the word's length, and at least one edit allowed).
/// Case differences count as half an edit.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) * 2;
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Damerau-Levenshtein distance (adjacent transpositions), doubled, with a case-only
/// difference costing 1 instead of 2.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i * 2;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j * 2;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = if a[i - 1] == b[j - 1] {
                0
            } else if a[i - 1].eq_ignore_ascii_case(&b[j - 1]) {
                1
            } else {
                2
            };
            let mut v = (d[i - 1][j] + 2)
                .min(d[i][j - 1] + 2)
                .min(d[i - 1][j - 1] + sub);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 2);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_typos() {
        let keys = ["script", "caches", "services", "max-time", "size", "name"];
        assert_eq!(closest("scripts", keys), Some("script"));
        assert_eq!(closest("cache", keys), Some("caches"));
        assert_eq!(closest("max_time", keys), Some("max-time"));
        assert_eq!(closest("service", keys), Some("services"));
        assert_eq!(closest("Name", keys), Some("name"));
        assert_eq!(closest("xyz", keys), None);
        assert_eq!(closest("deployment", keys), None);
    }
}
