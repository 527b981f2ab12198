//===- SelectStrategy.cpp - Choose each dispatch group's CPU strategy -----===//
//
// The choice is a function of the root op's shapes and of the target model,
// written as a #cnnc.lowering_config on the root so that
// cnnc-cpu-apply-strategy (and a reader of the IR) sees it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/DirectConvKernel.h"
#include "compiler/Codegen/CPU/TargetModel.h"
#include "compiler/Codegen/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "llvm/Support/MemoryBuffer.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPUSELECTSTRATEGY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

SmallVector<int64_t> divisors(int64_t n) {
  SmallVector<int64_t> result;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0)
      result.push_back(d);
  return result;
}

/// The direct convolution's tiles for an NCHW convolution with static shapes.
///
/// A register tile is F output channels x R output rows x W output columns;
/// each row of W columns is a few vector registers (rowChunks). Per input
/// channel and filter tap the kernel loads R row vectors of input and F
/// filter values, and issues F x R x ceil(W / lanes) fused multiply-adds.
/// The choice keeps the accumulators and the loaded rows within the vector
/// registers, and among those takes the tile with the fewest loads per
/// multiply-add (1/F + 1/(R x vectors per row)).
LoweringConfigAttr selectDirectConv(linalg::Conv2DNchwFchwOp conv,
                                    const cnnc::CpuTargetModel &target) {
  auto outType = cast<RankedTensorType>(conv.getResult(0).getType());
  auto inType = cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  if (!outType.hasStaticShape() || !inType.hasStaticShape() ||
      !filterType.hasStaticShape() || !outType.getElementType().isF32())
    return nullptr;
  ArrayRef<int64_t> out = outType.getShape();
  int64_t lanes = target.f32Lanes();
  int64_t strideW = conv.getStrides().getValues<int64_t>()[1];

  // Columns: the whole row when it fits in four registers, else the divisor
  // of the width that wastes the fewest lanes (and is largest).
  int64_t width = out[3];
  if (width > 4 * lanes) {
    int64_t best = 1;
    double bestUse = 0;
    for (int64_t d : divisors(out[3])) {
      if (d > 4 * lanes)
        break;
      double use = double(d) / double(llvm::divideCeil(d, lanes) * lanes);
      if (use >= bestUse) {
        best = d;
        bestUse = use;
      }
    }
    width = best;
  }
  int64_t vectorsPerRow = cnnc::rowChunks(width, lanes).size();
  // The kernel loads one input vector at a time (a strided one spans
  // stride vectors).
  int64_t loadVectors = strideW;

  int64_t bestF = 1, bestR = 1;
  double bestCost = 1e9;
  for (int64_t f : divisors(out[1]))
    for (int64_t r : divisors(out[2])) {
      int64_t accumulators = f * r * vectorsPerRow;
      // The accumulators, one input row being loaded, one broadcast filter
      // value.
      if (accumulators + loadVectors + 1 > int64_t(target.vectorRegisters))
        continue;
      double cost = 1.0 / double(f) + 1.0 / double(r * vectorsPerRow);
      if (cost < bestCost - 1e-9) {
        bestCost = cost;
        bestF = f;
        bestR = r;
      }
    }

  // Cache tile: all output channels, and as many register-tile rows as keep
  // the input rows they read within half of L2 (the filters and the output
  // share the rest).
  int64_t channels = inType.getDimSize(1), inWidth = inType.getDimSize(3);
  int64_t strideH = conv.getStrides().getValues<int64_t>()[0];
  int64_t dilationH = conv.getDilations().getValues<int64_t>()[0];
  int64_t kernelH = filterType.getDimSize(2);
  int64_t rows = bestR;
  for (int64_t r : divisors(out[2])) {
    if (r % bestR != 0)
      continue;
    int64_t inputRows = (r - 1) * strideH + (kernelH - 1) * dilationH + 1;
    if (channels * inputRows * inWidth * 4 > int64_t(target.l2Bytes / 2))
      break;
    rows = r;
  }
  MLIRContext *context = conv.getContext();
  return LoweringConfigAttr::get(context, Kernel::DirectConv,
                                 {1, out[1], rows, out[3]},
                                 {1, bestF, bestR, width},
                                 // Rows outside channels: the input rows a
                                 // cache tile reads stay hot across its
                                 // channel blocks.
                                 {0, 2, 1, 3}, lanes);
}

/// `LAYER = #cnnc.lowering_config<...>` lines; `//` starts a comment.
FailureOr<llvm::StringMap<LoweringConfigAttr>>
readStrategyFile(StringRef path, MLIRContext *context, Location loc) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    emitError(loc) << "cannot read the strategy file " << path << ": "
                   << buffer.getError().message();
    return failure();
  }
  llvm::StringMap<LoweringConfigAttr> configs;
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (auto [number, line] : llvm::enumerate(lines)) {
    StringRef text = line.split("//").first.trim();
    if (text.empty())
      continue;
    auto [layer, value] = text.split('=');
    layer = layer.trim();
    Attribute attr = layer.empty() ? Attribute()
                                   : parseAttribute(value.trim(), context);
    auto config = dyn_cast_or_null<LoweringConfigAttr>(attr);
    if (!config) {
      emitError(loc) << path << ":" << number + 1
                     << ": expected 'LAYER = #cnnc.lowering_config<...>'";
      return failure();
    }
    configs[layer] = config;
  }
  return configs;
}

struct CnncCpuSelectStrategyPass
    : cnnc::impl::CnncCpuSelectStrategyBase<CnncCpuSelectStrategyPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<cnnc::CpuTargetModel> model = cnnc::CpuTargetModel::named(target);
    if (!model) {
      module.emitError() << "unknown CPU target '" << target
                         << "'; expected host, avx512, avx2 or sse";
      return signalPassFailure();
    }
    llvm::StringMap<LoweringConfigAttr> overrides;
    if (!strategyFile.empty()) {
      auto read = readStrategyFile(strategyFile, &getContext(), module.getLoc());
      if (failed(read))
        return signalPassFailure();
      overrides = std::move(*read);
    }

    // An override is verified with the module, as any config is.
    module.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(CnncDialect::kLoweringConfigAttrName))
        return;
      LoweringConfigAttr config;
      auto found = overrides.find(cnnc::layerNameOf(op->getLoc()));
      if (found != overrides.end() && op.getNumReductionLoops() > 0)
        config = found->second;
      else if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation()))
        config = selectDirectConv(conv, *model);
      if (config)
        op->setAttr(CnncDialect::kLoweringConfigAttrName, config);
    });
  }
};

} // namespace
