//! Running one function over many items on several threads, with the answers in the items'
//! order whatever the threads' timing: `pipelint check` reads and checks files with it and
//! then reports them as one thread would have.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The stack each helper thread gets: the main thread's usual 8 MiB, so that a deeply
/// nested file checks on a helper exactly as it does on the main thread.
const STACK_BYTES: usize = 8 * 1024 * 1024;

/// How many threads `pipelint check` uses: `requested` when it is given and not 0, else
/// `PIPELINT_THREADS` when it is set to a number other than 0, else one per core.
pub fn threads(requested: Option<usize>) -> usize {
    let from_env = || {
        std::env::var("PIPELINT_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    requested
        .filter(|&n| n > 0)
        .or_else(|| from_env().filter(|&n| n > 0))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` of every item, in the order of `items`, computed on up to `threads` threads (the
/// calling thread is one of them). Items are handed out one at a time, so a large item
/// does not hold up a batch of small ones. With one thread or one item nothing is
/// spawned. A helper thread that cannot be started leaves its share to the others; a
/// panic in `f` is passed on to the caller.
pub fn map<T, R, F>(items: Vec<T>, threads: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let count = items.len();
    // Each item is taken out of its cell by the one thread that drew its index.
    let cells: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(cell) = cells.get(i) else { break };
            let item = cell.lock().ok().and_then(|mut c| c.take());
            if let Some(item) = item {
                done.push((i, f(item)));
            }
        }
        done
    };
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut parts = vec![work()];
        for helper in helpers {
            match helper.join() {
                Ok(part) => parts.push(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(count).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    // Every index below `count` was drawn by exactly one thread, which mapped its item.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_in_the_items_order() {
        let items: Vec<u64> = (0..1000).collect();
        for threads in [1, 2, 3, 8, 2000] {
            let out = map(items.clone(), threads, |n| {
                if n % 7 == 0 {
                    // Uneven work, so threads finish out of order.
                    std::thread::yield_now();
                }
                n * n
            });
            assert_eq!(out, items.iter().map(|n| n * n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn nothing_and_one() {
        assert_eq!(map(Vec::<u8>::new(), 4, |b| b), Vec::<u8>::new());
        assert_eq!(map(vec![5u8], 4, |b| b + 1), vec![6]);
    }

    #[test]
    fn an_explicit_count_wins() {
        assert_eq!(threads(Some(3)), 3);
        assert!(threads(None) >= 1);
        assert!(threads(Some(0)) >= 1);
    }
}
