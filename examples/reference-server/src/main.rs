//! `certify-server [config.toml]`: serve the reference server (default config:
//! `examples/reference-server/config/demo.toml`).

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/reference-server/config/demo.toml".to_owned());
    let config = match certify_server::Config::load(std::path::Path::new(&path)) {
        Ok(c) => c,
        Err(e) => {
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
