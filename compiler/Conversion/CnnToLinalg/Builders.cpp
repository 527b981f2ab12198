//===- Builders.cpp - Shared pieces of the cnn to linalg lowering ---------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

namespace cnn = cnnc::cnn;

namespace cnnc::lowering {

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value) {
  Value scalar = floatConstant(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, scalar, emptyTensor(b, loc, type))
      .getResult(0);
}

Value filledIndexTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        int64_t value) {
  Value scalar = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
  Value empty = tensor::EmptyOp::create(b, loc, shape, b.getI64Type());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

SmallVector<Value> buildWindowReduction(
    OpBuilder &b, Location loc, ValueRange inits, ArrayRef<int64_t> window,
    function_ref<void(OpBuilder &, Location, ValueRange accumulators)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d < 6; ++d)
    dims.push_back(b.getAffineDimExpr(d));
  // The window's extent enters as the shape of an operand nothing reads.
  Value extent = tensor::EmptyOp::create(b, loc, window, b.getF32Type());
  SmallVector<AffineMap> maps = {AffineMap::get(6, 0, {dims[4], dims[5]}, ctx)};
  maps.append(inits.size(), AffineMap::get(6, 0, {dims[0], dims[1], dims[2], dims[3]}, ctx));
  using utils::IteratorType;
  auto generic = linalg::GenericOp::create(
      b, loc, inits.getTypes(), ValueRange{extent}, inits, maps,
      ArrayRef<IteratorType>{IteratorType::parallel, IteratorType::parallel,
                             IteratorType::parallel, IteratorType::parallel,
                             IteratorType::reduction, IteratorType::reduction},
      [&](OpBuilder &nested, Location l, ValueRange args) {
        body(nested, l, args.drop_front());
      });
  return SmallVector<Value>(generic.getResults());
}

/// A per-channel vector [C] repeated along every dimension of `type` but `dim`.
Value broadcastAlong(OpBuilder &b, Location loc, Value vector,
                     RankedTensorType type, int64_t dim) {
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != dim)
      dims.push_back(d);
  return linalg::BroadcastOp::create(b, loc, vector, emptyTensor(b, loc, type),
                                     dims)
      ->getResult(0);
}

/// The accumulator of a convolution or dense layer producing `type`: the bias
/// [F] broadcast along dimension 1, or zeros without one.
Value accumulatorInit(OpBuilder &b, Location loc, Value bias,
                      RankedTensorType type) {
  return bias ? broadcastAlong(b, loc, bias, type, 1) : filledTensor(b, loc, type, 0.0);
}


/// A parallel linalg.generic producing `type`: `body` maps the scalars of
/// `inputs` (read through `inputMaps`) to one output scalar.
Value buildMap(OpBuilder &b, Location loc, RankedTensorType type,
               ValueRange inputs, ArrayRef<AffineMap> inputMaps,
               ScalarBody body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{emptyTensor(b, loc, type)},
      maps, iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// buildMap over inputs of the result's own shape.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType type,
                       ValueRange inputs, ScalarBody body) {
  SmallVector<AffineMap> maps(inputs.size(),
                              b.getMultiDimIdentityMap(type.getRank()));
  return buildMap(b, loc, type, inputs, maps, body);
}

/// Pads dimensions 2 and 3 (H, W) of an NCHW tensor by `pad` = [top, left,
/// bottom, right]. Zero padding (and, for pooling, -inf) is a tensor.pad;
/// replicate, reflect and circular padding gather from the input with
/// clamped, mirrored or wrapped indices.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pad, cnn::PaddingMode mode,
                 double padValue) {
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  auto paddedType = RankedTensorType::get(
      {shape[0], shape[1], shape[2] + pad[0] + pad[2], shape[3] + pad[1] + pad[3]},
      type.getElementType());

  if (mode == cnn::PaddingMode::Zeros || mode == cnn::PaddingMode::Valid) {
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(pad[0]), b.getIndexAttr(pad[1])};
    SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(pad[2]), b.getIndexAttr(pad[3])};
    Value value = floatConstant(b, loc, type.getElementType(), padValue);
    return tensor::PadOp::create(b, loc, paddedType, input, low, high, value);
  }

  bool circular = mode == cnn::PaddingMode::Circular;
  return buildMap(
      b, loc, paddedType, {}, {},
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < 4; ++d) {
          Value index = linalg::IndexOp::create(nb, nl, d);
          if (d >= 2) {
            int64_t before = pad[d - 2], size = shape[d];
            Value shifted = arith::SubIOp::create(nb, nl, index,
                                                  indexConstant(nb, nl, before));
            if (mode == cnn::PaddingMode::Reflect) {
              // size - 1 - |size - 1 - |i - before||: mirrored at both ends.
              Value last = indexConstant(nb, nl, size - 1);
              auto absolute = [&](Value v) {
                Value negated = arith::SubIOp::create(nb, nl, indexConstant(nb, nl, 0), v);
                return arith::MaxSIOp::create(nb, nl, v, negated);
              };
              index = arith::SubIOp::create(
                  nb, nl, last,
                  absolute(arith::SubIOp::create(nb, nl, last, absolute(shifted))));
            } else if (circular) {
              // ((i - before) mod size + size) mod size: remsi keeps the sign.
              Value sizeValue = indexConstant(nb, nl, size);
              Value rem = arith::RemSIOp::create(nb, nl, shifted, sizeValue);
              Value wrapped = arith::AddIOp::create(nb, nl, rem, sizeValue);
              index = arith::RemSIOp::create(nb, nl, wrapped, sizeValue);
            } else {
              Value low = arith::MaxSIOp::create(nb, nl, shifted,
                                                 indexConstant(nb, nl, 0));
              index = arith::MinSIOp::create(nb, nl, low,
                                             indexConstant(nb, nl, size - 1));
            }
          }
          indices.push_back(index);
        }
        return tensor::ExtractOp::create(nb, nl, input, indices);
      });
}

/// Splits dimension `dim` of `value` into [groups, size / groups].
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t next = shape.size();
    if (d == dim) {
      shape.append({groups, type.getDimSize(d) / groups});
      reassociation.push_back({next, next + 1});
    } else {
      shape.push_back(type.getDimSize(d));
      reassociation.push_back({next});
    }
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      reassociation);
}

/// Rows (or columns) of padding to add after the given ones so that `out`
/// windows of `kernel` with `stride` fit (ceil-mode pooling).
int64_t trailingWindowPad(int64_t paddedSize, int64_t out, int64_t kernel,
                          int64_t stride) {
  return std::max<int64_t>(0, (out - 1) * stride + kernel - paddedSize);
}

/// The convolution of `input` [N, C, H, W] with `kernel` [F, C / groups, KH,
/// KW] accumulated into `init` [N, F, OH, OW]: the named NCHW op, or its
/// grouped form over [N, G, C / G, H, W].
Value buildConvolution(OpBuilder &b, Location loc, RankedTensorType outType,
                       Value input, Value kernel, Value init, Attribute strides,
                       Attribute dilations, int64_t groups) {
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{outType},
                                            ValueRange{input, kernel},
                                            ValueRange{init}, strides, dilations)
        ->getResult(0);
  Value groupedInit = splitGroups(b, loc, init, 1, groups);
  Value conv = linalg::Conv2DNgchwGfchwOp::create(
                   b, loc, TypeRange{groupedInit.getType()},
                   ValueRange{splitGroups(b, loc, input, 1, groups),
                              splitGroups(b, loc, kernel, 0, groups)},
                   ValueRange{groupedInit}, strides, dilations)
                   ->getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, outType, conv, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

/// The dense [F, C, KH, KW] filter bank of a convolution with a connection
/// table: filter k of `weight` [count, 1, KH, KW] at the k-th true entry of
/// `table` [F, C] (row-major), zeros elsewhere. A constant table of filter
/// indices (-1 where unconnected) drives one gather.
Value expandConnections(OpBuilder &b, Location loc, Value weight,
                        DenseIntElementsAttr table) {
  ArrayRef<int64_t> tableShape = table.getType().getShape();
  auto weightType = cast<RankedTensorType>(weight.getType());
  SmallVector<int32_t> filterIndex;
  int32_t next = 0;
  for (bool connected : table.getValues<bool>())
    filterIndex.push_back(connected ? next++ : -1);
  auto indexType = RankedTensorType::get(tableShape, b.getI32Type());
  Value indices = arith::ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(indexType, ArrayRef<int32_t>(filterIndex)));
  auto denseType = RankedTensorType::get(
      {tableShape[0], tableShape[1], weightType.getDimSize(2), weightType.getDimSize(3)},
      weightType.getElementType());
  AffineMap tableMap = AffineMap::get(4, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1)},
                                      b.getContext());
  return buildMap(
      b, loc, denseType, indices, tableMap,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value index = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), args[0]);
        Value zeroIndex = indexConstant(nb, nl, 0);
        Value connected = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                                index, zeroIndex);
        Value safe = arith::MaxSIOp::create(nb, nl, index, zeroIndex);
        Value value = tensor::ExtractOp::create(
            nb, nl, weight,
            ValueRange{safe, zeroIndex, linalg::IndexOp::create(nb, nl, 2),
                       linalg::IndexOp::create(nb, nl, 3)});
        return arith::SelectOp::create(
            nb, nl, connected, value,
            floatConstant(nb, nl, weightType.getElementType(), 0.0));
      });
}

/// The input of a pooling op padded with `value`, including the extra rows
/// and columns that ceil mode's last windows reach into.
Value padForPooling(OpBuilder &b, Location loc, Value input,
                    RankedTensorType outType, ArrayRef<int64_t> padding,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    double value) {
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> pad(padding);
  for (int d = 0; d < 2; ++d)
    pad[d + 2] += trailingWindowPad(inType.getDimSize(2 + d) + pad[d] + pad[d + 2],
                                    outType.getDimSize(2 + d), kernel[d], strides[d]);
  return padSpatial(b, loc, input, pad, cnn::PaddingMode::Zeros, value);
}

/// Casts an index to the float `type`.
Value averagePoolDivisor(OpBuilder &b, Location l, Value row, Value col,
                         ArrayRef<int64_t> inputSize, ArrayRef<int64_t> kernel,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                         bool countIncludePad, Type element) {
  Value count;
  Value positions[] = {row, col};
  for (int d = 0; d < 2; ++d) {
    int64_t size = inputSize[d];
    Value start = arith::SubIOp::create(
        b, l, arith::MulIOp::create(b, l, positions[d], indexConstant(b, l, strides[d])),
        indexConstant(b, l, padding[d]));
    Value end = arith::MinSIOp::create(
        b, l, arith::AddIOp::create(b, l, start, indexConstant(b, l, kernel[d])),
        indexConstant(b, l, size + padding[d + 2]));
    if (!countIncludePad) {
      start = arith::MaxSIOp::create(b, l, start, indexConstant(b, l, 0));
      end = arith::MinSIOp::create(b, l, end, indexConstant(b, l, size));
    }
    Value extent = arith::SubIOp::create(b, l, end, start);
    count = count ? Value(arith::MulIOp::create(b, l, count, extent)) : extent;
  }
  return indexToFloat(b, l, count, element);
}

Value indexToFloat(OpBuilder &b, Location l, Value index, Type type) {
  Value integer = arith::IndexCastOp::create(b, l, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, l, type, integer);
}

} // namespace cnnc::lowering
