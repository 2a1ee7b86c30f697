//! Benchmarks: a generated 5,000-line pipeline file, and the whole real corpus
//! (`../shared/corpus/real/` beside the checkout) in one process. Run with
//! `cargo bench -p pipelint_cli --bench check`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use pipelint_core::CheckOptions;

/// A realistic pipeline file of about `lines` lines: anchors, merges, parallel groups,
/// services and scripts.
pub fn generated(lines: usize) -> String {
    let mut s = String::from(
        "image: node:20\n\ndefinitions:\n  caches:\n    npm: ~/.npm\n  services:\n    postgres:\n      image: postgres:16\n      memory: 1024\n      variables:\n        POSTGRES_PASSWORD: secret\n  steps:\n    - step: &test\n        name: Test\n        caches: [npm, node]\n        services: [postgres]\n        script:\n          - npm ci\n          - npm test -- --ci\n        artifacts:\n          - coverage/**\n\npipelines:\n  branches:\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!(
            "    'feature/{i}-*':\n      - step: *test\n      - parallel:\n          - step:\n              <<: *test\n              name: Lint {i}\n              script:\n                - npm run lint\n          - step:\n              name: Build {i}\n              size: 2x\n              services: [docker]\n              script:\n                - docker build -t app:{i} .\n                - echo \"done $BITBUCKET_BUILD_NUMBER\"\n      - step:\n          name: Deploy {i}\n          deployment: staging\n          trigger: manual\n          script:\n            - ./deploy.sh staging\n"
        ));
        i += 1;
    }
    s
}

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let opts = CheckOptions::default();
    let big = generated(5_000);
    c.bench_function("check generated 5000 lines", |b| {
        b.iter(|| pipelint_core::check(black_box(&big), &opts))
    });
    c.bench_function("parse only generated 5000 lines", |b| {
        b.iter(|| pipelint_yaml::parse(black_box(&big), &opts.yaml))
    });
    let files = corpus();
    if files.is_empty() {
        eprintln!("SKIPPED corpus benchmark: ../shared/corpus/real not found");
        return;
    }
    c.bench_function(&format!("check corpus ({} files)", files.len()), |b| {
        b.iter(|| {
            for f in &files {
                black_box(pipelint_core::check(f, &opts));
            }
        })
    });
    c.bench_function("parse only corpus", |b| {
        b.iter(|| {
            for f in &files {
                black_box(pipelint_yaml::parse(f, &opts.yaml));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
