use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `condition.state` expression longer than 1000 characters.
    ///
    /// The check is made by the schema pass.
    ///
    /// ## Why is this bad?
    /// State expressions are limited to 1000 characters; a longer one is not accepted. An
    /// expression that long is also hard to read: compute the decision in an earlier step
    /// and test one variable here.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Deploy
    ///         condition:
    ///           state: SERVICE == "auth-service-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" || SERVICE == "billing-service-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" || SERVICE == "catalog-service-cccccccccccccccccccccccccccccccccccccccccccccccccccccc" || SERVICE == "delivery-service-dddddddddddddddddddddddddddddddddddddddddddddddddddddd" || SERVICE == "events-service-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" || SERVICE == "files-service-ffffffffffffffffffffffffffffffffffffffffffffffffffffff" || SERVICE == "gateway-service-gggggggggggggggggggggggggggggggggggggggggggggggggggggg" || SERVICE == "history-service-hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh" || SERVICE == "identity-service-iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii" || SERVICE == "jobs-service-jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj" || SERVICE == "kafka-service-kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" || SERVICE == "ledger-service-llllllllllllllllllllllllllllllllllllllllllllllllllllll" || SERVICE == "mail-service-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Decide
    ///         output-variables: [DEPLOY_SERVICE]
    ///         script:
    ///           - ./should-deploy.sh >> $BITBUCKET_PIPELINES_VARIABLES_PATH
    ///     - step:
    ///         name: Deploy
    ///         condition:
    ///           state: DEPLOY_SERVICE == "true"
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// The limit of 1000 characters rests on a third-party model only
    /// (udmada/pkl-bitbucket-pipelines, `Condition.state`). Atlassian, "Introducing
    /// Dynamic Step Condition for Bitbucket Pipelines"
    /// (https://www.atlassian.com/blog/bitbucket/introducing-dynamic-step-condition-for-bitbucket-pipelines),
    /// introduces `condition.state`.
    pub struct StateLength {
        id: "cond/state-length",
        severity: Warning,
        summary: "A state condition longer than 1000 characters",
        fix: false,
    }
}

impl Rule for StateLength {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
