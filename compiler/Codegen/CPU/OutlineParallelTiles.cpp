//===- OutlineParallelTiles.cpp - Cache tiles onto the context's threads --===//
//
// The runtime runs a range of tiles through one C signature, so the loop
// body becomes a function of its range and its buffers; the buffers travel
// as an array of pointers, which cnnc-cpu-lower-parallel-launches builds
// once memrefs are pointers.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPUOUTLINEPARALLELTILES
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::codegen::CnncDialect;

namespace {

/// Whether the iterations of `loop` can run on other threads: its body
/// neither allocates nor calls (the runtime's allocator and checks belong to
/// the calling thread), and it reads only buffers and constants from
/// outside. Fills `buffers` and `constants`.
bool canOutline(scf::ForallOp loop, SetVector<Value> &buffers,
                SetVector<Operation *> &constants) {
  auto dynamic = [](ArrayRef<int64_t> values) {
    return llvm::any_of(values, ShapedType::isDynamic);
  };
  if (loop->getNumResults() != 0 || dynamic(loop.getStaticLowerBound()) ||
      dynamic(loop.getStaticUpperBound()) || dynamic(loop.getStaticStep()))
    return false;
  WalkResult walk = loop.getBody()->walk([](Operation *op) {
    if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp, CallOpInterface>(op))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return false;
  SetVector<Value> used;
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  for (Value value : used) {
    Operation *producer = value.getDefiningOp();
    if (producer && producer->hasTrait<OpTrait::ConstantLike>())
      constants.insert(producer);
    else if (isa<MemRefType>(value.getType()))
      buffers.insert(value);
    else
      return false;
  }
  return true;
}

void outline(scf::ForallOp loop, func::FuncOp parent, SymbolTable &symbols,
             const SetVector<Value> &buffers, const SetVector<Operation *> &constants) {
  Location loc = loop.getLoc();
  ArrayRef<int64_t> lower = loop.getStaticLowerBound();
  ArrayRef<int64_t> upper = loop.getStaticUpperBound();
  ArrayRef<int64_t> steps = loop.getStaticStep();
  SmallVector<int64_t> trips;
  int64_t count = 1;
  for (auto [lb, ub, step] : llvm::zip(lower, upper, steps)) {
    trips.push_back(std::max<int64_t>(0, llvm::divideCeil(ub - lb, step)));
    count *= trips.back();
  }

  // @NAME_tiles(%begin, %end, buffers...): iterations [begin, end).
  OpBuilder builder(parent);
  builder.setInsertionPointAfter(parent);
  Type indexType = builder.getIndexType();
  SmallVector<Type> types = {indexType, indexType};
  for (Value buffer : buffers)
    types.push_back(buffer.getType());
  auto tiles = func::FuncOp::create(builder, loc, (parent.getName() + "_tiles").str(),
                                    builder.getFunctionType(types, {}));
  tiles.setPrivate();
  symbols.insert(tiles);
  Block *body = tiles.addEntryBlock();
  builder.setInsertionPointToStart(body);
  IRMapping mapping;
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  for (auto [buffer, argument] : llvm::zip(buffers, body->getArguments().drop_front(2)))
    mapping.map(buffer, argument);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  auto range = scf::ForOp::create(builder, loc, body->getArgument(0), body->getArgument(1), one);
  builder.setInsertionPointToStart(range.getBody());
  // The linear index in the loop's order, the last dimension fastest.
  Value rest = range.getInductionVar();
  SmallVector<Value> ivs(trips.size());
  for (int64_t d = trips.size() - 1; d >= 0; --d) {
    Value trip = arith::ConstantIndexOp::create(builder, loc, trips[d]);
    Value position = d == 0 ? rest : arith::RemUIOp::create(builder, loc, rest, trip).getResult();
    if (d > 0)
      rest = arith::DivUIOp::create(builder, loc, rest, trip);
    Value scaled = arith::MulIOp::create(
        builder, loc, position, arith::ConstantIndexOp::create(builder, loc, steps[d]));
    ivs[d] = arith::AddIOp::create(builder, loc, scaled,
                                   arith::ConstantIndexOp::create(builder, loc, lower[d]));
  }
  for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
    mapping.map(iv, value);
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
  builder.setInsertionPointToEnd(body);
  func::ReturnOp::create(builder, loc);

  // The launch, declared here and defined in the LLVM dialect.
  builder.setInsertionPointAfter(tiles);
  SmallVector<Type> launchTypes = {indexType};
  for (Value buffer : buffers)
    launchTypes.push_back(buffer.getType());
  auto launch = func::FuncOp::create(builder, loc, (tiles.getName() + "_launch").str(),
                                     builder.getFunctionType(launchTypes, {}));
  launch.setPrivate();
  launch->setAttr(CnncDialect::kParallelLaunchAttrName,
                  FlatSymbolRefAttr::get(tiles.getNameAttr()));
  symbols.insert(launch);

  builder.setInsertionPoint(loop);
  SmallVector<Value> operands = {arith::ConstantIndexOp::create(builder, loc, count)};
  operands.append(buffers.begin(), buffers.end());
  func::CallOp::create(builder, loc, launch, operands);
  loop.erase();
}

struct CnncCpuOutlineParallelTilesPass
    : cnnc::impl::CnncCpuOutlineParallelTilesBase<CnncCpuOutlineParallelTilesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    IRRewriter rewriter(&getContext());
    for (func::FuncOp func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      for (auto loop : llvm::to_vector(func.getBody().front().getOps<scf::ForallOp>())) {
        SetVector<Value> buffers;
        SetVector<Operation *> constants;
        if (canOutline(loop, buffers, constants)) {
          outline(loop, func, symbols, buffers, constants);
          continue;
        }
        rewriter.setInsertionPoint(loop);
        if (failed(scf::forallToForLoop(rewriter, loop)))
          return signalPassFailure();
      }
      // Loops the above did not reach (nested ones) run sequentially.
      SmallVector<scf::ForallOp> nested;
      func.walk([&](scf::ForallOp loop) { nested.push_back(loop); });
      for (scf::ForallOp loop : nested) {
        rewriter.setInsertionPoint(loop);
        if (failed(scf::forallToForLoop(rewriter, loop)))
          return signalPassFailure();
      }
    }
  }
};

} // namespace
