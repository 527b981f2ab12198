//===- PackConvFilters.cpp - Filters packed for the packed_conv kernel ----===//
//
// The packed_conv kernel reads a vector of output channels per filter tap,
// so the filter [F, C, KH, KW] is passed to its group packed in blocks of
// B output channels, the register tile's, as [F / B, C, KH, KW, B]: the
// filters one register tile reads are one contiguous block, which the
// caches and the prefetchers hold whole. (Packed [C, KH, KW, F], a tile of
// 32 of 512 channels read 128 bytes every 2 KiB, and its 576 KiB block
// shared a sixteenth of L2's sets.) The group keeps the convolution as it
// was, on the `linalg.unpack` of its argument back to [F, C, KH, KW]: the
// kernel reads the packed argument through it, and any code that does not
// use the kernel still computes the same convolution.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"

#include <numeric>

namespace cnnc {
#define GEN_PASS_DEF_CNNCPACKCONVFILTERS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

/// The type of a filter [F, C, KH, KW] packed in blocks of `block` output
/// channels: [F / block, C, KH, KW, block].
RankedTensorType packedType(Value filter, int64_t block) {
  auto type = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> shape = type.getShape();
  return RankedTensorType::get({shape[0] / block, shape[1], shape[2], shape[3], block},
                               type.getElementType());
}

/// `filter` packed in blocks of `block` output channels: its rows split
/// into blocks, each block's channels moved innermost.
Value pack(OpBuilder &b, Location loc, Value filter, int64_t block) {
  auto type = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> shape = type.getShape();
  auto blocksType = RankedTensorType::get(
      {shape[0] / block, block, shape[1], shape[2], shape[3]}, type.getElementType());
  Value blocks = tensor::ExpandShapeOp::create(
      b, loc, blocksType, filter, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  RankedTensorType packed = packedType(filter, block);
  Value empty = tensor::EmptyOp::create(b, loc, packed.getShape(), packed.getElementType());
  return linalg::TransposeOp::create(b, loc, blocks, empty,
                                     ArrayRef<int64_t>{0, 2, 3, 4, 1})
      .getResult()[0];
}

struct CnncPackConvFiltersPass
    : cnnc::impl::CnncPackConvFiltersBase<CnncPackConvFiltersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The filter arguments to pack, per group function, and their block:
    // the register tiles' output channels (their greatest common divisor,
    // should several convolutions share a filter).
    llvm::MapVector<func::FuncOp, llvm::SmallMapVector<unsigned, int64_t, 2>> packed;
    module.walk([&](linalg::Conv2DNchwFchwOp conv) {
      auto config = conv->getAttrOfType<LoweringConfigAttr>(
          CnncDialect::kLoweringConfigAttrName);
      auto filter = dyn_cast<BlockArgument>(conv.getInputs()[1]);
      auto func = conv->getParentOfType<func::FuncOp>();
      if (!config || config.getKernel() != Kernel::PackedConv || !filter ||
          filter.getOwner() != &func.getBody().front()) {
        if (config && config.getKernel() == Kernel::PackedConv) {
          conv.emitError("the packed_conv kernel needs the filter as an argument of "
                         "its group function");
          signalPassFailure();
        }
        return;
      }
      int64_t &block = packed[func][filter.getArgNumber()];
      block = std::gcd(block, config.getRegisterTile()[1]);
    });

    SymbolTableCollection symbols;
    SymbolUserMap users(symbols, module);
    OpBuilder b(&getContext());
    for (auto &[func, arguments] : packed) {
      for (auto [index, block] : arguments) {
        BlockArgument argument = func.getArgument(index);
        Location loc = argument.getLoc();
        auto filterType = cast<RankedTensorType>(argument.getType());
        argument.setType(packedType(argument, block));
        b.setInsertionPointToStart(&func.getBody().front());
        Value empty = tensor::EmptyOp::create(b, loc, filterType.getShape(),
                                              filterType.getElementType());
        Value unpacked = linalg::UnPackOp::create(b, loc, argument, empty,
                                                  ArrayRef<int64_t>{0},
                                                  ArrayRef<OpFoldResult>{b.getIndexAttr(block)});
        argument.replaceAllUsesExcept(unpacked, unpacked.getDefiningOp());
        for (Operation *user : users.getUsers(func)) {
          auto call = dyn_cast<func::CallOp>(user);
          if (!call) {
            user->emitError("a group function with packed filters is used other "
                            "than by calls");
            return signalPassFailure();
          }
          b.setInsertionPoint(call);
          call->setOperand(index, pack(b, call.getLoc(), call.getOperand(index), block));
        }
      }
      func.setType(FunctionType::get(&getContext(),
                                     func.getBody().front().getArgumentTypes(),
                                     func.getResultTypes()));
    }
  }
};

} // namespace
