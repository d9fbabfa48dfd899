//! The shipped configuration files load; broken ones are refused with the reason.
#![allow(missing_docs, clippy::unwrap_used)]

use certify_server::Config;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config")
}

#[test]
fn shipped_configurations_load() {
    let pucheng = Config::load(&dir().join("demo.toml")).unwrap();
    assert_eq!(pucheng.region.region_code, "610526");
    assert!(pucheng.seed_demo_roster && pucheng.database_url.starts_with("sqlite:"));
    let im = Config::load(&dir().join("inner-mongolia.toml")).unwrap();
    assert_eq!(im.region.cycle, certify_core::cycle::CyclePolicy::inner_mongolia());
}

#[test]
fn broken_configurations_are_refused_with_the_reason() {
    let good = std::fs::read_to_string(dir().join("demo.toml")).unwrap();
    let tmp = std::env::temp_dir().join(format!("certify-config-{}.toml", std::process::id()));
    for (from, to, reason) in [
        ("region_code = \"610526\"", "region_code = \"999999\"", "GB/T 2260"),
        ("sms_key_hex = \"5f3a", "sms_key_hex = \"zz3a", "64 hexadecimal"),
        ("role = \"reviewer\"", "role = \"janitor\"", "reviewer or admin"),
        ("opens = \"06-03\"", "opens = \"08-03\"", ""),
        ("suspend_from_month = 8", "suspend_from_month = 13", ""),
        ("listen =", "lisen =", "unknown field"),
    ] {
        std::fs::write(&tmp, good.replace(from, to)).unwrap();
        let err = Config::load(&tmp).expect_err(to).to_string();
        assert!(err.contains(reason), "{to}: {err}");
    }
    // Liveness settings: a head movement must be allowed; silent mode needs anti-spoof.
    for (section, reason) in [
        ("actions = [\"blink\", \"open_mouth\"]", "shake_head or nod"),
        ("allow_silent = true", "needs an anti-spoof model"),
        ("antispoof_model = \"magic\"", "human_antispoof or human_liveness"),
        ("max_sessions = 3", "unknown field"),
    ] {
        std::fs::write(&tmp, format!("{good}\n[liveness]\n{section}\n")).unwrap();
        let err = Config::load(&tmp).expect_err(section).to_string();
        assert!(err.contains(reason), "{section}: {err}");
    }
    std::fs::write(
        &tmp,
        format!("{good}\n[liveness]\nactions = [\"nod\", \"blink\"]\nallow_silent = true\nantispoof_model = \"human_antispoof\"\n"),
    )
    .unwrap();
    let ok = Config::load(&tmp).unwrap();
    assert!(ok.liveness.allow_silent && ok.liveness.antispoof_kind().unwrap().is_some());
    let _ = std::fs::remove_file(tmp);
}
