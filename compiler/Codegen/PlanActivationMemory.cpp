//===- PlanActivationMemory.cpp - One arena for a function's buffers ------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCPLANACTIVATIONMEMORY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Offsets and the arena's size are multiples of this (a cache line, and
/// the alignment the runtime gives every allocation).
constexpr int64_t kArenaAlignment = 64;

struct PlannedBuffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes = 0;
  /// Positions in the block of the allocation and of the last use.
  int64_t first = 0, last = 0;
  int64_t offset = -1;
};

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The buffer `alloc` allocates, with its lifetime in `body`, when it can
/// share an arena: static, identity layout, freed once in `body` and used
/// only there.
std::optional<PlannedBuffer>
describeBuffer(memref::AllocOp alloc, Block &body,
               const DenseMap<Operation *, int64_t> &positions) {
  MemRefType type = alloc.getType();
  Type element = type.getElementType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !element.isIntOrFloat() ||
      element.getIntOrFloatBitWidth() % 8 != 0 ||
      alloc.getAlignment().value_or(0) > kArenaAlignment)
    return std::nullopt;
  PlannedBuffer buffer;
  buffer.alloc = alloc;
  buffer.bytes = type.getNumElements() * element.getIntOrFloatBitWidth() / 8;
  buffer.first = buffer.last = positions.lookup(alloc);
  if (buffer.bytes == 0)
    return std::nullopt;
  // Everything computed from the buffer (views, pointers) extends its life.
  SmallVector<Value> derived{alloc.getResult()};
  while (!derived.empty()) {
    Value value = derived.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (value != alloc.getResult() || dealloc->getBlock() != &body ||
            buffer.dealloc)
          return std::nullopt;
        buffer.dealloc = dealloc;
        continue;
      }
      Operation *anchor = body.findAncestorOpInBlock(*user);
      if (!anchor || anchor->hasTrait<OpTrait::IsTerminator>())
        return std::nullopt;
      buffer.last = std::max(buffer.last, positions.lookup(anchor));
      llvm::append_range(derived, user->getResults());
    }
  }
  if (!buffer.dealloc || positions.lookup(buffer.dealloc) < buffer.last)
    return std::nullopt;
  return buffer;
}

/// Greedy by size: the largest buffer first, each at the lowest offset that
/// no buffer placed before it and alive at the same time occupies. Returns
/// the arena's size.
int64_t placeBuffers(MutableArrayRef<PlannedBuffer> buffers) {
  SmallVector<PlannedBuffer *> order;
  for (PlannedBuffer &buffer : buffers)
    order.push_back(&buffer);
  // Ties in program order (no two buffers are allocated at one position).
  llvm::sort(order, [](PlannedBuffer *a, PlannedBuffer *b) {
    return std::make_pair(-a->bytes, a->first) < std::make_pair(-b->bytes, b->first);
  });
  int64_t arenaBytes = 0;
  SmallVector<PlannedBuffer *> placed;
  for (PlannedBuffer *buffer : order) {
    SmallVector<PlannedBuffer *> overlapping;
    for (PlannedBuffer *other : placed)
      if (other->first <= buffer->last && buffer->first <= other->last)
        overlapping.push_back(other);
    llvm::sort(overlapping, [](PlannedBuffer *a, PlannedBuffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (PlannedBuffer *other : overlapping) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset,
                        alignTo(other->offset + other->bytes, kArenaAlignment));
    }
    buffer->offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return alignTo(arenaBytes, kArenaAlignment);
}

struct CnncPlanActivationMemoryPass
    : cnnc::impl::CnncPlanActivationMemoryBase<CnncPlanActivationMemoryPass> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal() || !function.getBody().hasOneBlock())
      return;
    Block &body = function.getBody().front();
    DenseMap<Operation *, int64_t> positions;
    for (auto [position, op] : llvm::enumerate(body))
      positions[&op] = position;
    SmallVector<PlannedBuffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>())
      if (std::optional<PlannedBuffer> buffer =
              describeBuffer(alloc, body, positions))
        buffers.push_back(*buffer);
    // One buffer alone gains nothing from an arena.
    if (buffers.size() < 2)
      return;
    int64_t arenaBytes = placeBuffers(buffers);

    OpBuilder builder(&getContext());
    builder.setInsertionPointToStart(&body);
    Location loc = function.getLoc();
    auto arena = memref::AllocOp::create(
        builder, loc, MemRefType::get({arenaBytes}, builder.getI8Type()),
        builder.getI64IntegerAttr(kArenaAlignment));
    for (PlannedBuffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(builder, buffer.alloc.getLoc(),
                                                    buffer.offset);
      auto view = memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                                         buffer.alloc.getType(), arena, offset,
                                         ValueRange());
      buffer.alloc.replaceAllUsesWith(view.getResult());
      buffer.alloc.erase();
      buffer.dealloc.erase();
    }
    builder.setInsertionPoint(body.getTerminator());
    memref::DeallocOp::create(builder, loc, arena);
  }
};

} // namespace
