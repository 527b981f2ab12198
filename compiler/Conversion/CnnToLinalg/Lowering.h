//===- Lowering.h - Shared pieces of the cnn to linalg lowering -*- C++ -*-===//
//
// Internal to the conversion: the builders the patterns of every op family
// share, and each family's populate function, which
// populateCnnToLinalgConversionPatterns gathers.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_CONVERSION_CNNTOLINALG_LOWERING_H
#define CNNC_COMPILER_CONVERSION_CNNTOLINALG_LOWERING_H

#include "compiler/Conversion/CnnToLinalg/CnnToLinalg.h"
#include "dialects/Cnn/IR/CnnOps.h"

namespace cnnc::lowering {

using namespace mlir;

/// Computes one output scalar of a linalg.generic from its input scalars.
using ScalarBody = function_ref<Value(OpBuilder &, Location, ValueRange)>;

Value floatConstant(OpBuilder &b, Location loc, Type type, double value);

Value indexConstant(OpBuilder &b, Location loc, int64_t value);

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value);

/// An i64 tensor of `shape` holding `value` (an index "none yet").
Value filledIndexTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        int64_t value);

/// A linalg.generic over the positions (n, c, y, x) of `inits` (NCHW
/// tensors) and the offsets (i, j) of a window of `window` size, reduced
/// over the offsets: `body` reads linalg.index 0 to 5 and the accumulators
/// and yields their next values.
SmallVector<Value> buildWindowReduction(
    OpBuilder &b, Location loc, ValueRange inits, ArrayRef<int64_t> window,
    function_ref<void(OpBuilder &, Location, ValueRange accumulators)> body);

/// A per-channel vector [C] repeated along every dimension of `type` but `dim`.
Value broadcastAlong(OpBuilder &b, Location loc, Value vector,
                     RankedTensorType type, int64_t dim);

/// The accumulator of a convolution or dense layer producing `type`: the bias
/// [F] broadcast along dimension 1, or zeros without one.
Value accumulatorInit(OpBuilder &b, Location loc, Value bias,
                      RankedTensorType type);

/// A parallel linalg.generic producing `type`: `body` maps the scalars of
/// `inputs` (read through `inputMaps`) to one output scalar.
Value buildMap(OpBuilder &b, Location loc, RankedTensorType type,
               ValueRange inputs, ArrayRef<AffineMap> inputMaps,
               ScalarBody body);

/// buildMap over inputs of the result's own shape.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType type,
                       ValueRange inputs, ScalarBody body);

/// Pads dimensions 2 and 3 (H, W) of an NCHW tensor by `pad` = [top, left,
/// bottom, right]. Zero padding (and, for pooling, -inf) is a tensor.pad;
/// replicate, reflect and circular padding gather from the input with
/// clamped, mirrored or wrapped indices.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pad, cnn::PaddingMode mode,
                 double padValue = 0.0);

/// Splits dimension `dim` of `value` into [groups, size / groups].
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t groups);

/// Rows (or columns) of padding to add after the given ones so that `out`
/// windows of `kernel` with `stride` fit (ceil-mode pooling).
int64_t trailingWindowPad(int64_t paddedSize, int64_t out, int64_t kernel,
                          int64_t stride);

/// The convolution of `input` [N, C, H, W] with `kernel` [F, C / groups, KH,
/// KW] accumulated into `init` [N, F, OH, OW]: the named NCHW op, or its
/// grouped form over [N, G, C / G, H, W].
Value buildConvolution(OpBuilder &b, Location loc, RankedTensorType outType,
                       Value input, Value kernel, Value init, Attribute strides,
                       Attribute dilations, int64_t groups);

/// The dense [F, C, KH, KW] filter bank of a convolution with a connection
/// table: filter k of `weight` [count, 1, KH, KW] at the k-th true entry of
/// `table` [F, C] (row-major), zeros elsewhere. A constant table of filter
/// indices (-1 where unconnected) drives one gather.
Value expandConnections(OpBuilder &b, Location loc, Value weight,
                        DenseIntElementsAttr table);

/// The input of a pooling op padded with `value`, including the extra rows
/// and columns that ceil mode's last windows reach into.
Value padForPooling(OpBuilder &b, Location loc, Value input,
                    RankedTensorType outType, ArrayRef<int64_t> padding,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    double value);

/// The divisor of the average-pooling window at (`row`, `col`) of the
/// output, as PyTorch counts it: the window clipped to the padded input
/// [`inputSize` + padding], or with `countIncludePad` false to the input.
Value averagePoolDivisor(OpBuilder &b, Location l, Value row, Value col,
                         ArrayRef<int64_t> inputSize, ArrayRef<int64_t> kernel,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                         bool countIncludePad, Type element);

/// Casts an index to the float `type`.
Value indexToFloat(OpBuilder &b, Location l, Value index, Type type);

/// Convolutions (1-D, 2-D, transposed) and dense layers.
void populateConvolutionLoweringPatterns(RewritePatternSet &patterns);
/// Batch norm, its folding into a layer, local response normalisation.
void populateNormalizationLoweringPatterns(RewritePatternSet &patterns);
/// Element-wise activations, softmax, dropout.
void populateActivationLoweringPatterns(RewritePatternSet &patterns);
/// Max, average, global and adaptive pooling.
void populatePoolingLoweringPatterns(RewritePatternSet &patterns);
/// Flatten, reshape, add, concatenation, upsampling, cropping, padding.
void populateShapeLoweringPatterns(RewritePatternSet &patterns);
/// Transposes, slices, sums and the backward forms of activations and pooling.
void populateGradientLoweringPatterns(RewritePatternSet &patterns);
/// Cross-entropy, squared error and the count of correct predictions.
void populateLossLoweringPatterns(RewritePatternSet &patterns);
/// SGD and Adam steps.
void populateOptimizerLoweringPatterns(RewritePatternSet &patterns);

} // namespace cnnc::lowering

#endif // CNNC_COMPILER_CONVERSION_CNNTOLINALG_LOWERING_H
