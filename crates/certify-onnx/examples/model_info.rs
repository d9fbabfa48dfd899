//! Print the inputs and outputs of ONNX models (to write a `ModelSpec`):
//! `cargo run -p certify-onnx --example model_info -- <libonnxruntime.so> <model.onnx>...`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = ort::init_from(&args[0])?.build()?;
    for path in &args[1..] {
        let s = ort::session::Session::builder(&env)?.commit_from_file(path)?;
        println!("{path}");
        for i in s.inputs() {
            println!("  in  {:?} {:?}", i.name(), i.dtype());
        }
        for o in s.outputs() {
            println!("  out {:?} {:?}", o.name(), o.dtype());
        }
    }
    Ok(())
}
