//! The YAML layer: any text parses without panicking, every span in the result lies
//! within the text, on char boundaries, and a parse kept over an edit by `edit_scalar`
//! equals the fresh parse of the edited text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipelint_yaml::{Options, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = Options::default();
    let parsed = parse(text, &opts);
    pipelint_fuzz::assert_parsed(text, &parsed);
    pipelint_fuzz::assert_incremental(text, &parsed, &opts);
});
