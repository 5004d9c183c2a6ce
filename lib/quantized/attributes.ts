// Attribute readers of the float interpreter, shared so both read ONNX attributes the same way.
export { attrFloat, attrInt, attrInts, attrString } from '../onnx/ops/context';
