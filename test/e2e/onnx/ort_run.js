#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node, installed in
// node_modules/ at the repository root by scripts/install-onnxruntime.sh).
//
//   node ort_run.js MANIFEST.json
//
// MANIFEST: {"model": "m.onnx", "outdir": "dir",
//            "inputs": [{"name": "x", "file": "x.bin", "shape": [1, 3]}]}
// Inputs are raw little-endian float32. Writes OUTDIR/<k>.bin (float32) for
// the k-th output and OUTDIR/outputs.json: [{"name", "file", "dims"}].
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(manifest.model, {
    intraOpNumThreads: 1,
  });
  const feeds = {};
  for (const input of manifest.inputs) {
    const bytes = fs.readFileSync(input.file);
    const data = new Float32Array(bytes.buffer.slice(
        bytes.byteOffset, bytes.byteOffset + bytes.length));
    feeds[input.name] = new ort.Tensor('float32', data, input.shape);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(manifest.outdir, {recursive: true});
  const outputs = session.outputNames.map((name, k) => {
    const tensor = results[name];
    if (tensor.type !== 'float32')
      throw new Error(`output '${name}' has type ${tensor.type}, not float32`);
    const file = path.join(manifest.outdir, `${k}.bin`);
    fs.writeFileSync(file, Buffer.from(tensor.data.buffer, tensor.data.byteOffset,
                                       tensor.data.byteLength));
    return {name, file, dims: tensor.dims};
  });
  fs.writeFileSync(path.join(manifest.outdir, 'outputs.json'),
                   JSON.stringify(outputs));
}

main().catch((err) => {
  console.error(`ort_run.js: ${err.message}`);
  process.exit(1);
});
