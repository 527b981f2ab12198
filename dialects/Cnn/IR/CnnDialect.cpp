//===- CnnDialect.cpp - The cnn dialect -----------------------------------===//

#include "dialects/Cnn/IR/CnnDialect.h"

#include "dialects/Cnn/IR/CnnOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cnnc::cnn;

#include "dialects/Cnn/IR/CnnOpsDialect.cpp.inc"
#include "dialects/Cnn/IR/CnnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Cnn/IR/CnnAttrs.cpp.inc"

void CnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Cnn/IR/CnnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Cnn/IR/CnnAttrs.cpp.inc"
      >();
}

LogicalResult CnnDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  auto value = dyn_cast<StringAttr>(attribute.getValue());
  if (name == kInitAttrName) {
    if (!value || !llvm::is_contained({"zeros", "ones", "he_uniform",
                                       "glorot_uniform"},
                                      value.getValue()))
      return op->emitError() << "'" << name << "' of argument " << argIndex
                             << " must be \"zeros\", \"ones\", \"he_uniform\" "
                                "or \"glorot_uniform\"";
    return success();
  }
  // cnn.output and cnn.updates on an argument: a result that bufferization
  // turned into an out-parameter.
  if (name != kParamAttrName && name != kBufferAttrName &&
      name != kInputAttrName && name != kOutputAttrName && name != kStateAttrName &&
      name != kUpdatesAttrName)
    return op->emitError() << "unknown cnn argument attribute '" << name
                           << "'; expected '" << kParamAttrName << "', '"
                           << kBufferAttrName << "', '" << kInputAttrName << "', '"
                           << kStateAttrName << "', '" << kOutputAttrName << "', '"
                           << kUpdatesAttrName << "' or '" << kInitAttrName << "'";
  if (!value || value.getValue().empty())
    return op->emitError() << "'" << name << "' of argument " << argIndex
                           << " must be a non-empty string naming the tensor";
  return success();
}

LogicalResult CnnDialect::verifyRegionResultAttribute(Operation *op,
                                                      unsigned regionIndex,
                                                      unsigned resultIndex,
                                                      NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (name != kOutputAttrName && name != kUpdatesAttrName)
    return op->emitError() << "unknown cnn result attribute '" << name
                           << "'; expected '" << kOutputAttrName << "' or '"
                           << kUpdatesAttrName << "'";
  auto value = dyn_cast<StringAttr>(attribute.getValue());
  if (!value || value.getValue().empty())
    return op->emitError() << "'" << name << "' of result " << resultIndex
                           << " must be a non-empty string naming a tensor";
  return success();
}
