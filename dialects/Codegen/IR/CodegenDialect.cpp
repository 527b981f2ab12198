//===- CodegenDialect.cpp - cnnc's code generation attributes -------------===//

#include "dialects/Codegen/IR/CodegenDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cnnc::codegen;

#include "dialects/Codegen/IR/CodegenDialect.cpp.inc"
#include "dialects/Codegen/IR/CodegenEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Codegen/IR/CodegenAttrs.cpp.inc"

void CnncDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Codegen/IR/CodegenAttrs.cpp.inc"
      >();
}

LogicalResult LoweringConfigAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, Kernel kernel,
    ArrayRef<int64_t> cacheTile, ArrayRef<int64_t> registerTile,
    ArrayRef<int64_t> loopOrder, int64_t vectorSize) {
  if (vectorSize < 1)
    return emitError() << "vector_size must be at least 1";
  if (cacheTile.size() != registerTile.size())
    return emitError() << "cache_tile has " << cacheTile.size()
                       << " sizes but register_tile has " << registerTile.size();
  for (auto [dim, sizes] : llvm::enumerate(llvm::zip(cacheTile, registerTile))) {
    auto [cache, reg] = sizes;
    if (cache < 0 || reg < 0)
      return emitError() << "tile sizes must not be negative (dimension " << dim
                         << ")";
    if (cache != 0 && (reg == 0 || cache % reg != 0))
      return emitError() << "register tile " << reg << " does not divide cache tile "
                         << cache << " of dimension " << dim;
  }
  if (!loopOrder.empty()) {
    SmallVector<int64_t> sorted(loopOrder);
    llvm::sort(sorted);
    if (sorted.size() != cacheTile.size() ||
        llvm::any_of(llvm::enumerate(sorted), [](auto entry) {
          return entry.value() != static_cast<int64_t>(entry.index());
        }))
      return emitError() << "loop_order must be a permutation of the "
                         << cacheTile.size() << " tiled dimensions";
  }
  return success();
}

LogicalResult GpuConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    ArrayRef<int64_t> blockTile,
                                    ArrayRef<int64_t> threadTile) {
  if (blockTile.size() != threadTile.size())
    return emitError() << "block_tile has " << blockTile.size()
                       << " sizes but thread_tile has " << threadTile.size();
  int64_t threads = 1;
  for (auto [dim, sizes] : llvm::enumerate(llvm::zip(blockTile, threadTile))) {
    auto [block, thread] = sizes;
    if (block < 0 || thread < 0)
      return emitError() << "tile sizes must not be negative (dimension " << dim
                         << ")";
    if ((block == 0) != (thread == 0) || (block != 0 && block % thread != 0))
      return emitError() << "thread tile " << thread << " does not divide block tile "
                         << block << " of dimension " << dim;
    if (block != 0)
      threads *= block / thread;
  }
  if (threads > kMaxThreadsPerBlock)
    return emitError() << "a block of " << threads << " threads exceeds the "
                       << kMaxThreadsPerBlock << " a GPU block can have";
  return success();
}

int64_t GpuConfigAttr::getThreadsPerBlock() const {
  int64_t threads = 1;
  for (auto [block, thread] : llvm::zip(getBlockTile(), getThreadTile()))
    if (block != 0)
      threads *= block / thread;
  return threads;
}

bool cnnc::codegen::isDenseLayer(linalg::LinalgOp op) {
  if (op.getNumLoops() != 3 || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getIteratorTypesArray() !=
          SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction})
    return false;
  MLIRContext *context = op.getContext();
  AffineExpr n, m, k;
  bindDims(context, n, m, k);
  return op.getIndexingMapsArray() ==
             SmallVector<AffineMap>{AffineMap::get(3, 0, {n, k}, context),
                                    AffineMap::get(3, 0, {m, k}, context),
                                    AffineMap::get(3, 0, {n, m}, context)} &&
         linalg::isaContractionOpInterface(op);
}

LogicalResult CnncDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (name == kLoweringConfigAttrName) {
    auto config = dyn_cast<LoweringConfigAttr>(attribute.getValue());
    if (!config)
      return op->emitError() << "'" << name << "' must be a #cnnc.lowering_config";
    // On tensors or, after bufferization, on buffers.
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || linalgOp.getNumDpsInits() != 1)
      return op->emitError() << "'" << name
                             << "' belongs on a linalg op with one result";
    auto resultType = cast<ShapedType>(linalgOp.getDpsInits()[0].getType());
    int64_t rank = resultType.getRank();
    if (static_cast<int64_t>(config.getCacheTile().size()) != rank)
      return op->emitError() << "'" << name << "' has "
                             << config.getCacheTile().size()
                             << " tile sizes for a result of rank " << rank;
    Kernel kernel = config.getKernel();
    if ((kernel == Kernel::DirectConv || kernel == Kernel::DirectConvFlat ||
         kernel == Kernel::PackedConv) &&
        !isa<linalg::Conv2DNchwFchwOp>(op))
      return op->emitError() << "the " << stringifyKernel(kernel)
                             << " kernel computes linalg.conv_2d_nchw_fchw only";
    if (kernel == Kernel::DirectPool &&
        !isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op))
      return op->emitError() << "the direct_pool kernel computes "
                                "linalg.pooling_nchw_max and _sum only";
    if (kernel == Kernel::Dot && !isDenseLayer(linalgOp))
      return op->emitError() << "the dot kernel computes out[n, m] += in[n, k] * "
                                "w[m, k] only";
    if (kernel == Kernel::DirectConvFlat) {
      auto conv = cast<linalg::Conv2DNchwFchwOp>(op);
      int64_t width = resultType.getDimSize(3);
      if (!llvm::all_of(conv.getStrides().getValues<int64_t>(),
                        [](int64_t s) { return s == 1; }) ||
          config.getRegisterTile()[3] != width)
        return op->emitError() << "the direct_conv_flat kernel takes stride 1 "
                                  "and register tiles of whole rows";
    }
    if (kernel == Kernel::PackedConv) {
      ArrayRef<int64_t> tile = config.getRegisterTile();
      if (tile.size() != 4 || tile[0] != 1 || tile[2] != 1 || tile[1] <= 0 ||
          tile[1] % config.getVectorSize() != 0)
        return op->emitError() << "the packed_conv kernel takes register tiles [1, F, "
                                  "1, W] with F a multiple of the vector size";
    }
    return success();
  }
  if (name == kGpuConfigAttrName) {
    auto config = dyn_cast<GpuConfigAttr>(attribute.getValue());
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!config || !linalgOp || linalgOp.getNumDpsInits() != 1)
      return op->emitError() << "'" << name
                             << "' must be a #cnnc.gpu_config on a linalg op "
                                "with one result";
    int64_t rank = cast<ShapedType>(linalgOp.getDpsInits()[0].getType()).getRank();
    if (static_cast<int64_t>(config.getBlockTile().size()) != rank)
      return op->emitError() << "'" << name << "' has "
                             << config.getBlockTile().size()
                             << " tile sizes for a result of rank " << rank;
    return success();
  }
  if (name == kLayerAttrName) {
    if (!isa<StringAttr>(attribute.getValue()))
      return op->emitError() << "'" << name << "' must be a string";
    return success();
  }
  if (name == kNumOutputsAttrName || name == kMultiplyAddsAttrName) {
    if (!isa<IntegerAttr>(attribute.getValue()))
      return op->emitError() << "'" << name << "' must be an integer";
    return success();
  }
  if (name == kParallelLaunchAttrName) {
    if (!isa<FlatSymbolRefAttr>(attribute.getValue()))
      return op->emitError() << "'" << name << "' must name a function";
    return success();
  }
  if (name == kPrepareArgumentsAttrName) {
    if (!isa<ModuleOp>(op) || !isa<DenseI64ArrayAttr>(attribute.getValue()))
      return op->emitError() << "'" << name
                             << "' must be an array<i64> on a module";
    return success();
  }
  if (name == kPreparedTensorsAttrName) {
    auto tensors = dyn_cast<ArrayAttr>(attribute.getValue());
    auto isTensor = [](Attribute tensor) {
      auto fields = dyn_cast<DictionaryAttr>(tensor);
      return fields && fields.size() == 2 && fields.getAs<StringAttr>("name") &&
             fields.getAs<DenseI64ArrayAttr>("shape");
    };
    if (!isa<ModuleOp>(op) || !tensors || !llvm::all_of(tensors, isTensor))
      return op->emitError() << "'" << name
                             << "' must be a list of {name, shape} on a module";
    return success();
  }
  return op->emitError() << "unknown cnnc attribute '" << name << "'";
}
