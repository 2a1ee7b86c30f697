//! `templ/`: YAML templating, `${{ NAME }}` values filled in when a pipeline starts.

pub mod unsupported_var;
