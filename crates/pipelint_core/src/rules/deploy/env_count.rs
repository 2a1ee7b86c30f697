use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{ItemPlace, is_template};
use crate::rule::{Rule, RuleMeta};
use crate::settings::Plan;

/// Deployment environments a repository can have on the Free plan.
pub const FREE_PLAN_ENVIRONMENTS: usize = 10;

/// Deployment environments a repository can have on the Standard and Premium plans.
pub const PAID_PLAN_ENVIRONMENTS: usize = 50;

declare_rule! {
    /// ## What it does
    /// Counts the distinct deployment environments the file names (the values of
    /// `deployment` and `environment` on steps and stages) and reports the first name
    /// beyond what the workspace's plan allows a repository: 10 on the Free plan, 50 on
    /// Standard and Premium.
    ///
    /// The limit depends on the plan, so the rule runs only when the plan is configured
    /// (`plan = "free"`, `"standard"` or `"premium"` in the settings); without it, it
    /// reports nothing.
    ///
    /// ## Why is this bad?
    /// Bitbucket cannot create more deployment environments than the plan allows: the
    /// steps that name the extra ones cannot deploy.
    ///
    /// ## Example
    /// ```yaml
    /// # pipelint-settings: plan=free
    /// pipelines:
    ///   custom:
    ///     deploy-customer:
    ///       - parallel:
    ///           - step: {deployment: customer-01, script: [./deploy.sh 01]}
    ///           - step: {deployment: customer-02, script: [./deploy.sh 02]}
    ///           - step: {deployment: customer-03, script: [./deploy.sh 03]}
    ///           - step: {deployment: customer-04, script: [./deploy.sh 04]}
    ///           - step: {deployment: customer-05, script: [./deploy.sh 05]}
    ///           - step: {deployment: customer-06, script: [./deploy.sh 06]}
    ///           - step: {deployment: customer-07, script: [./deploy.sh 07]}
    ///           - step: {deployment: customer-08, script: [./deploy.sh 08]}
    ///           - step: {deployment: customer-09, script: [./deploy.sh 09]}
    ///           - step: {deployment: customer-10, script: [./deploy.sh 10]}
    ///           - step: {deployment: customer-11, script: [./deploy.sh 11]}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # pipelint-settings: plan=free
    /// pipelines:
    ///   custom:
    ///     deploy-customer:
    ///       - variables:
    ///           - name: CUSTOMER
    ///       - step:
    ///           deployment: customers
    ///           script: [./deploy.sh $CUSTOMER]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Additional deployment environments for Bitbucket Pipelines"
    /// (https://bitbucket.org/blog/additional-deployment-environments-for-bitbucket-pipelines):
    /// up to 50 environments on Standard and Premium, 10 on Free.
    pub struct EnvCount {
        id: "deploy/env-count",
        severity: Warning,
        summary: "More deployment environments than the plan allows",
        fix: false,
    }
}

impl Rule for EnvCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(plan) = cx.settings.plan else {
            return;
        };
        let (limit, plan_name) = match plan {
            Plan::Free => (FREE_PLAN_ENVIRONMENTS, "Free"),
            Plan::Standard => (PAID_PLAN_ENVIRONMENTS, "Standard"),
            Plan::Premium => (PAID_PLAN_ENVIRONMENTS, "Premium"),
        };
        let Some(file) = &cx.file else {
            return;
        };
        // Every step's and every stage's environment, in file order.
        let mut nodes: Vec<&Node> = Vec::new();
        for step in cx.steps() {
            nodes.extend(
                ["deployment", "environment"]
                    .iter()
                    .filter_map(|k| step.get(k)),
            );
        }
        for item in file.items() {
            if item.place == ItemPlace::Pipeline
                && let Some(stage) = item.node.get("stage")
            {
                nodes.extend(
                    ["deployment", "environment"]
                        .iter()
                        .filter_map(|k| stage.get(k)),
                );
            }
        }
        nodes.sort_by_key(|n| n.site().start);
        let mut distinct: Vec<&str> = Vec::new();
        for node in nodes {
            let Some(name) = node.as_str() else {
                continue;
            };
            if is_template(node) || distinct.contains(&name) {
                continue;
            }
            distinct.push(name);
            if distinct.len() == limit + 1 {
                let total = count_distinct(cx, file);
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        node,
                        format!(
                            "this file uses {total} deployment environments; the {plan_name} plan \
                             allows at most {limit} per repository (`{name}` is the {})",
                            ordinal(limit + 1)
                        ),
                    )
                    .help(
                        "deploy several targets through one environment (pass the target as a \
                         variable), or remove environments the repository no longer uses",
                    ),
                );
                return;
            }
        }
    }
}

/// `11th`, `51st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How many distinct environment names the file has (for the message).
fn count_distinct(cx: &Context<'_>, file: &crate::model::File<'_>) -> usize {
    let mut names: Vec<&str> = Vec::new();
    let stages = file
        .items()
        .iter()
        .filter(|i| i.place == ItemPlace::Pipeline)
        .filter_map(|i| i.node.get("stage"));
    let holders = cx.steps().iter().map(|s| s.node).chain(stages);
    for holder in holders {
        for key in ["deployment", "environment"] {
            if let Some(n) = holder.get(key)
                && !is_template(n)
                && let Some(name) = n.as_str()
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    names.len()
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Plan, Selection};

    fn found(src: &str, plan: Option<Plan>) -> Vec<String> {
        let mut opts = CheckOptions {
            select: Selection::Only(vec!["deploy/env-count".into()]),
            ..CheckOptions::default()
        };
        opts.settings.plan = plan;
        crate::check(src, &opts)
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    fn file_with(n: usize) -> String {
        let mut src =
            String::from("pipelines:\n  default:\n    - step: {script: [a], environment: env-1}\n");
        for i in 1..=n {
            src.push_str(&format!(
                "    - step: {{script: [a], deployment: env-{i}}}\n"
            ));
        }
        src
    }

    #[test]
    fn quiet_without_a_plan() {
        assert!(found(&file_with(60), None).is_empty());
    }

    #[test]
    fn limits_by_plan() {
        assert!(found(&file_with(10), Some(Plan::Free)).is_empty());
        let free = found(&file_with(12), Some(Plan::Free));
        assert_eq!(
            free,
            [
                "this file uses 12 deployment environments; the Free plan allows at most 10 per repository (`env-11` is the 11th)"
            ]
        );
        assert!(found(&file_with(50), Some(Plan::Standard)).is_empty());
        assert_eq!(found(&file_with(51), Some(Plan::Premium)).len(), 1);
    }
}
