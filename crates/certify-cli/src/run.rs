//! `certify cycle run`: the deadline run over files, streaming the roster.
//!
//! Memory holds only the certification index (about 17 bytes per certified person) and a
//! few chunks of rows per thread; the roster streams through, each chunk decided and
//! written in order ([`crate::roster_pass`]).

use crate::Format;
use crate::roster_pass::{Columns, Decider, Fields, decide_roster};
use certify_core::cycle::CyclePolicy;
use certify_core::deadline::{CertificationIndex, IndexEntry, RunDecision, RunSummary};
use certify_core::id::ResidentId;
use certify_core::roster::Scheme;
use certify_core::time::{format_date, parse_date};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use time::Date;

/// Arguments of the deadline run (`certify cycle run`).
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Region and scheme configuration (TOML with a `[cycle]` table).
    #[arg(long)]
    pub config: PathBuf,
    /// Roster/payroll CSV: id_number,name,scheme,unit,monthly_pension,pension_start,status,suspended_from,suspension_reason.
    #[arg(long)]
    pub roster: PathBuf,
    /// Certifications CSV: `id_number,date[,method[,outcome]]`.
    #[arg(long)]
    pub certifications: PathBuf,
    /// The run date (YYYY-MM-DD): people whose deadline is before it are overdue.
    #[arg(long)]
    pub date: String,
    /// Where to write the list of changes ("-" for stdout).
    #[arg(long, default_value = "-")]
    pub output: PathBuf,
    /// List format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Also write unchanged rows to the list.
    #[arg(long)]
    pub all: bool,
    /// Write the summary JSON here as well as to stderr.
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Threads parsing certification records and deciding roster rows (default: all cores);
    /// the list keeps the roster's order.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `region.toml`: a region and scheme with its cycle policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    /// Display name (e.g. 蒲城县).
    pub name: String,
    /// GB/T 2260 code of the region running the certification.
    pub region_code: String,
    /// The scheme this configuration covers.
    pub scheme: Scheme,
    /// The cycle policy.
    pub cycle: CyclePolicy,
    /// What the run does by itself (`[run] max_automatic_back_pay_months`).
    #[serde(default)]
    pub run: certify_core::deadline::RunRules,
}

/// Errors of the command line: messages for the operator.
pub type BoxError = Box<dyn std::error::Error>;

fn err(msg: impl Into<String>) -> BoxError {
    msg.into().into()
}

/// Load and validate a region configuration.
pub fn load_config(path: &Path) -> Result<RegionConfig, BoxError> {
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let config: RegionConfig = toml::from_str(&text).map_err(|e| err(format!("{}: {e}", path.display())))?;
    config
        .cycle
        .validate()
        .map_err(|e| err(format!("{}: {e}", path.display())))?;
    if certify_core::region::lookup(&config.region_code).is_none() {
        return Err(err(format!(
            "{}: region_code {:?} is not a GB/T 2260 code",
            path.display(),
            config.region_code
        )));
    }
    Ok(config)
}

/// One line of the run's list of changes: the columns of `certify cycle run`'s output,
/// also written by `certify-batch` (without `row`, which a batch engine does not know).
#[derive(Debug, Serialize)]
pub struct RunLine<'a> {
    /// Line of the roster file.
    pub row: Option<u64>,
    /// The identity number as written in the roster.
    pub id_number: &'a str,
    /// The name as written in the roster.
    pub name: &'a str,
    /// `suspend`, `resume`, `unchanged` or `invalid_row`.
    pub action: &'static str,
    /// Suspension: first month not paid; resumption: first month paid back.
    pub from: Option<String>,
    /// The deadline missed.
    pub deadline: Option<String>,
    /// First month paid regularly again.
    pub resume_from: Option<String>,
    /// Months paid back by the run.
    pub back_pay_months: Option<u32>,
    /// Their total in yuan.
    pub back_pay_yuan: Option<String>,
    /// Older months for staff to confirm.
    pub back_pay_review_months: Option<u32>,
    /// Their total in yuan.
    pub back_pay_review_yuan: Option<String>,
    /// The certification that lifted the suspension.
    pub certified_on: Option<String>,
    /// Why the row could not be read.
    pub error: Option<String>,
}

impl<'a> RunLine<'a> {
    /// The line for `decision` about the person in `id_number`/`name`.
    pub fn new(row: Option<u64>, id_number: &'a str, name: &'a str, decision: &RunDecision) -> Self {
        let mut l = RunLine {
            row,
            id_number,
            name,
            action: "unchanged",
            from: None,
            deadline: None,
            resume_from: None,
            back_pay_months: None,
            back_pay_yuan: None,
            back_pay_review_months: None,
            back_pay_review_yuan: None,
            certified_on: None,
            error: None,
        };
        match decision {
            RunDecision::Unchanged => {}
            RunDecision::Suspend { from, deadline } => {
                l.action = "suspend";
                l.from = Some(from.to_string());
                l.deadline = Some(format_date(*deadline));
            }
            RunDecision::Resume {
                resume_from,
                back_pay_from,
                back_pay_months,
                back_pay,
                certified_on,
                review_months,
                review_amount,
            } => {
                l.action = "resume";
                l.from = Some(back_pay_from.to_string());
                l.resume_from = Some(resume_from.to_string());
                l.back_pay_months = Some(*back_pay_months);
                l.back_pay_yuan = Some(back_pay.to_string());
                l.back_pay_review_months = Some(*review_months);
                l.back_pay_review_yuan = Some(review_amount.to_string());
                l.certified_on = Some(format_date(*certified_on));
            }
        }
        l
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    region: &'a str,
    region_code: &'a str,
    scheme: Scheme,
    run_date: String,
    #[serde(flatten)]
    run: &'a RunSummary,
    back_pay_total_yuan: String,
    monthly_amount_suspended_yuan: String,
    invalid_rows: u64,
    other_scheme_rows: u64,
    certifications_read: u64,
    certifications_invalid: u64,
    people_certified: usize,
}

fn column(headers: &csv::ByteRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name.as_bytes())
}

fn required(headers: &csv::ByteRecord, name: &str, file: &Path) -> Result<usize, BoxError> {
    column(headers, name).ok_or_else(|| err(format!("{}: missing column {name:?}", file.display())))
}

/// Read the certification file into an index of the latest passed date per person, on
/// `threads` threads; also the rows read and the unreadable ones.
fn index_certifications(
    path: &Path,
    run_date: Date,
    threads: usize,
) -> Result<(CertificationIndex, u64, u64), BoxError> {
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 20)
        .from_path(path)
        .map_err(|e| err(format!("{}: {e}", path.display())))?;
    let headers = reader.byte_headers()?.clone();
    let id_col = required(&headers, "id_number", path)?;
    let date_col = required(&headers, "date", path)?;
    let outcome_col = column(&headers, "outcome");
    // Each chunk: its passed certifications up to the run date, and its unreadable lines.
    let parse = |line: u64, chunk: &[csv::ByteRecord]| {
        let (mut passed, mut unreadable) = (Vec::with_capacity(chunk.len()), Vec::new());
        for (i, rec) in chunk.iter().enumerate() {
            let fields = Fields::new(rec);
            if outcome_col.is_some_and(|i| !matches!(fields.get(i), "" | "passed")) {
                continue;
            }
            match (ResidentId::parse(fields.get(id_col)), parse_date(fields.get(date_col))) {
                // Certifications dated after the run date are not yet known to it.
                (Ok(id), Some(d)) if d <= run_date => passed.push(IndexEntry::new(&id, d)),
                (Ok(_), Some(_)) => {}
                _ => unreadable.push(line + i as u64),
            }
        }
        (chunk.len() as u64, passed, unreadable)
    };
    let mut index = CertificationIndex::new();
    let (mut read, mut invalid) = (0u64, 0u64);
    crate::chunks::for_each_chunk(&mut reader, threads, parse, &mut |(rows, passed, unreadable)| {
        read += rows;
        index.extend(passed);
        for line in unreadable {
            invalid += 1;
            if invalid <= 10 {
                eprintln!(
                    "certify: {}: line {line}: invalid certification row skipped",
                    path.display()
                );
            }
        }
        Ok(())
    })?;
    index.finish();
    Ok((index, read, invalid))
}

/// The list's header line (CSV), as serde writes it for [`RunLine`].
fn csv_header() -> Result<Vec<u8>, BoxError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(RunLine::new(None, "", "", &RunDecision::Unchanged))?;
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    let end = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1);
    Ok(bytes[..end].to_vec())
}

/// Lines of the list being encoded, in memory: CSV without the header, or JSON lines.
pub struct Encoder {
    format: Format,
    bytes: Vec<u8>,
}

impl Encoder {
    /// An empty encoder for `format`.
    pub fn new(format: Format) -> Self {
        Encoder {
            format,
            bytes: Vec::new(),
        }
    }

    /// Append the line of `decision` about the person in `id_number`/`name` (roster line
    /// `row`); `error` (why the row could not be read) makes it an `invalid_row` line.
    pub fn line(
        &mut self,
        row: Option<u64>,
        id_number: &str,
        name: &str,
        decision: &RunDecision,
        error: Option<&str>,
    ) -> Result<(), BoxError> {
        match self.format {
            Format::Csv => crate::csv_line::push_line(&mut self.bytes, row, id_number, name, decision, error),
            Format::Jsonl => {
                let mut line = RunLine::new(row, id_number, name, decision);
                if let Some(error) = error {
                    line.action = "invalid_row";
                    line.error = Some(error.to_owned());
                }
                serde_json::to_writer(&mut self.bytes, &line)?;
                self.bytes.push(b'\n');
            }
        }
        Ok(())
    }

    /// The encoded bytes.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// Run the deadline comparison over the files named in `args`.
pub fn run(args: &RunArgs) -> Result<(), BoxError> {
    let config = load_config(&args.config)?;
    let run_date =
        parse_date(&args.date).ok_or_else(|| err(format!("--date: not a date (YYYY-MM-DD): {:?}", args.date)))?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (index, certs_read, certs_invalid) = index_certifications(&args.certifications, run_date, threads)?;

    let roster_file = File::open(&args.roster).map_err(|e| err(format!("{}: {e}", args.roster.display())))?;
    let size = roster_file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 20)
        .from_reader(bar.wrap_read(roster_file));
    let headers = reader.byte_headers()?.clone();
    let cols = Columns {
        id: required(&headers, "id_number", &args.roster)?,
        name: column(&headers, "name"),
        scheme: column(&headers, "scheme"),
        monthly: required(&headers, "monthly_pension", &args.roster)?,
        start: required(&headers, "pension_start", &args.roster)?,
        status: column(&headers, "status"),
        suspended_from: column(&headers, "suspended_from"),
        reason: column(&headers, "suspension_reason"),
    };

    let out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(File::create(&args.output).map_err(|e| err(format!("{}: {e}", args.output.display())))?)
    };
    let mut sink = BufWriter::with_capacity(1 << 16, out);
    if matches!(args.format, Format::Csv) {
        sink.write_all(&csv_header()?)?;
    }

    let decider = Decider {
        config: &config,
        run_date,
        index: &index,
        columns: &cols,
        all: args.all,
        format: args.format,
    };
    let counts = decide_roster(&mut reader, &decider, threads, &mut |bytes| Ok(sink.write_all(bytes)?))?;
    let (summary, invalid_rows, other_scheme) = (counts.summary, counts.invalid_rows, counts.other_scheme);
    sink.flush()?;
    bar.finish_and_clear();

    let s = Summary {
        region: &config.name,
        region_code: &config.region_code,
        scheme: config.scheme,
        run_date: format_date(run_date),
        run: &summary,
        back_pay_total_yuan: summary.back_pay_total.to_string(),
        monthly_amount_suspended_yuan: summary.monthly_amount_suspended.to_string(),
        invalid_rows,
        other_scheme_rows: other_scheme,
        certifications_read: certs_read,
        certifications_invalid: certs_invalid,
        people_certified: index.len(),
    };
    let json = serde_json::to_string(&s)?;
    eprintln!("{json}");
    if let Some(path) = &args.summary {
        std::fs::write(path, format!("{json}\n")).map_err(|e| err(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}
