//! Criterion benchmarks of the core rules: identity validation and per-row run decisions.
#![allow(missing_docs)]

use certify_benches::id_of;
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{PayrollRow, RunDecision, decide};
use certify_core::id::ResidentId;
use certify_core::money::Fen;
use certify_core::name::PersonName;
use certify_core::payment::PaymentStatus;
use certify_core::time::YearMonth;
use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use time::macros::date;

fn ids(c: &mut Criterion) {
    let inputs: Vec<String> = (0..10_000).map(|i| id_of(i * 7919)).collect();
    let legacy: Vec<String> = inputs.iter().map(|s| format!("{}{}", &s[..6], &s[8..17])).collect();
    let mut g = c.benchmark_group("id");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.bench_function("parse_18_digit", |b| {
        b.iter(|| {
            inputs
                .iter()
                .filter(|s| ResidentId::parse(black_box(s)).is_ok())
                .count()
        })
    });
    g.bench_function("parse_15_digit_upgrade", |b| {
        b.iter(|| {
            legacy
                .iter()
                .filter(|s| ResidentId::parse(black_box(s)).is_ok())
                .count()
        })
    });
    g.finish();
}

fn names(c: &mut Criterion) {
    let n = PersonName::new("阿依古丽·買買提").unwrap_or_else(|_| unreachable!());
    c.bench_function("name/comparison_key", |b| b.iter(|| black_box(&n).comparison_key()));
}

fn decisions(c: &mut Criterion) {
    let policy = CyclePolicy::pucheng_2020();
    let rows: Vec<PayrollRow> = (0..10_000u64)
        .map(|i| PayrollRow {
            id: ResidentId::parse(&id_of(i)).unwrap_or_else(|_| unreachable!()),
            monthly_pension: Fen(320_000),
            pension_start: YearMonth::new(2010, 1).unwrap_or_else(|_| unreachable!()),
            status: PaymentStatus::Active,
        })
        .collect();
    let mut g = c.benchmark_group("deadline");
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("decide", |b| {
        b.iter(|| {
            rows.iter()
                .enumerate()
                .filter(|(i, r)| {
                    let last = (i % 2 == 0).then_some(date!(2020 - 07 - 01));
                    matches!(
                        decide(&policy, date!(2020 - 08 - 01), r, last),
                        RunDecision::Suspend { .. }
                    )
                })
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, ids, names, decisions);
criterion_main!(benches);
