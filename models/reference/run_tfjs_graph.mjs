// Run a TFJS graph model on inputs from a float32 file with the pure-JavaScript CPU backend
// of npm @tensorflow/tfjs (no native binary), writing the outputs as float32: the reference
// the converted ONNX model is checked against (check_tfjs_equiv.py).
//   node run_tfjs_graph.mjs model.json inputs.f32 N,H,W,C outputs.f32
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';

const [modelPath, inPath, shapeText, outPath] = process.argv.slice(2);
const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
const dir = path.dirname(modelPath);
const specs = json.weightsManifest.flatMap((g) => g.weights);
const bins = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
const buf = Buffer.concat(bins);
const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
await tf.setBackend('cpu');
const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
const shape = shapeText.split(',').map(Number);
const raw = fs.readFileSync(inPath);
const input = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), shape);
const out = model.predict(input);
fs.writeFileSync(outPath, Buffer.from((await out.data()).buffer));
console.log(`tfjs ${tf.version.tfjs} backend ${tf.getBackend()}: output ${out.shape}`);
