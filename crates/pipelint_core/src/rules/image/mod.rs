//! `image/`: the build and service images: their object form (name, credentials, user),
//! whether they are pinned, and where they can be pulled from.

use pipelint_yaml::Node;

use crate::context::Context;
use crate::model::{ImageUse, image_uses};

pub mod auth_partial;
pub mod aws_mixed;
pub mod default_image;
pub mod name_missing;
pub mod private_network;
pub mod run_as_user_type;
pub mod unpinned;

/// Every image setting of the file written as a mapping (`image: {name: ..., ...}`). A
/// step image used through several aliases comes once per use; the engine merges the
/// findings and lists the alias sites.
pub(crate) fn image_objects<'a>(cx: &Context<'a>) -> Vec<ImageUse<'a>> {
    let Some(file) = cx.file.as_ref() else {
        return Vec::new();
    };
    image_uses(file, cx.steps())
        .into_iter()
        .filter(|u| u.node.as_mapping().is_some() && !u.node.truncated)
        .collect()
}

/// What to call the image in messages: "the image", "service `db`'s image".
pub(crate) fn image_label(u: &ImageUse<'_>) -> String {
    match u.place {
        crate::model::ImagePlace::Service(name) => format!("service `{name}`'s image"),
        crate::model::ImagePlace::Top => "the top-level image".to_owned(),
        crate::model::ImagePlace::Step(_) => "the step's image".to_owned(),
    }
}

/// A key of a mapping with its value, when the key is there.
pub(crate) fn key_of<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.as_mapping()?.entry(key).map(|e| (&e.key, &e.value))
}
