//! Synthetic, deterministic rosters and certification files for benchmarks and tests.
//!
//! Row `i` always produces the same person, so files of different sizes are prefixes of
//! each other and results are comparable across runs.

use certify_core::id::check_character;
use std::io::{self, BufWriter, Write};
use std::path::Path;

const REGIONS: [&str; 10] = [
    "610526", "150102", "110105", "110103", "440305", "310115", "510107", "420106", "370102", "610113",
];

/// A small, fast, deterministic mixer (SplitMix64) for choosing row attributes.
pub fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The valid, unique identity number of row `i`.
pub fn id_of(i: u64) -> String {
    let region = REGIONS[(i % 10) as usize];
    let day = (i / 10) % 12_000; // births spread over ~33 years from 1930
    let seq = (i / 120_000) % 1000;
    let (y, m, d) = civil_from_days(day as i64 - 14_610); // 1930-01-01 is day -14610
    let body = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
    let first17: [u8; 17] = body.as_bytes().try_into().unwrap_or([b'0'; 17]);
    format!("{body}{}", check_character(&first17))
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Write a roster of `rows` people (Pucheng-like: public-institution scheme): 94% paid,
/// 5% suspended for a lapse from 2020-08, 1% suspended for detention.
pub fn write_roster(path: &Path, rows: u64) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        w,
        "id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,suspension_reason"
    )?;
    for i in 0..rows {
        let h = mix(i);
        let yuan = 1800 + h % 4000;
        let fen = (h >> 12) % 100;
        let start_year = 1990 + (h >> 20) % 30;
        let start_month = 1 + (h >> 28) % 12;
        let (status, from, reason) = match (h >> 36) % 100 {
            0..=4 => ("suspended", "2020-08", "certification_lapse"),
            5 => ("suspended", "2020-03", "criminal_detention"),
            _ => ("active", "", ""),
        };
        writeln!(
            w,
            "{},退休人员{i},public_institution,蒲城县单位{},{yuan}.{fen:02},{start_year}-{start_month:02},{status},{from},{reason}",
            id_of(i),
            h % 300
        )?;
    }
    w.flush()
}

/// Write certifications for about 85% of the first `rows` people, in shuffled order:
/// nine in ten dated in Pucheng's window (2020-06-03..07-31), the rest later in 2020
/// (late certifications that lift suspensions) or earlier (which do not count).
pub fn write_certifications(path: &Path, rows: u64) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(w, "id_number,date,method,outcome")?;
    let methods = ["app_face", "app_voice", "data_comparison", "on_site", "home_visit"];
    for k in 0..rows {
        // Visit rows in a scrambled order so the file is not sorted by person.
        let i = (k.wrapping_mul(2_654_435_761)) % rows;
        let h = mix(i ^ 0x00C0_FFEE);
        if h % 100 >= 85 {
            continue;
        }
        let day_of_year = match (h >> 8) % 20 {
            0 => (h >> 16) % 154,      // Jan 1 .. Jun 2: before the window
            1 => 213 + (h >> 16) % 91, // Aug 1 .. Oct 30: late
            _ => 154 + (h >> 16) % 59, // Jun 3 .. Jul 31: in the window
        };
        let (y, m, d) = civil_from_days(18_262 + day_of_year as i64); // 2020-01-01 is day 18262
        let method = methods[((h >> 20) % 5) as usize];
        writeln!(w, "{},{y:04}-{m:02}-{d:02},{method},passed", id_of(i))?;
    }
    w.flush()
}

/// Peak resident memory of this process so far, in KiB (Linux `VmHWM`), if readable.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Reset the peak-memory mark so the next measurement covers only what follows.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_core::id::ResidentId;
    use std::collections::HashSet;

    #[test]
    fn generated_ids_are_valid_and_unique() {
        let mut seen = HashSet::new();
        for i in (0..2_000_000).step_by(997) {
            let id = ResidentId::parse(&id_of(i)).unwrap();
            assert!(seen.insert(id), "duplicate at {i}");
        }
        assert_eq!(civil_from_days(18_262), (2020, 1, 1));
        assert_eq!(civil_from_days(-14_610), (1930, 1, 1));
    }
}
