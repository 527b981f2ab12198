// Times an ONNX model in ONNX Runtime (the CPU build of onnxruntime-node):
//   node bench/ort_time.js MODEL.onnx THREADS RUNS C,H,W,... BATCH
// prints "latency_ms median=M min=A max=B runs=N" as a cnnc executable does.
const ort = require('onnxruntime-node');

async function main() {
  const [model, threads, runs, shape] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential'});
  const dims = shape.split(',').map(Number);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; ++i) data[i] = Math.sin(i) * 0.5;
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, dims)};
  for (let i = 0; i < 3; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(runs); ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  console.log(`latency_ms median=${median} min=${times[0]} max=${times[times.length - 1]} ` +
              `runs=${times.length}`);
}
main().catch((error) => { console.error(error.message); process.exit(1); });
