//! `include/certify.h` is what this crate generates: the pinned cbindgen over `bindings/c`'s
//! exported items (run by the build script), with the status enum written from the one
//! status table (`certify_bridge::CertifyStatus`, a macro cbindgen cannot expand). The test
//! fails when the committed header differs;
//! `CERTIFY_BLESS=1 cargo test -p certify-c-header` rewrites it.

use certify_bridge::CertifyStatus;

/// `IdBadCheckDigit` → `ID_BAD_CHECK_DIGIT` (cbindgen's ScreamingSnakeCase).
fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The status enum in the shape cbindgen gives a `#[repr(u32)]` enum.
fn status_enum() -> String {
    let mut s = String::from(
        "// Result of every call: 0 is success; numbers are grouped by area and never reused.\n\
         // The English text of each code is beside it; `certify_status_message_zh` gives the\n\
         // Chinese one.\n\
         enum CertifyStatus\n\
         #if defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n  : uint32_t\n\
         #endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n {\n",
    );
    for status in CertifyStatus::ALL {
        let english = status.english();
        s += &format!(
            "  // {}{}.\n  CERTIFY_STATUS_{} = {},\n",
            english[..1].to_ascii_uppercase(),
            &english[1..],
            screaming_snake(status.name()),
            *status as u32
        );
    }
    s += "};\n#ifndef __cplusplus\n#if __STDC_VERSION__ >= 202311L\n\
          typedef enum CertifyStatus CertifyStatus;\n#else\ntypedef uint32_t CertifyStatus;\n\
          #endif // __STDC_VERSION__ >= 202311L\n#endif // __cplusplus\n\n";
    s
}

/// The declarations of one engine's calls generated from `certify_bridge::engine_calls!`
/// (cbindgen does not expand macros), in cbindgen's style: doc lines as `//` comments, one
/// parameter per line aligned after the parenthesis.
fn engine_calls(engine: &str) -> String {
    let mut s = String::new();
    for (_, name, docs, params) in certify::ENGINE_CALL_DECLARATIONS.iter().filter(|d| d.0 == engine) {
        for line in docs.iter().flat_map(|d| d.split('\n')) {
            let line = line.strip_prefix(' ').unwrap_or(line).trim_end();
            s += if line.is_empty() {
                "//\n".to_owned()
            } else {
                format!("// {line}\n")
            }
            .as_str();
        }
        let open = format!("CertifyStatus {name}(");
        let indent = " ".repeat(open.len());
        s += &open;
        s += &params.split('\n').collect::<Vec<_>>().join(&format!(",\n{indent}"));
        s += ");\n\n";
    }
    s
}

/// The whole header: cbindgen's output with the status enum after the includes and each
/// engine's generated calls after its `_free` function.
pub fn generate() -> String {
    let header = include_str!(concat!(env!("OUT_DIR"), "/cbindgen.h"));
    // The enum goes before the first declaration after the includes.
    let anchor = "#include <stdlib.h>\n\n";
    let at = header.find(anchor).map_or(0, |i| i + anchor.len());
    let mut out = format!("{}{}", &header[..at], status_enum());
    let mut from = at;
    for (engine, free) in [
        ("face", "void certify_face_engine_free(CertifyFaceEngine *engine);\n\n"),
        (
            "liveness",
            "void certify_liveness_free(CertifyLivenessSession *session);\n\n",
        ),
        (
            "voice",
            "void certify_voice_engine_free(CertifyVoiceEngine *engine);\n\n",
        ),
        (
            "evidence_signer",
            "void certify_evidence_signer_free(CertifyEvidenceSigner *signer);\n\n",
        ),
        (
            "evidence_verifier",
            "void certify_evidence_verifier_free(CertifyEvidenceVerifier *verifier);\n\n",
        ),
    ] {
        let after = header.find(free).map_or(header.len(), |i| i + free.len()).max(from);
        out += &header[from..after];
        out += &engine_calls(engine);
        from = after;
    }
    out += &header[from..];
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn the_committed_header_is_the_generated_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../include/certify.h");
        let generated = generate();
        if std::env::var_os("CERTIFY_BLESS").is_some() {
            std::fs::write(&path, &generated).expect("write include/certify.h");
        }
        let committed = std::fs::read_to_string(&path).expect("include/certify.h is committed");
        assert!(
            committed == generated,
            "include/certify.h is stale: run `CERTIFY_BLESS=1 cargo test -p certify-c-header` and commit it"
        );
    }

    #[test]
    fn every_status_is_in_the_header_with_its_number() {
        let header = generate();
        assert!(header.contains("#include <stdlib.h>\n\n// Result of every call"));
        for status in CertifyStatus::ALL {
            let line = format!(
                "CERTIFY_STATUS_{} = {},",
                screaming_snake(status.name()),
                *status as u32
            );
            assert!(header.contains(&line), "{line}");
        }
        assert!(header.contains("const char *certify_status_message_zh(uint32_t status);"));
        // The generated engine calls, each once.
        for (_, name, _, _) in certify::ENGINE_CALL_DECLARATIONS {
            assert_eq!(header.matches(&format!("CertifyStatus {name}(")).count(), 1, "{name}");
        }
        assert!(header.contains(
            "CertifyStatus certify_face_check_photo(const CertifyFaceEngine *engine,\n\
             \x20                                      const uint8_t *image,\n\
             \x20                                      size_t image_len,\n\
             \x20                                      char **out_json);"
        ));
        assert_eq!(screaming_snake("IdBadCheckDigit"), "ID_BAD_CHECK_DIGIT");
    }
}
