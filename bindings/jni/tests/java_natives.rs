//! `java/cn/certify/Natives.java` is generated from the JNI exports of `src/lib.rs`: one
//! `static native` declaration per `Java_cn_certify_Natives_*` function, its Java types read
//! from the Rust parameter types, its Javadoc from the Rust doc comment, `throws
//! CertifyException` unless the doc says "Never throws". The Java side is never written by
//! hand, so it cannot drift from the library. This test fails when the committed file differs;
//! `CERTIFY_BLESS=1 cargo test -p certify-jni --test java_natives` rewrites it.
#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

const PREFIX: &str = "pub extern \"system\" fn Java_cn_certify_Natives_";

/// One JNI export as Java sees it.
#[derive(Debug, PartialEq)]
struct Native {
    name: String,
    doc: Vec<String>,
    params: Vec<(String, String)>,
    returns: String,
    throws: bool,
}

/// The Java type of a JNI parameter or return type of `src/lib.rs`.
fn java_type(rust: &str) -> &'static str {
    match rust.split('<').next().unwrap_or(rust).trim() {
        "JString" => "String",
        "JByteArray" => "byte[]",
        "JFloatArray" => "float[]",
        "JIntArray" => "int[]",
        "JStringArray" => "String[]",
        "JByteArrays" => "byte[][]",
        "jint" => "int",
        "jlong" => "long",
        "jfloat" => "float",
        "jboolean" => "boolean",
        "" => "void",
        other => panic!("no Java type for the JNI type `{other}`: add it to java_type"),
    }
}

/// `now_unix` → `nowUnix`.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Rust doc text as Javadoc: `code` → {@code code}, and `*/` cannot end the comment early.
fn javadoc(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.replace("*/", "*&#47;").split('`').enumerate() {
        if i % 2 == 1 {
            out += &format!("{{@code {part}}}");
        } else {
            out += part;
        }
    }
    out
}

/// Every `Java_cn_certify_Natives_*` export of the source, in source order.
fn natives(source: &str) -> Vec<Native> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix(PREFIX) else {
            continue;
        };
        let name = rest.split('<').next().unwrap_or(rest).to_owned();
        let mut doc = Vec::new();
        let mut up = at;
        while up > 0 && (lines[up - 1].starts_with("#[") || lines[up - 1].starts_with("///")) {
            up -= 1;
            if let Some(text) = lines[up].strip_prefix("///") {
                doc.insert(0, text.trim().to_owned());
            }
        }
        assert!(
            !doc.is_empty(),
            "{name} has no doc comment: it becomes the Java declaration's Javadoc"
        );
        let mut params = Vec::new();
        let mut returns = String::new();
        for l in &lines[at + 1..] {
            let l = l.trim();
            if let Some(ret) = l.strip_prefix(") -> ") {
                returns = ret.trim_end_matches(" {").to_owned();
                break;
            }
            if l == ") {" {
                break;
            }
            let (param, ty) = l
                .trim_end_matches(',')
                .split_once(": ")
                .expect("one parameter per line (rustfmt)");
            if matches!(ty, "EnvUnowned<'l>" | "JClass<'l>") {
                continue;
            }
            params.push((camel(param.trim_start_matches('_')), java_type(ty).to_owned()));
        }
        let throws = !doc.join(" ").contains("Never throws");
        found.push(Native {
            name,
            doc,
            params,
            returns: java_type(&returns).to_owned(),
            throws,
        });
    }
    found
}

/// The engine calls generated from `certify_bridge::engine_calls!` (not in the source
/// text), as natives: `<receiver><Name>(long handle, …)` (`evidence_signer` → `evidenceSigner…`).
fn engine_calls() -> Vec<Native> {
    certify_jni::JAVA_ENGINE_CALLS
        .iter()
        .map(|(engine, name, docs, args, ret)| {
            let upper = camel(&format!("_{name}"));
            let kind = |k: &str| match k {
                "bytes" | "opt_bytes" => "byte[]",
                "json" | "str" => "String",
                "bool" => "boolean",
                "i32" => "int",
                "i64" | "time" => "long",
                "template" | "opt_template" => "float[]",
                "comparison" => "FaceComparison",
                "step" | "decision" => "String",
                other => panic!("no Java type for the kind `{other}`: add it to engine_calls"),
            };
            // A liveness session's calls take the session's handle, the others the engine's.
            let receiver = if matches!(*ret, "step" | "decision") {
                "session"
            } else {
                "handle"
            };
            let mut params = vec![(receiver.to_owned(), "long".to_owned())];
            for (arg, k) in args.iter() {
                if *k == "recordings" {
                    // Recordings are two Java arguments (see the emitter in src/engine_calls.rs).
                    params.push(("wavs".to_owned(), "byte[][]".to_owned()));
                    params.push(("prompts".to_owned(), "String[]".to_owned()));
                } else if *k == "frame" {
                    // A camera frame is six Java arguments (see the emitter in src/engine_calls.rs).
                    for (name, ty) in [
                        ("data", "byte[]"),
                        ("width", "int"),
                        ("height", "int"),
                        ("stride", "int"),
                        ("format", "String"),
                        ("rotation", "int"),
                    ] {
                        params.push((name.to_owned(), ty.to_owned()));
                    }
                } else {
                    params.push((camel(arg), kind(k).to_owned()));
                }
            }
            if *ret == "step" {
                // A frame's time follows the frame (see the emitter in src/engine_calls.rs).
                params.push(("elapsedMs".to_owned(), "int".to_owned()));
            }
            Native {
                name: format!("{}{upper}", camel(engine)),
                doc: docs
                    .iter()
                    .flat_map(|d| d.split('\n'))
                    .map(|l| l.trim().to_owned())
                    .collect(),
                params,
                returns: kind(ret).to_owned(),
                throws: true,
            }
        })
        .collect()
}

/// The whole Java file.
fn render(natives: &[Native]) -> String {
    let mut java = String::from(
        "// Generated from bindings/jni/src/lib.rs by bindings/jni/tests/java_natives.rs: do not edit.\n\
         // `CERTIFY_BLESS=1 cargo test -p certify-jni --test java_natives` rewrites it.\n\
         package cn.certify;\n\n\
         /**\n * The native functions of libcertify_android.so, one per JNI export of bindings/jni. The\n\
         \x20* public API (Certify, FaceEngine, LivenessSession, VoiceEngine, EvidenceSigner,\n\
         \x20* EvidenceVerifier) calls these. The library is loaded on first use: the system property\n\
         \x20* certify.library names another one.\n */\n\
         final class Natives {\n    \
         static { NativeLoader.load(System.getProperty(\"certify.library\", \"certify_android\")); }\n\n    \
         private Natives() {}\n",
    );
    for n in natives {
        java += "\n    /**\n";
        for line in &n.doc {
            java += &if line.is_empty() {
                "     *\n".to_owned()
            } else {
                format!("     * {}\n", javadoc(line))
            };
        }
        java += "     */\n";
        let params: Vec<String> = n.params.iter().map(|(name, ty)| format!("{ty} {name}")).collect();
        let throws = if n.throws { " throws CertifyException" } else { "" };
        java += &format!(
            "    static native {} {}({}){throws};\n",
            n.returns,
            n.name,
            params.join(", ")
        );
    }
    java += "}\n";
    java
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> String {
    let source = std::fs::read_to_string(crate_dir().join("src/lib.rs")).expect("read src/lib.rs");
    let mut all = natives(&source);
    all.extend(engine_calls());
    render(&all)
}

#[test]
fn the_committed_java_declarations_are_the_generated_ones() {
    let path: &Path = &crate_dir().join("java/cn/certify/Natives.java");
    let java = generated();
    if std::env::var_os("CERTIFY_BLESS").is_some() {
        std::fs::write(path, &java).expect("write Natives.java");
    }
    let committed = std::fs::read_to_string(path).expect("Natives.java is committed");
    assert!(
        committed == java,
        "bindings/jni/java/cn/certify/Natives.java is stale: run \
         `CERTIFY_BLESS=1 cargo test -p certify-jni --test java_natives` and commit it"
    );
}

#[test]
fn every_export_is_declared_with_its_java_types() {
    let source = std::fs::read_to_string(crate_dir().join("src/lib.rs")).expect("read src/lib.rs");
    let found = natives(&source);
    assert_eq!(found.len(), source.matches(PREFIX).count(), "every export is read");
    assert!(
        !source.contains("fn Java_cn_certify_Certify_"),
        "exports belong to cn.certify.Natives"
    );
    let mut all = found;
    all.extend(engine_calls());
    let java = render(&all);
    for line in [
        "static native String faceReviewEnrollment(long handle, byte[] cardFront, byte[] cardBack, byte[] selfie, \
         byte[] reference) throws CertifyException;",
        "static native float[] faceTemplate(long handle, byte[] image) throws CertifyException;",
        "static native String idCheck(String input) throws CertifyException;",
        "static native String statusMessage(int code);",
        "static native void faceEngineFree(long handle);",
        "static native long voiceEngineNewFromFiles(String[] names, byte[][] files, String lib) throws CertifyException;",
        "static native String livenessPushFrame(long session, byte[] image, int elapsedMs) throws CertifyException;",
    ] {
        assert!(java.contains(line), "missing: {line}");
    }
}

#[test]
fn the_reader_maps_types_and_names_and_refuses_unknown_types() {
    let source = "/// Doc with `code`.\n#[unsafe(no_mangle)]\n\
                  pub extern \"system\" fn Java_cn_certify_Natives_demo<'l>(\n    mut unowned: EnvUnowned<'l>,\n    \
                  _class: JClass<'l>,\n    now_unix: jlong,\n    wavs: JByteArrays<'l>,\n) -> JFloatArray<'l> {\n}\n";
    let found = natives(source);
    assert_eq!(
        found,
        vec![Native {
            name: "demo".into(),
            doc: vec!["Doc with `code`.".into()],
            params: vec![("nowUnix".into(), "long".into()), ("wavs".into(), "byte[][]".into())],
            returns: "float[]".into(),
            throws: true,
        }]
    );
    assert!(render(&found).contains("     * Doc with {@code code}.\n"));
    let unknown = std::panic::catch_unwind(|| java_type("JObject<'l>"));
    assert!(unknown.is_err(), "an unmapped JNI type stops the generator");
}
