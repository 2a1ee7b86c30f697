//! `bamboo/*`: the Docker runner of Bamboo Data Center YAML specs (see [`crate::bamboo`]):
//! what a job or deployment environment that runs in a container needs mounted, and the
//! shape of its `docker` setting.

use crate::bamboo::{Docker, Setting, Spec, Unit};
use crate::context::Context;

pub mod default_volumes_off;
pub mod docker_image_required;
pub mod docker_sock;
pub mod privileged;
pub mod registry_credentials;
pub mod unpinned_image;

/// Every `docker` setting written in the file: the documents' and the units'.
pub(crate) fn written<'c, 'a>(cx: &'c Context<'a>) -> Vec<&'c Docker<'a>> {
    let mut out = Vec::new();
    for spec in &cx.bamboo {
        if let Some(Setting::Runner(d)) = &spec.docker {
            out.push(d);
        }
        for unit in &spec.units {
            if let Some(Setting::Runner(d)) = &unit.docker {
                out.push(d);
            }
        }
    }
    out
}

/// Every unit that runs in the Docker runner, with the configuration that applies to it.
pub(crate) fn runner_units<'c, 'a>(
    cx: &'c Context<'a>,
) -> Vec<(&'c Spec<'a>, &'c Unit<'a>, &'c Docker<'a>)> {
    let mut out = Vec::new();
    for spec in &cx.bamboo {
        for unit in &spec.units {
            if let Some(Setting::Runner(d)) = unit.effective(spec) {
                out.push((spec, unit, d));
            }
        }
    }
    out
}

/// "job `Build`" or "environment `Production`".
pub(crate) fn unit_name(spec: &Spec<'_>, unit: &Unit<'_>) -> String {
    let what = if spec.deployment {
        "environment"
    } else {
        "job"
    };
    format!("{what} `{}`", unit.label())
}
