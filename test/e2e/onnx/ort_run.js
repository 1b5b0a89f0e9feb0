#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (npm onnxruntime-node, installed in
// node_modules/ at the repository root by scripts/install-onnxruntime.sh).
//
//   node ort_run.js MANIFEST.json
//
// MANIFEST: {"model": "m.onnx", "outdir": "dir",
//            "inputs": [{"name": "x", "file": "x.bin", "shape": [1, 3]}]}
// Inputs are raw little-endian float32, or int64 where an input says
// "dtype": "int64" (token ids). Writes OUTDIR/<k>.bin (float32) for
// the k-th output and OUTDIR/outputs.json: [{"name", "file", "dims"}].
// Optional keys: "optimization" (ORT's graph optimization level, default
// "all"; sora-check runs "disabled": ORT's optimizer fails on some graphs
// whose intermediate values are outputs), "threads" (intra-op threads,
// default 1) and "bench_runs":
// after the first run and a tenth as many warm-up runs, times that many
// more and writes OUTDIR/bench.json:
// {"median_us", "p10_us", "p90_us", "runs", "threads"} (bench/models_report.py).
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(manifest.model, {
    intraOpNumThreads: manifest.threads || 1,
    graphOptimizationLevel: manifest.optimization || 'all',
  });
  const arrays = {float32: Float32Array, int64: BigInt64Array};
  const feeds = {};
  for (const input of manifest.inputs) {
    const dtype = input.dtype || 'float32';
    const bytes = fs.readFileSync(input.file);
    const data = new arrays[dtype](bytes.buffer.slice(
        bytes.byteOffset, bytes.byteOffset + bytes.length));
    feeds[input.name] = new ort.Tensor(dtype, data, input.shape);
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
  if (manifest.bench_runs)
    fs.writeFileSync(path.join(manifest.outdir, 'bench.json'),
                     JSON.stringify(await bench(session, feeds, manifest)));
}

/// Median and 10th/90th percentiles of `bench_runs` timed runs, in µs.
async function bench(session, feeds, manifest) {
  for (let i = 0; i < Math.floor(manifest.bench_runs / 10); ++i)
    await session.run(feeds);
  const times = [];
  for (let i = 0; i < manifest.bench_runs; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return {median_us: at(0.5), p10_us: at(0.1), p90_us: at(0.9),
          runs: times.length, threads: manifest.threads || 1};
}

main().catch((err) => {
  console.error(`ort_run.js: ${err.message}`);
  process.exit(1);
});
