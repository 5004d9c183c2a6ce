// The ONNX wire format (protobuf, proto2 syntax) described as protobufjs reflection JSON.
// Field names, numbers and types are interoperability facts taken from the ONNX IR spec
// (docs/IR.md); only the messages a model file needs are described. Unknown fields (newer
// ONNX versions) are skipped by the decoder, which is what protobuf promises.
import * as protobuf from 'protobufjs';

type FieldJson = { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } };
const field = (type: string, id: number): FieldJson => ({ type, id });
const repeated = (type: string, id: number, packed = false): FieldJson => ({
  type,
  id,
  rule: 'repeated',
  // proto2 packs repeated numbers only when asked; the decoder accepts both encodings.
  options: { packed },
});

const onnxJson: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        AttributeType: {
          values: {
            UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7,
            STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12,
            TYPE_PROTO: 13, TYPE_PROTOS: 14,
          },
        },
        AttributeProto: {
          fields: {
            name: field('string', 1),
            refAttrName: field('string', 21),
            docString: field('string', 13),
            type: field('AttributeType', 20),
            f: field('float', 2),
            i: field('int64', 3),
            s: field('bytes', 4),
            t: field('TensorProto', 5),
            g: field('GraphProto', 6),
            sparseTensor: field('SparseTensorProto', 22),
            tp: field('TypeProto', 14),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            graphs: repeated('GraphProto', 11),
            sparseTensors: repeated('SparseTensorProto', 23),
            typeProtos: repeated('TypeProto', 15),
          },
        },
        ValueInfoProto: {
          fields: {
            name: field('string', 1),
            type: field('TypeProto', 2),
            docString: field('string', 3),
            metadataProps: repeated('StringStringEntryProto', 4),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: field('string', 3),
            opType: field('string', 4),
            domain: field('string', 7),
            overload: field('string', 8),
            attribute: repeated('AttributeProto', 5),
            docString: field('string', 6),
            metadataProps: repeated('StringStringEntryProto', 9),
          },
        },
        StringStringEntryProto: {
          fields: { key: field('string', 1), value: field('string', 2) },
        },
        OperatorSetIdProto: {
          fields: { domain: field('string', 1), version: field('int64', 2) },
        },
        ModelProto: {
          fields: {
            irVersion: field('int64', 1),
            opsetImport: repeated('OperatorSetIdProto', 8),
            producerName: field('string', 2),
            producerVersion: field('string', 3),
            domain: field('string', 4),
            modelVersion: field('int64', 5),
            docString: field('string', 6),
            graph: field('GraphProto', 7),
            metadataProps: repeated('StringStringEntryProto', 14),
            functions: repeated('FunctionProto', 25),
          },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: field('string', 2),
            initializer: repeated('TensorProto', 5),
            sparseInitializer: repeated('SparseTensorProto', 15),
            docString: field('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            valueInfo: repeated('ValueInfoProto', 13),
            metadataProps: repeated('StringStringEntryProto', 16),
          },
        },
        FunctionProto: {
          fields: {
            name: field('string', 1),
            input: repeated('string', 4),
            output: repeated('string', 5),
            attribute: repeated('string', 6),
            attributeProto: repeated('AttributeProto', 11),
            node: repeated('NodeProto', 7),
            docString: field('string', 8),
            opsetImport: repeated('OperatorSetIdProto', 9),
            domain: field('string', 10),
            overload: field('string', 13),
          },
        },
        TensorProto: {
          nested: {
            DataLocation: { values: { DEFAULT: 0, EXTERNAL: 1 } },
            Segment: { fields: { begin: field('int64', 1), end: field('int64', 2) } },
          },
          fields: {
            dims: repeated('int64', 1),
            dataType: field('int32', 2),
            segment: field('Segment', 3),
            floatData: repeated('float', 4, true),
            int32Data: repeated('int32', 5, true),
            stringData: repeated('bytes', 6),
            int64Data: repeated('int64', 7, true),
            name: field('string', 8),
            docString: field('string', 12),
            rawData: field('bytes', 9),
            externalData: repeated('StringStringEntryProto', 13),
            dataLocation: field('DataLocation', 14),
            doubleData: repeated('double', 10, true),
            uint64Data: repeated('uint64', 11, true),
            metadataProps: repeated('StringStringEntryProto', 16),
          },
        },
        SparseTensorProto: {
          fields: {
            values: field('TensorProto', 1),
            indices: field('TensorProto', 2),
            dims: repeated('int64', 3),
          },
        },
        TensorShapeProto: {
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: field('int64', 1),
                dimParam: field('string', 2),
                denotation: field('string', 3),
              },
            },
          },
          fields: { dim: repeated('Dimension', 1) },
        },
        TypeProto: {
          nested: {
            Tensor: { fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) } },
            Sequence: { fields: { elemType: field('TypeProto', 1) } },
            Map: { fields: { keyType: field('int32', 1), valueType: field('TypeProto', 2) } },
            Optional: { fields: { elemType: field('TypeProto', 1) } },
            SparseTensor: { fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) } },
          },
          oneofs: {
            value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType'] },
          },
          fields: {
            tensorType: field('Tensor', 1),
            sequenceType: field('Sequence', 4),
            mapType: field('Map', 5),
            optionalType: field('Optional', 9),
            sparseTensorType: field('SparseTensor', 8),
            denotation: field('string', 6),
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(onnxJson);

export const ModelProtoType = root.lookupType('onnx.ModelProto');
export const TensorProtoType = root.lookupType('onnx.TensorProto');
