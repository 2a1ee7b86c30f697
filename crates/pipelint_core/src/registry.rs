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
    &docker::no_service::NoService,
    &docker::privileged_needs_v3::PrivilegedNeedsV3,
    &docker::buildx_needs_v3::BuildxNeedsV3,
    &v3::docker_cli_missing::DockerCliMissing,
    &script::aws_ecr_get_login::AwsEcrGetLogin,
    &svc::undefined::Undefined,
    &svc::too_many::TooMany,
    &svc::memory_budget::MemoryBudget,
    &svc::image_missing::ImageMissing,
    &svc::variable_not_string::VariableNotString,
    &oidc::required::Required,
    &oidc::unused::Unused,
    &var::name_invalid::NameInvalid,
    &image::auth_partial::AuthPartial,
    &image::aws_mixed::AwsMixed,
    &image::name_missing::NameMissing,
    &image::run_as_user_type::RunAsUserType,
    &image::default_image::DefaultImage,
    &image::unpinned::Unpinned,
    &image::private_network::PrivateNetwork,
    &v3::version_value::VersionValue,
    &runtime::arch_enum::ArchEnum,
    &runtime::arm_plan::ArmPlan,
    &options::docker_legacy::DockerLegacy,
    &svc::memory_min::MemoryMin,
    &svc::byo_dind_v2::ByoDindV2,
    &svc::port_29418::Port29418,
    &pipe::unpinned::Unpinned,
    &pipe::variables_type::VariablesType,
    &var::default_not_allowed::DefaultNotAllowed,
    &var::reserved_override::ReservedOverride,
    &var::context::VarContext,
    &templ::unsupported_var::UnsupportedVar,
    &sec::literal_credential::LiteralCredential,
    &sec::export_secrets::ExportSecrets,
    &size::plan::Plan,
    &size::runner::Runner,
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
