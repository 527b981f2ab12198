//===- DeduplicateFunctions.cpp - One function for equal bodies -----------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/SymbolTable.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCDEDUPLICATEFUNCTIONS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The attributes of a function but its name.
DictionaryAttr attributesButName(func::FuncOp function) {
  NamedAttrList attributes(function->getAttrDictionary());
  attributes.erase(SymbolTable::getSymbolAttrName());
  return attributes.getDictionary(function.getContext());
}

/// A hash of what makes two functions equal: their attributes and each op's
/// name, attributes and types (its operands and results are left to the
/// comparison).
llvm::hash_code hashFunction(func::FuncOp function) {
  llvm::hash_code hash = hash_value(attributesButName(function));
  function.getBody().walk([&](Operation *op) {
    hash = llvm::hash_combine(
        hash, OperationEquivalence::computeHash(
                  op, OperationEquivalence::ignoreHashValue,
                  OperationEquivalence::ignoreHashValue,
                  OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

bool areEqual(func::FuncOp a, func::FuncOp b) {
  return attributesButName(a) == attributesButName(b) &&
         OperationEquivalence::isRegionEquivalentTo(
             &a.getBody(), &b.getBody(), OperationEquivalence::IgnoreLocations);
}

struct CnncDeduplicateFunctionsPass
    : cnnc::impl::CnncDeduplicateFunctionsBase<CnncDeduplicateFunctionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Functions by hash, in module order: the first of equal ones stays.
    llvm::MapVector<llvm::hash_code, SmallVector<func::FuncOp>> kept;
    SmallVector<std::pair<func::FuncOp, func::FuncOp>> merged;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (!function.isPrivate() || function.isExternal())
        continue;
      SmallVector<func::FuncOp> &candidates = kept[hashFunction(function)];
      auto equal = llvm::find_if(candidates, [&](func::FuncOp candidate) {
        return areEqual(candidate, function);
      });
      if (equal == candidates.end())
        candidates.push_back(function);
      else
        merged.emplace_back(function, *equal);
    }
    if (merged.empty())
      return;
    // Every use renamed in one walk (a walk per function took seconds).
    DenseMap<StringAttr, StringAttr> renamed;
    for (auto [duplicate, survivor] : merged)
      renamed[duplicate.getSymNameAttr()] = survivor.getSymNameAttr();
    AttrTypeReplacer replacer;
    replacer.addReplacement([&](SymbolRefAttr use) -> std::optional<Attribute> {
      StringAttr survivor = renamed.lookup(use.getRootReference());
      if (!survivor)
        return std::nullopt;
      return SymbolRefAttr::get(survivor, use.getNestedReferences());
    });
    replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/true,
                                          /*replaceLocs=*/false,
                                          /*replaceTypes=*/false);
    for (auto [duplicate, survivor] : merged)
      duplicate.erase();
  }
};

} // namespace
