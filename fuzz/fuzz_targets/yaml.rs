//! The YAML layer: any text parses without panicking, and every span in the result lies
//! within the text, on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipelint_yaml::{Options, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse(text, &Options::default());
    pipelint_fuzz::assert_parsed(text, &parsed);
});
