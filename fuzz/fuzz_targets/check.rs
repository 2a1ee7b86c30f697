//! The full check: any text is checked without panicking, as a file of unknown kind and
//! as `bitbucket-pipelines.yml`; every diagnostic's span and related spans, and every fix
//! edit, lie within the text on char boundaries, and no fix's edits overlap each other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipelint_core::{CheckOptions, check};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for path in [None, Some("bitbucket-pipelines.yml")] {
        let opts = CheckOptions {
            path: path.map(str::to_owned),
            ..CheckOptions::default()
        };
        let analysis = check(text, &opts);
        pipelint_fuzz::assert_parsed(text, &analysis.parsed);
        pipelint_fuzz::assert_diagnostics(text, &analysis.diagnostics);
    }
});
