/**
 * Hand-encoded ONNX protobuf for a one-node graph (no initializers): Y = MatMul(A, B), or
 * Y = Gemm(A, B, transB = 1). Only the fields onnxruntime needs; field numbers from onnx/onnx.proto.
 */

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: 0 | 2): number[] => varint((field << 3) | wire);
const int = (field: number, n: number): number[] => [...key(field, 0), ...varint(n)];
const bytes = (field: number, body: number[]): number[] => [...key(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string): number[] => bytes(field, [...new TextEncoder().encode(s)]);

/** ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: FLOAT, shape { dim { dim_value }… } } } } */
function valueInfo(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

export type OnnxProduct = 'MatMul' | 'GemmTransB';

/**
 * @param op MatMul: A [M, K] · B [K, N]; GemmTransB: A [M, K] · Bᵀ with B [N, K]
 * @returns a serialized ModelProto (IR 8, opset 17) with inputs "A", "B" and output "Y"
 */
export function onnxProductModel(op: OnnxProduct, M: number, K: number, N: number): Uint8Array {
  const node = [
    ...str(1, 'A'),
    ...str(1, 'B'),
    ...str(2, 'Y'),
    ...str(3, 'product'),
    ...str(4, op === 'MatMul' ? 'MatMul' : 'Gemm'),
    ...(op === 'GemmTransB' ? bytes(5, [...str(1, 'transB'), ...int(3, 1), ...int(20, ATTR_INT)]) : []),
  ];
  const graph = [
    ...bytes(1, node),
    ...str(2, 'bench'),
    ...bytes(11, valueInfo('A', [M, K])),
    ...bytes(11, valueInfo('B', op === 'MatMul' ? [K, N] : [N, K])),
    ...bytes(12, valueInfo('Y', [M, N])),
  ];
  const model = [...int(1, 8), ...str(2, 'deltascope-bench'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 17)])];
  return Uint8Array.from(model);
}
