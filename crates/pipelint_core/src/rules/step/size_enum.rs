use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::SIZE_MEMORY_MB;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `size` (on a step or under `options`) that is not one of `1x`, `2x`,
    /// `4x`, `8x`, `16x` or `32x`, and suggests the closest size: the same size in
    /// another spelling (`2X`, `2`), else the next larger one (`3x` → `4x`).
    ///
    /// Reported by the schema pass.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file. There is no `3x` or `6x`; sizes double from one to the
    /// next.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         size: 3x
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         size: 4x
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// The official schema's `size` enum (G-ATLASCODE); Atlassian, "Step options"
    /// (A-STEP).
    pub struct SizeEnum {
        id: "step/size-enum",
        severity: Error,
        summary: "A `size` that is not 1x, 2x, 4x, 8x, 16x or 32x",
        fix: true,
    }
}

impl Rule for SizeEnum {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass, with the suggestion from `closest_size`.
    }
}

/// The valid size closest to `got`: the same multiple written otherwise (`2X`, `2`,
/// ` 2x`), else the smallest size at least as large, else the largest.
pub fn closest_size(got: &str) -> Option<&'static str> {
    let t = got.trim().to_ascii_lowercase();
    let digits = t.strip_suffix('x').unwrap_or(&t).trim();
    let n: f64 = digits.parse().ok()?;
    if !n.is_finite() || n <= 0.0 {
        return None;
    }
    let multiple = |s: &str| s.trim_end_matches('x').parse::<f64>().unwrap_or(0.0);
    SIZE_MEMORY_MB
        .iter()
        .map(|(s, _)| *s)
        .find(|s| multiple(s) >= n)
        .or(SIZE_MEMORY_MB.last().map(|(s, _)| *s))
}

#[cfg(test)]
mod tests {
    use super::closest_size;

    #[test]
    fn closest() {
        assert_eq!(closest_size("3x"), Some("4x"));
        assert_eq!(closest_size("2X"), Some("2x"));
        assert_eq!(closest_size("2"), Some("2x"));
        assert_eq!(closest_size("64x"), Some("32x"));
        assert_eq!(closest_size("0.5x"), Some("1x"));
        assert_eq!(closest_size("large"), None);
        assert_eq!(closest_size("0x"), None);
    }
}
