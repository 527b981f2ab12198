//===- PackConvFilters.cpp - Filters packed for the packed_conv kernel ----===//
//
// The packed_conv kernel reads a vector of output channels per filter tap,
// so the filter [F, C, KH, KW] is passed to its group packed as
// [C, KH, KW, F]. The group keeps the convolution as it was, on the
// transpose of its argument back to [F, C, KH, KW]: the kernel reads the
// packed argument through that transpose, and any code that does not use
// the kernel still computes the same convolution.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCPACKCONVFILTERS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

constexpr int64_t kUnpack[] = {3, 0, 1, 2};
constexpr int64_t kPack[] = {1, 2, 3, 0};

/// The type of `value` with its dimensions in the order of `permutation`.
RankedTensorType permuted(Value value, ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t dim : permutation)
    shape.push_back(type.getDimSize(dim));
  return RankedTensorType::get(shape, type.getElementType());
}

/// `value` transposed by `permutation` into a fresh tensor.
Value transposed(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> permutation) {
  RankedTensorType type = permuted(value, permutation);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, empty, permutation).getResult()[0];
}

struct CnncPackConvFiltersPass
    : cnnc::impl::CnncPackConvFiltersBase<CnncPackConvFiltersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The filter arguments to pack, per group function.
    llvm::MapVector<func::FuncOp, llvm::SmallSetVector<unsigned, 2>> packed;
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
      packed[func].insert(filter.getArgNumber());
    });

    SymbolTableCollection symbols;
    SymbolUserMap users(symbols, module);
    OpBuilder b(&getContext());
    for (auto &[func, arguments] : packed) {
      for (unsigned index : arguments) {
        BlockArgument argument = func.getArgument(index);
        Location loc = argument.getLoc();
        argument.setType(permuted(argument, kPack));
        b.setInsertionPointToStart(&func.getBody().front());
        Value unpacked = transposed(b, loc, argument, kUnpack);
        argument.replaceAllUsesExcept(unpacked, unpacked.getDefiningOp());
        for (Operation *user : users.getUsers(func)) {
          auto call = dyn_cast<func::CallOp>(user);
          if (!call) {
            user->emitError("a group function with packed filters is used other "
                            "than by calls");
            return signalPassFailure();
          }
          b.setInsertionPoint(call);
          call->setOperand(index,
                           transposed(b, call.getLoc(), call.getOperand(index), kPack));
        }
      }
      func.setType(FunctionType::get(&getContext(),
                                     func.getBody().front().getArgumentTypes(),
                                     func.getResultTypes()));
    }
  }
};

} // namespace
