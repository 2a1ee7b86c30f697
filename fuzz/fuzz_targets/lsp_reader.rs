//! The language server's message reader: any byte stream is read to its end, message by
//! message, without panicking, and with memory bounded by the input: no single
//! allocation is much larger than the input, whatever `Content-Length` a header claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipelint_fuzz::alloc::{LargestAlloc, largest_since_reset, reset_largest};
use pipelint_lsp::transport::{Frame, read_message};
use std::sync::OnceLock;
use tokio::io::BufReader;
use tokio::runtime::Runtime;

#[global_allocator]
static ALLOC: LargestAlloc = LargestAlloc;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    });
    reset_largest();
    let read = runtime.block_on(async {
        // A small buffer, so that frames straddle refills.
        let mut reader = BufReader::with_capacity(64, data);
        let mut read = 0usize;
        loop {
            match read_message(&mut reader).await {
                Ok(Frame::Body(body)) => {
                    assert!(body.len() <= data.len(), "a body longer than the input");
                    read += body.len();
                }
                Ok(Frame::Bad(why)) => assert!(!why.is_empty()),
                Ok(Frame::Eof) | Err(_) => break,
            }
        }
        read
    });
    assert!(read <= data.len());
    let largest = largest_since_reset();
    let bound = 4 * data.len() + 64 * 1024;
    assert!(
        largest <= bound,
        "an allocation of {largest} bytes for {} bytes of input",
        data.len()
    );
});
