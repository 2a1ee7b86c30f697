//! Where the time of one check goes: parse, typed view, each rule, the schema pass, finish.
//! `cargo run --release -p pipelint_core --example phases -- FILE [ROUNDS]`
use std::time::{Duration, Instant};

use pipelint_core::context::Context;
use pipelint_core::{Settings, registry, schema};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds: u32 = args.next().map_or(50, |r| r.parse().expect("a number"));
    let source = std::fs::read_to_string(&path).expect("readable");
    let settings = Settings::default();
    let yaml = pipelint_yaml::Options::default();
    let mut times: Vec<(String, Duration)> = Vec::new();
    let mut add = |name: &str, d: Duration| match times.iter_mut().find(|(n, _)| n == name) {
        Some((_, t)) => *t += d,
        None => times.push((name.to_owned(), d)),
    };
    if let Ok(what) = std::env::var("PHASES_ONLY") {
        // A loop of one phase, for a profiler.
        let t = Instant::now();
        for _ in 0..rounds {
            let parsed = pipelint_yaml::parse(&source, &yaml);
            if what == "check" {
                let opts = pipelint_core::CheckOptions::default();
                drop(pipelint_core::check(&source, &opts));
            }
            drop(parsed);
        }
        println!(
            "{what}: {:.3} ms",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
        );
        return;
    }
    let mut total = Duration::ZERO;
    for _ in 0..rounds {
        let all = Instant::now();
        let t = Instant::now();
        let parsed = pipelint_yaml::parse(&source, &yaml);
        add("parse", t.elapsed());
        let t = Instant::now();
        let cx = Context::new(&source, Some(&path), &parsed, &settings);
        add("context", t.elapsed());
        let mut out = Vec::new();
        for rule in registry::RULES {
            let t = Instant::now();
            rule.check(&cx, &mut out);
            add(rule.meta().id, t.elapsed());
        }
        let t = Instant::now();
        schema::check(&cx, &mut out);
        add("schema", t.elapsed());
        let t = Instant::now();
        let opts = pipelint_core::CheckOptions::default();
        let a = pipelint_core::check(&source, &opts);
        add("check()", t.elapsed());
        drop(a);
        total += all.elapsed();
    }
    times.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
    for (name, d) in times.iter().take(30) {
        println!(
            "{:>9.3} ms  {name}",
            d.as_secs_f64() * 1000.0 / f64::from(rounds)
        );
    }
    let rules: Duration = times
        .iter()
        .filter(|(n, _)| n.contains('/'))
        .map(|(_, d)| *d)
        .sum();
    println!(
        "{:>9.3} ms  all rules",
        rules.as_secs_f64() * 1000.0 / f64::from(rounds)
    );
}
