//! `certify-server [config.toml]`: serve the reference server (default config:
//! `examples/reference-server/config/demo.toml`). Logs go to standard error
//! (`CERTIFY_LOG=debug` for more); they carry route templates and request ids, never
//! identity numbers, names, codes or images.

fn main() {
    let level = match std::env::var("CERTIFY_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("warn") => tracing::Level::WARN,
        Ok("error") => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/reference-server/config/demo.toml".to_owned());
    let config = match certify_server::Config::load(std::path::Path::new(&path)) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("certify-server: {e}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("certify-server: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(certify_server::serve(config)) {
        eprintln!("certify-server: {e}");
        std::process::exit(1);
    }
}
