//! The list of every rule. Adding a rule adds one line here.

use crate::diagnostic::Severity;
use crate::rule::{Rule, RuleMeta};
use crate::rules::*;

/// Every rule pipelint has, in catalog order.
pub static RULES: &[&dyn Rule] = &[
    // YAML and file level
    &yaml::syntax::Syntax,
    &yaml::tab_indent::TabIndent,
    &yaml::duplicate_key::DuplicateKey,
    &yaml::undefined_alias::UndefinedAlias,
    &yaml::unquoted_star::UnquotedStar,
    &yaml::alias_limit::AliasLimit,
    // Shape (the schema pass)
    &schema::unknown_key::UnknownKey,
    &schema::invalid_value::InvalidValue,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// Metadata of every rule.
pub fn metas() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|r| r.meta())
}

/// The default severity of a rule id (error for an id no rule has, which a test forbids).
pub fn default_severity(id: &str) -> Severity {
    find(id).map_or(Severity::Error, |r| r.meta().severity)
}
