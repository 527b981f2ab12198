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
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "llvm/Support/MemoryBuffer.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPUSELECTSTRATEGY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

/// Cache tiles a layer is cut into at least, where it has that many register
/// tiles: the threads of the context share them out (8 keeps 2 to 8 threads
/// busy with an even share).
constexpr int64_t kMinCacheTiles = 8;

/// Below this many multiply-adds (or window steps) a layer stays one cache
/// tile: waking the threads costs more than they would save.
constexpr int64_t kMinParallelWork = 1 << 20;

/// From this many weights on, a dense layer is cut for the threads whatever
/// its multiply-adds: at batch 1 it reads a weight from memory per
/// multiply-add, and each core streams its share of them (ResNet-18's
/// 512 x 1000: 0.15 ms on one thread).
constexpr int64_t kMinParallelWeights = 1 << 18;

/// Vectors of output channels in a packed_conv register tile at most.
constexpr int64_t kMaxChannelBlocks = 4;

/// Accumulators that cover the multiply-add latency of both ports (four
/// cycles, two a cycle): a register tile with no more has no slack.
constexpr int64_t kLatencyHidingAccumulators = 8;

/// The cache tiles to cut a root into: kMinCacheTiles, or 1 for small work.
int64_t tilesFor(linalg::LinalgOp op) {
  int64_t work = 1;
  for (int64_t size : op.getStaticLoopRanges())
    work *= size;
  return work < kMinParallelWork ? 1 : kMinCacheTiles;
}

SmallVector<int64_t> divisors(int64_t n) {
  SmallVector<int64_t> result;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0)
      result.push_back(d);
  return result;
}

/// Columns of a register tile of rows: the whole row when it fits in four
/// vector registers, else the divisor of the width that wastes the fewest
/// lanes (and is largest).
int64_t tileWidth(int64_t width, int64_t lanes) {
  if (width <= 4 * lanes)
    return width;
  int64_t best = 1;
  double bestUse = 0;
  for (int64_t d : divisors(width)) {
    if (d > 4 * lanes)
      break;
    double use = double(d) / double(llvm::divideCeil(d, lanes) * lanes);
    if (use >= bestUse) {
      best = d;
      bestUse = use;
    }
  }
  return best;
}

/// The largest divisor of `size` that is a multiple of `multiple` and cuts
/// `size` into at least `pieces` (the multiple itself when none does).
int64_t splitFor(int64_t size, int64_t multiple, int64_t pieces) {
  SmallVector<int64_t> candidates = divisors(size);
  for (int64_t d : llvm::reverse(candidates))
    if (d % multiple == 0 && size / d >= pieces)
      return d;
  return multiple;
}

/// Pooling over NCHW rows: a register tile of a few channels of one row
/// (windows of neighbouring outputs share no work the kernel could keep),
/// the cache tiles cut along the channels for the threads.
LoweringConfigAttr selectDirectPool(linalg::LinalgOp pool,
                                    const cnnc::CpuTargetModel &target) {
  auto outType = cast<RankedTensorType>(pool.getDpsInits()[0].getType());
  if (!outType.hasStaticShape() || !outType.getElementType().isF32() ||
      llvm::any_of(pool.getDpsInputs(), [](Value v) {
        return !cast<RankedTensorType>(v.getType()).hasStaticShape();
      }))
    return nullptr;
  ArrayRef<int64_t> out = outType.getShape();
  int64_t lanes = target.f32Lanes();
  int64_t width = tileWidth(out[3], lanes);
  int64_t vectors = cnnc::rowChunks(width, lanes).size();
  int64_t channels = 1;
  for (int64_t c : divisors(out[1]))
    if (c * vectors + 2 <= int64_t(target.vectorRegisters) / 2)
      channels = c;
  int64_t cacheChannels = splitFor(out[1], channels, tilesFor(pool));
  return LoweringConfigAttr::get(pool.getContext(), Kernel::DirectPool,
                                 {1, cacheChannels, out[2], out[3]},
                                 {1, channels, 1, width}, {}, lanes);
}

/// From this many elements on, a group of element-wise ops alone is cut for
/// the threads. Below, waking them costs more than they save: DenseNet's
/// batch norm and ReLU before each 1x1 convolution took 0.062 ms on one
/// thread and 0.074 on two at 192 x 56 x 56, 0.025 against 0.045 at
/// 1024 x 14 x 14.
constexpr int64_t kMinParallelElements = 1 << 21;

/// An element-wise op over NCHW that is its group's only linalg op (a batch
/// norm and activation that no root takes as its epilogue): its register
/// tile is one row of one channel in vectors, its cache tiles cut along the
/// channels; null for anything else.
LoweringConfigAttr selectElementwise(linalg::LinalgOp op,
                                     const cnnc::CpuTargetModel &target) {
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  auto func = op->getParentOfType<func::FuncOp>();
  if (op->getNumResults() != 1 || !linalg::isElementwise(op) || !outType ||
      outType.getRank() != 4 || !outType.hasStaticShape() ||
      !outType.getElementType().isF32() || !op.hasPureTensorSemantics() || !func ||
      llvm::any_of(op->getOperandTypes(),
                   [](Type t) {
                     auto shaped = dyn_cast<ShapedType>(t);
                     return shaped && !shaped.hasStaticShape();
                   }))
    return nullptr;
  int64_t linalgOps = 0;
  func.walk([&](linalg::LinalgOp) { ++linalgOps; });
  if (linalgOps != 1)
    return nullptr;
  ArrayRef<int64_t> out = outType.getShape();
  int64_t lanes = target.f32Lanes();
  int64_t tiles = outType.getNumElements() >= kMinParallelElements ? kMinCacheTiles : 1;
  int64_t cacheChannels = splitFor(out[1], 1, llvm::divideCeil(tiles, out[0]));
  return LoweringConfigAttr::get(op.getContext(), Kernel::Vector,
                                 {1, cacheChannels, out[2], out[3]},
                                 {1, 1, 1, tileWidth(out[3], lanes)}, {}, lanes);
}

/// Whether a convolution's filters outweigh its input (the deep layers).
bool filtersOutweighInput(linalg::Conv2DNchwFchwOp conv) {
  auto size = [](Value value) {
    return cast<RankedTensorType>(value.getType()).getNumElements();
  };
  return size(conv.getInputs()[1]) > size(conv.getInputs()[0]);
}

/// The cache tile [rows, filters] of a convolution's output, in multiples
/// of the register tile's `rowStep` rows and `filterStep` filters, and its
/// loop order. Where the input outweighs the filters: all filters and as
/// many rows as keep the input rows they read within half of L2 (the
/// filters and the output share the rest), rows outside filters; then
/// smaller, rows first, until the layer has tilesFor(conv) of them for the
/// threads to share. Where the filters outweigh the input, the filters are
/// what must stream from memory once: all rows, filters outside rows (a
/// block of filters stays in cache while it sweeps every row), cut along
/// the filters first, so each thread has its own. (VGG-16's 512-channel
/// 28x28 layer took 4x longer with rows outside.)
struct ConvCacheTile {
  int64_t rows, filters;
  SmallVector<int64_t> loopOrder;
};
ConvCacheTile chooseConvCacheTile(linalg::Conv2DNchwFchwOp conv,
                                  const cnnc::CpuTargetModel &target, int64_t rowStep,
                                  int64_t filterStep) {
  bool filtersFirst = filtersOutweighInput(conv);
  auto inType = cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  ArrayRef<int64_t> out = cast<RankedTensorType>(conv.getResult(0).getType()).getShape();
  int64_t channels = inType.getDimSize(1), inWidth = inType.getDimSize(3);
  int64_t strideH = conv.getStrides().getValues<int64_t>()[0];
  int64_t dilationH = conv.getDilations().getValues<int64_t>()[0];
  int64_t kernelH = filterType.getDimSize(2);
  SmallVector<int64_t> rowChoices, filterChoices;
  for (int64_t r : divisors(out[2])) {
    int64_t inputRows = (r - 1) * strideH + (kernelH - 1) * dilationH + 1;
    if (r % rowStep == 0 &&
        (r == rowStep || filtersFirst ||
         channels * inputRows * inWidth * 4 <= int64_t(target.l2Bytes / 2)))
      rowChoices.push_back(r);
  }
  for (int64_t f : divisors(out[1]))
    if (f % filterStep == 0)
      filterChoices.push_back(f);
  int64_t rows = rowChoices.back(), filters = filterChoices.back();
  int64_t minTiles = tilesFor(conv);
  auto cut = [&](ArrayRef<int64_t> choices, int64_t &size) {
    for (int64_t choice : llvm::reverse(choices))
      if ((out[2] / rows) * (out[1] / filters) < minTiles)
        size = choice;
  };
  if (filtersFirst) {
    cut(filterChoices, filters);
    cut(rowChoices, rows);
    return {rows, filters, {0, 1, 2, 3}};
  }
  cut(rowChoices, rows);
  cut(filterChoices, filters);
  // Rows outside filters: the input rows a cache tile reads stay hot
  // across its blocks of filters.
  return {rows, filters, {0, 2, 1, 3}};
}

/// The direct convolution's kernel and tiles for an NCHW convolution with
/// static shapes.
///
/// A register tile is F output channels x R output rows x W output columns.
/// The direct_conv kernel holds each row in a few vector registers
/// (rowChunks); direct_conv_flat holds the R rows of a channel as one line
/// through the input's padding columns, which fills the registers better
/// when rows are narrow. Per input channel and filter tap the kernel loads
/// each vector of input once and F filter values, and issues one
/// multiply-add per filter and vector. The choice keeps the accumulators
/// within the vector registers and takes the tile and kernel with the
/// fewest issue slots per output.
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

  int64_t width = tileWidth(out[3], lanes);
  // Every tile shape and both kernels, costed per output as issue slots:
  // the core issues two multiply-adds and two loads a cycle, so a tap of
  // the kernel takes about max(multiply-adds, loads) / 2 cycles for
  // F x R x W outputs. A multiply-add on a part-filled vector counts whole.
  int64_t inWidth = inType.getDimSize(3);
  int64_t strideH = conv.getStrides().getValues<int64_t>()[0];
  bool flatPossible = strideW == 1 && strideH == 1 && width == out[3];
  Kernel bestKernel = Kernel::DirectConv;
  int64_t bestF = 1, bestR = 1;
  double bestCost = 1e9;
  for (Kernel kernel : {Kernel::DirectConv, Kernel::DirectConvFlat}) {
    if (kernel == Kernel::DirectConvFlat && !flatPossible)
      continue;
    for (int64_t f : divisors(out[1]))
      for (int64_t r : divisors(out[2])) {
        bool flat = kernel == Kernel::DirectConvFlat;
        int64_t lines = flat ? 1 : r;
        int64_t vectors = cnnc::rowChunks(flat ? (r - 1) * inWidth + width : width,
                                          lanes).size();
        int64_t accumulators = f * lines * vectors;
        // The accumulators, the input vector being loaded (a strided row
        // spans stride vectors), one broadcast filter value.
        if (accumulators + strideW + 1 > int64_t(target.vectorRegisters))
          continue;
        // Loads also take L1 bandwidth and issue slots of their own: a
        // quarter of each counts on top.
        double loads = double(lines * vectors * strideW + f);
        double cost = (std::max(double(accumulators), loads) + 0.25 * loads) /
                      double(f * r * width);
        if (cost < bestCost - 1e-9) {
          bestCost = cost;
          bestKernel = kernel;
          bestF = f;
          bestR = r;
        }
      }
  }

  ConvCacheTile tile = chooseConvCacheTile(conv, target, bestR, bestF);
  return LoweringConfigAttr::get(conv.getContext(), bestKernel,
                                 {1, tile.filters, tile.rows, out[3]},
                                 {1, bestF, bestR, width}, tile.loopOrder, lanes);
}

/// The packed convolution's tiles for an NCHW convolution whose filter is
/// an argument of its group (cnnc-pack-conv-filters packs it there), with
/// output channels a multiple of the vector width; null otherwise.
///
/// A register tile is B vectors of output channels x W output columns of
/// one row: per filter tap, B filter loads and W broadcast input values
/// feed B x W multiply-adds. Accumulators are kept to half the vector
/// registers (16 cover the latency of both multiply-add ports; measured on
/// AVX-512, 28 ran slower: the loads of the larger shapes stall; on AVX2,
/// 14 of the 16 registers spill) and B to
/// 4 (each tile ends with B transpositions of V x V, whatever W is); among
/// the shapes with the most accumulators, the widest wins (a filter vector
/// serves more columns). A stride-2 layer whose filters outweigh its input
/// runs each block of filters over all rows, and gives each thread its own
/// filters, so that the filters stream from memory once.
LoweringConfigAttr selectPackedConv(linalg::Conv2DNchwFchwOp conv,
                                    const cnnc::CpuTargetModel &target) {
  auto outType = cast<RankedTensorType>(conv.getResult(0).getType());
  auto inType = cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  int64_t lanes = target.f32Lanes();
  if (!isa<BlockArgument>(conv.getInputs()[1]) || !outType.hasStaticShape() ||
      !inType.hasStaticShape() || !filterType.hasStaticShape() ||
      !outType.getElementType().isF32() || outType.getDimSize(1) % lanes != 0)
    return nullptr;
  ArrayRef<int64_t> out = outType.getShape();
  // Each register tile of one row reads its block of filters whole, where
  // the direct kernels read a filter value once per tile of rows. Where the
  // filters outweigh the input and the stride is 1, the packed kernel is
  // taken only with a tile that has accumulators to spare beyond the
  // multiply-add latency (filter vectors coming from L2 for every row then
  // do not stall it) and a block of filters that L2 holds. (One thread of
  // an AMD EPYC, 1 MiB of L2, against the direct kernels: with AVX-512's 14
  // accumulators, 3x3 on 14x14 104 to 108 GFLOP/s against 87, on 7x7 84
  // against 75 (576 KiB blocks), 1x1 on 14x14 92 to 102 against 45 to 63;
  // VGG-16's 512 channels on 28x28 87 against 101 with 1.1 MiB blocks, 100
  // with 288 KiB; with AVX2's 7 or 8 accumulators, 3x3 on 14x14 62 against
  // 75, on 7x7 42 against 50 to 57. With stride 2 the direct kernels load
  // twice the columns they use, and the packed kernel wins still.)
  bool unitStride = llvm::all_of(conv.getStrides().getValues<int64_t>(),
                                 [](int64_t s) { return s == 1; });
  bool rowsRereadFilters = filtersOutweighInput(conv) && unitStride;
  int64_t filterBytesPerChannel = filterType.getNumElements() / out[1] * 4;
  int64_t maxAccumulators = target.vectorRegisters / 2;
  int64_t bestBlocks = 0, bestWidth = 0;
  for (int64_t blocks : divisors(out[1] / lanes))
    for (int64_t width : divisors(out[3])) {
      int64_t accumulators = blocks * width;
      if (accumulators > maxAccumulators || blocks > kMaxChannelBlocks)
        continue;
      if (rowsRereadFilters &&
          (accumulators <= kLatencyHidingAccumulators ||
           filterBytesPerChannel * blocks * lanes > int64_t(target.l2Bytes)))
        continue;
      int64_t best = bestBlocks * bestWidth;
      if (accumulators > best || (accumulators == best && width > bestWidth)) {
        bestBlocks = blocks;
        bestWidth = width;
      }
    }
  if (bestBlocks == 0)
    return nullptr;
  int64_t filters = bestBlocks * lanes;
  ConvCacheTile tile = chooseConvCacheTile(conv, target, 1, filters);
  return LoweringConfigAttr::get(conv.getContext(), Kernel::PackedConv,
                                 {1, tile.filters, tile.rows, out[3]},
                                 {1, filters, 1, bestWidth}, tile.loopOrder, lanes);
}

/// The dot kernel's tiles for a dense layer with static shapes: at batch 1
/// every weight is read once, so the register tile takes as many weight
/// rows as keep one accumulator each in registers with their loads (and
/// each input vector serves them all); the cache tiles split the weight
/// rows among the threads, where there is work or weights enough.
LoweringConfigAttr selectDot(linalg::LinalgOp op, const cnnc::CpuTargetModel &target) {
  auto outType = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!outType || !outType.hasStaticShape() || !outType.getElementType().isF32() ||
      llvm::any_of(op.getDpsInputs(), [](Value v) {
        return !cast<RankedTensorType>(v.getType()).hasStaticShape();
      }))
    return nullptr;
  int64_t batch = outType.getDimSize(0), outputs = outType.getDimSize(1);
  int64_t rows = 1, columns = 1;
  for (int64_t n : divisors(batch))
    for (int64_t m : divisors(outputs))
      // Accumulators, plus one loaded vector per input and weight row.
      if (n * m + n + m <= int64_t(target.vectorRegisters) && n * m > rows * columns) {
        rows = n;
        columns = m;
      }
  int64_t weights = cast<RankedTensorType>(op.getDpsInputs()[1].getType()).getNumElements();
  int64_t tiles = weights >= kMinParallelWeights ? kMinCacheTiles : tilesFor(op);
  int64_t cacheColumns = splitFor(outputs, columns, llvm::divideCeil(tiles, batch / rows));
  return LoweringConfigAttr::get(op.getContext(), Kernel::Dot, {rows, cacheColumns},
                                 {rows, columns}, {}, target.f32Lanes());
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
      else if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation())) {
        if (packedConv)
          config = selectPackedConv(conv, *model);
        if (!config)
          config = selectDirectConv(conv, *model);
      }
      else if (isDenseLayer(op))
        config = selectDot(op, *model);
      else if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op.getOperation()))
        config = selectDirectPool(op, *model);
      else
        config = selectElementwise(op, *model);
      if (config)
        op->setAttr(CnncDialect::kLoweringConfigAttrName, config);
    });
  }
};

} // namespace
