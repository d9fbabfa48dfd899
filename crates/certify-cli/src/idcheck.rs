//! `certify id check`.

use certify_core::id::{IdKind, ResidentId};
use certify_core::time::format_date;
use serde::Serialize;
use std::io::{BufRead, Write};

#[derive(Serialize)]
struct Line<'a> {
    input: &'a str,
    valid: bool,
    normalized: Option<String>,
    error: Option<&'static str>,
    message: Option<String>,
    birth_date: Option<String>,
    sex: Option<certify_core::id::Sex>,
    region_code: Option<String>,
    region_name: Option<&'static str>,
    region_retired: Option<bool>,
    kind: Option<IdKind>,
}

/// Check each line of `input`, writing one JSON object per line to `output`.
pub fn run(input: impl BufRead, mut output: impl Write) -> Result<(), Box<dyn std::error::Error>> {
    for line in input.lines() {
        let line = line?;
        let text = line.trim_end_matches('\r');
        let out = match ResidentId::parse(text) {
            Ok(id) => Line {
                input: text,
                valid: true,
                normalized: Some(id.as_str().to_owned()),
                error: None,
                message: None,
                birth_date: Some(format_date(id.birth_date())),
                sex: Some(id.sex()),
                region_code: Some(id.region_code().to_owned()),
                region_name: id.region().map(|r| r.name),
                region_retired: id.region().map(|r| r.is_retired()),
                kind: Some(id.kind()),
            },
            Err(e) => Line {
                input: text,
                valid: false,
                normalized: None,
                error: Some(e.code()),
                message: Some(e.to_string()),
                birth_date: None,
                sex: None,
                region_code: None,
                region_name: None,
                region_retired: None,
                kind: None,
            },
        };
        serde_json::to_writer(&mut output, &out)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(())
}
