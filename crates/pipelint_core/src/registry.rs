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
    &r#struct::pipelines_missing::PipelinesMissing,
    &r#struct::expected_list::ExpectedList,
    &r#struct::bad_item::BadItem,
    &r#struct::step_indentation::StepIndentation,
    &step::script_missing::ScriptMissing,
    &cache::docker_v3::DockerV3,
    &cache::undefined::Undefined,
    &cache::definition_empty::DefinitionEmpty,
    &cache::sbt_ivy2::SbtIvy2,
    &cache::key_files_missing::KeyFilesMissing,
    &cache::unused::Unused,
    &cache::info_limits::InfoLimits,
    &artifacts::bad_path::BadPath,
    &artifacts::parallel_sibling::ParallelSibling,
    &artifacts::download_unknown::DownloadUnknown,
    &artifacts::download_scoped::DownloadScoped,
    &artifacts::upload_required::UploadRequired,
    &artifacts::manual_expiry::ManualExpiry,
    &artifacts::paths_with_upload::PathsWithUpload,
    &docker::no_service::NoService,
    &docker::privileged_needs_v3::PrivilegedNeedsV3,
    &docker::buildx_needs_v3::BuildxNeedsV3,
    &v3::docker_cli_missing::DockerCliMissing,
    &script::aws_ecr_get_login::AwsEcrGetLogin,
    &script::shellcheck::Shellcheck,
    &svc::undefined::Undefined,
    &svc::too_many::TooMany,
    &svc::memory_budget::MemoryBudget,
    &svc::image_missing::ImageMissing,
    &svc::variable_not_string::VariableNotString,
    &oidc::required::Required,
    &oidc::unused::Unused,
    &var::name_invalid::NameInvalid,
    &runner::labels_limits::LabelsLimits,
    &runner::os_label::OsLabel,
    &runner::conflicting_os::ConflictingOs,
    &runner::docker_only_keys::DockerOnlyKeys,
    &clone::skip_ssl_verify_scope::SkipSslVerifyScope,
    &clone::depth::Depth,
    &clone::shallow_history::ShallowHistory,
    &clone::lfs_global::LfsGlobal,
    &glob::star_no_slash::StarNoSlash,
    &glob::shadowed::Shadowed,
    &share::import_format::ImportFormat,
    &share::import_source::ImportSource,
    &share::nested_import::NestedImport,
    &share::export_no_definitions::ExportNoDefinitions,
    &share::file_suffix::FileSuffix,
    &triggers::custom_only::CustomOnly,
    &triggers::limits::Limits,
    &onfail::strategy::Strategy,
    &onfail::with_fail_fast::WithFailFast,
    &onfail::deployment::Deployment,
    &child::shape::Shape,
    &child::unknown_pipeline::UnknownPipeline,
    &child::input_vars::InputVars,
    &deploy::env_reused::EnvReused,
    &deploy::env_count::EnvCount,
    &cond::changesets_both::ChangesetsBoth,
    &cond::path_prefix::PathPrefix,
    &cond::state_length::StateLength,
    &cond::state_secured::StateSecured,
    &cond::latest_commit_only::LatestCommitOnly,
    // Suppression comments
    &suppression::unused::Unused,
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
