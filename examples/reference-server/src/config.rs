//! The server's configuration file (TOML): where to listen, the database URL, the region
//! and its cycle policy, engine paths and thresholds, keys, and the staff accounts.

use certify_core::cycle::CyclePolicy;
use certify_core::roster::Scheme;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: String,
    /// `sqlite://certify.db?mode=rwc` (default, embedded) or `postgres://user@host/db`.
    pub database_url: String,
    /// The region and scheme served, with its cycle policy.
    pub region: Region,
    /// Model and runtime paths, thresholds.
    pub engines: Engines,
    /// Keys.
    pub keys: Keys,
    /// Staff accounts created at start (passwords hashed on the way in).
    #[serde(default)]
    pub staff: Vec<StaffAccount>,
    /// Seed the demo roster (three pensioners) when the roster is empty.
    #[serde(default)]
    pub seed_demo_roster: bool,
    /// Demo social-security-card system: the PIN every card accepts (empty: card login off).
    #[serde(default)]
    pub demo_card_pin: String,
    /// Face liveness: allowed actions, silent mode, passive anti-spoof.
    #[serde(default)]
    pub liveness: LivenessSettings,
    /// Where authoritative reference portraits come from.
    #[serde(default)]
    pub identity: IdentitySettings,
    /// Per-address rate limits.
    #[serde(default)]
    pub limits: LimitSettings,
}

/// Per-client-address rate limits (`[limits]`). Per-phone and per-identity-number limits
/// are fixed (`SMS_PER_PHONE_PER_DAY` …); these are settings because many elderly people
/// reach the server through one carrier-grade NAT address or a care home's network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Behind a reverse proxy: the header carrying the client's address (e.g.
    /// `x-forwarded-for`; its first address counts). Absent: the peer address. Set it only
    /// when the proxy overwrites the header — otherwise a client picks its own key.
    pub client_address_header: Option<String>,
    /// SMS codes one address may ask for per day, to any phones.
    pub sms_per_address_per_day: u32,
    /// Code guesses from one address per day, against any phones.
    pub guesses_per_address_per_day: u32,
    /// First card logins from one address per day, of any identity numbers.
    pub first_card_logins_per_address_per_day: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            client_address_header: None,
            sms_per_address_per_day: 30,
            guesses_per_address_per_day: 100,
            first_card_logins_per_address_per_day: 20,
        }
    }
}

/// Identity settings (`[identity]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentitySettings {
    /// A directory of authoritative portraits, `<identity number>.jpg` (or `.png`): the
    /// social-security card photo store, the police photo check or counter photos, exported
    /// by the host. Absent: no authoritative portraits — real name falls back to the
    /// client's card image and every enrollment goes to staff review.
    pub reference_portraits_dir: Option<PathBuf>,
}

/// Face liveness settings (`[liveness]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LivenessSettings {
    /// Actions the server may ask for (must include `shake_head` or `nod`); empty: all four.
    pub actions: Vec<certify_core::liveness::Action>,
    /// Whether a pensioner may ask for silent mode (no actions; seed 003 FAQ 5). Needs an
    /// anti-spoof model.
    pub allow_silent: bool,
    /// Directory with the MiniFASNet anti-spoof models (not on a registry: the operator
    /// supplies them). Absent: no passive anti-spoof.
    pub antispoof_dir: Option<PathBuf>,
    /// A shipped anti-spoof model instead (`human_antispoof` or `human_liveness`; off by
    /// default: the README's measurements say why).
    pub antispoof_model: Option<String>,
    /// Anti-spoof threshold override (probability of a real face).
    pub antispoof_threshold: Option<f32>,
    /// Open liveness sessions one account may hold; starting another ends the oldest.
    pub max_open_sessions_per_account: usize,
}

impl LivenessSettings {
    /// The anti-spoof model to load, if any (MiniFASNet from `antispoof_dir` first).
    pub fn antispoof_kind(&self) -> Result<Option<certify_face::antispoof::AntispoofKind>, String> {
        use certify_face::antispoof::AntispoofKind;
        if let Some(d) = &self.antispoof_dir {
            return Ok(Some(AntispoofKind::MiniFasNet(d.clone())));
        }
        match self.antispoof_model.as_deref() {
            None => Ok(None),
            Some(name) => AntispoofKind::shipped(name)
                .map(Some)
                .ok_or_else(|| format!("liveness.antispoof_model {name:?} is human_antispoof or human_liveness")),
        }
    }
}

impl Default for LivenessSettings {
    fn default() -> Self {
        Self {
            actions: Vec::new(),
            allow_silent: false,
            antispoof_dir: None,
            antispoof_model: None,
            antispoof_threshold: None,
            max_open_sessions_per_account: 2,
        }
    }
}

/// The region and scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Display name.
    pub name: String,
    /// GB/T 2260 code.
    pub region_code: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Cycle policy (`kind = "natural_year" | "yearly_window" | "window" | "rolling"`).
    pub cycle: CyclePolicy,
    /// What a deadline run does by itself (`[region.run]`, e.g.
    /// `max_automatic_back_pay_months = 12`).
    #[serde(default)]
    pub run: certify_core::deadline::RunRules,
    /// The office a pensioner is sent to (the counter, home visits), named with its phone
    /// in every refusal that sends them there (seed 003 lists 联系电话 in its notice).
    #[serde(default)]
    pub office: Option<Office>,
}

/// Engine configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Engines {
    /// Directory with the ONNX models.
    pub models_dir: PathBuf,
    /// `libonnxruntime.so` (absent: `ORT_DYLIB_PATH`, then `.deps/onnxruntime`).
    #[serde(default)]
    pub runtime_library: Option<PathBuf>,
    /// Face match threshold override (absent: the calibrated default).
    #[serde(default)]
    pub face_match_threshold: Option<f32>,
    /// Threshold override for a live face against an authoritative reference portrait
    /// (absent: the calibrated default, 0.50). Calibrate it on the province's own portrait
    /// store with `--example face_calibrate` before changing it.
    #[serde(default)]
    pub portrait_match_threshold: Option<f32>,
}

/// A social-security office (`[region.office]`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    /// Its name, as pensioners know it.
    pub name: String,
    /// Its public phone (never a person's own number).
    pub phone: String,
}

/// Keys (hex). Generate fresh ones for production; the demo file's keys are public.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    /// 32-byte HMAC key for SMS codes, 64 hex digits.
    pub sms_key_hex: String,
    /// Ed25519 public keys (64 hex digits each) whose signed evidence is accepted: the
    /// provincial app's attested device keys. Empty: client-signed evidence is refused and
    /// only server-side liveness and voice certify.
    #[serde(default)]
    pub trusted_device_keys_hex: Vec<String>,
}

/// A staff account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffAccount {
    /// Login name.
    pub staff_id: String,
    /// Display name.
    pub name: String,
    /// `reviewer` (manual review) or `admin` (everything).
    pub role: String,
    /// Initial password.
    pub password: String,
}

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    path: String,
    message: String,
}

impl Config {
    /// Read and check a configuration file; relative paths are taken from its directory's
    /// parent project when they do not exist as given.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let config: Config = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        config.region.cycle.validate().map_err(|e| err(e.to_string()))?;
        if certify_core::region::lookup(&config.region.region_code).is_none() {
            return Err(err(format!(
                "region_code {:?} is not a GB/T 2260 code",
                config.region.region_code
            )));
        }
        config.sms_key().map_err(err)?;
        config.trusted_device_keys().map_err(err)?;
        if !config.liveness.actions.is_empty() && !config.liveness.actions.iter().any(|a| a.moves_head()) {
            return Err(err("liveness.actions must include shake_head or nod".to_owned()));
        }
        config.liveness.antispoof_kind().map_err(err)?;
        if config.liveness.allow_silent && config.liveness.antispoof_kind().ok().flatten().is_none() {
            return Err(err(
                "liveness.allow_silent needs an anti-spoof model (antispoof_dir or antispoof_model)".to_owned(),
            ));
        }
        for s in &config.staff {
            if s.role != "reviewer" && s.role != "admin" {
                return Err(err(format!("staff {:?}: role is reviewer or admin", s.staff_id)));
            }
        }
        Ok(config)
    }

    /// The SMS key.
    pub fn sms_key(&self) -> Result<[u8; 32], String> {
        hex32(&self.keys.sms_key_hex).ok_or_else(|| "keys.sms_key_hex is 64 hexadecimal digits".to_owned())
    }

    /// The trusted device keys.
    pub fn trusted_device_keys(&self) -> Result<Vec<[u8; 32]>, String> {
        self.keys
            .trusted_device_keys_hex
            .iter()
            .map(|k| hex32(k).ok_or_else(|| "keys.trusted_device_keys_hex holds 64-hex-digit keys".to_owned()))
            .collect()
    }
}

fn hex32(t: &str) -> Option<[u8; 32]> {
    if t.len() != 64 || !t.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}
