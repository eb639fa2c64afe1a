// Node binding of the native kernels (node-addon-api, context-aware, so it loads in
// worker_threads too). Every entry point re-checks its arguments against the plan before
// touching memory: the JS wrapper checks first, this is the second line that makes a bad
// call a JS exception instead of an out-of-bounds read or write.
#include <napi.h>

#include <string>

#include "fatnn_native.h"

namespace {

bool ReadU32(const Napi::CallbackInfo &info, size_t i, uint32_t lo, uint32_t hi, uint32_t *out, const char *what) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsNumber()) {
    Napi::TypeError::New(env, std::string(what) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= lo && v <= hi) || v != static_cast<double>(static_cast<uint32_t>(v))) {
    Napi::RangeError::New(env, std::string(what) + " must be an integer from " + std::to_string(lo) + " to " +
                                   std::to_string(hi)).ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uint32_t>(v);
  return true;
}

// Arguments 0..4 of every call: isa, precision, M, N, K. Builds the plan of the ISA that
// really runs (NEON int8 switches to SDOT where present) and refuses ISAs the CPU lacks,
// since calling them would die on an illegal instruction.
bool ReadPlan(const Napi::CallbackInfo &info, fn_plan *plan) {
  uint32_t isa, precision, M, N, K;
  if (!ReadU32(info, 0, 0, FN_ISAS - 1, &isa, "isa") || !ReadU32(info, 1, 0, FN_PRECISIONS - 1, &precision, "precision") ||
      !ReadU32(info, 2, 1, FN_MAX_DIM, &M, "M") || !ReadU32(info, 3, 1, FN_MAX_DIM, &N, "N") ||
      !ReadU32(info, 4, 1, FN_MAX_DIM, &K, "K"))
    return false;
  const char *why = fn_unavailable_reason(static_cast<int>(isa), static_cast<int>(precision));
  if (why) {
    Napi::Error::New(info.Env(), std::string("kernel unavailable: ") + why).ThrowAsJavaScriptException();
    return false;
  }
  const int effective = fn_effective_isa(static_cast<int>(isa), static_cast<int>(precision));
  if (fn_make_plan(effective, static_cast<int>(precision), M, N, K, plan) != 0) {
    Napi::Error::New(info.Env(), "no plan for this kernel and shape").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// A typed array at argument i of exactly the given type and at least `bytes` long. Its data
// pointer comes from napi_get_typedarray_info, which also covers SharedArrayBuffer-backed
// arrays (the workers backend shares operands that way).
bool ReadBuffer(const Napi::CallbackInfo &info, size_t i, napi_typedarray_type type, uint64_t bytes, void **data,
                const char *what) {
  Napi::Env env = info.Env();
  napi_typedarray_type actual;
  size_t length = 0;
  void *pointer = nullptr;
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      napi_get_typedarray_info(env, info[i], &actual, &length, &pointer, nullptr, nullptr) != napi_ok || actual != type) {
    Napi::TypeError::New(env, std::string(what) + " has the wrong type").ThrowAsJavaScriptException();
    return false;
  }
  const uint64_t have = static_cast<uint64_t>(info[i].As<Napi::TypedArray>().ByteLength());
  if (have < bytes || (bytes > 0 && pointer == nullptr)) {
    Napi::RangeError::New(env, std::string(what) + " holds " + std::to_string(have) + " bytes, needs " +
                                   std::to_string(bytes)).ThrowAsJavaScriptException();
    return false;
  }
  // The kernels read packed operands as 64-bit words; JS typed arrays of wider elements are
  // aligned to their element size by construction.
  if (type == napi_uint8_array && reinterpret_cast<uintptr_t>(pointer) % 8 != 0) {
    Napi::RangeError::New(env, std::string(what) + " must start at a multiple of 8 bytes").ThrowAsJavaScriptException();
    return false;
  }
  *data = pointer;
  return true;
}

// unavailableReason(isa, precision): string | null
Napi::Value UnavailableReason(const Napi::CallbackInfo &info) {
  uint32_t isa, precision;
  if (!ReadU32(info, 0, 0, FN_ISAS - 1, &isa, "isa") || !ReadU32(info, 1, 0, FN_PRECISIONS - 1, &precision, "precision"))
    return info.Env().Undefined();
  const char *why = fn_unavailable_reason(static_cast<int>(isa), static_cast<int>(precision));
  return why ? Napi::String::New(info.Env(), why) : info.Env().Null();
}

// plan(isa, precision, M, N, K): { wBytes, xBytes, swapped, isa }
Napi::Value Plan(const Napi::CallbackInfo &info) {
  fn_plan plan;
  if (!ReadPlan(info, &plan)) return info.Env().Undefined();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("wBytes", Napi::Number::New(info.Env(), static_cast<double>(fn_w_bytes(&plan))));
  o.Set("xBytes", Napi::Number::New(info.Env(), static_cast<double>(fn_x_bytes(&plan))));
  o.Set("swapped", Napi::Boolean::New(info.Env(), plan.swap != 0));
  o.Set("isa", Napi::Number::New(info.Env(), plan.isa));
  o.Set("mr", Napi::Number::New(info.Env(), plan.mr));
  o.Set("nr", Napi::Number::New(info.Env(), plan.nr));
  return o;
}

// pack(isa, precision, M, N, K, side 0 = W | 1 = X, logical, packed: Uint8Array): -1 or the
// index of the first value outside the precision's set
Napi::Value Pack(const Napi::CallbackInfo &info) {
  fn_plan plan;
  uint32_t side;
  if (!ReadPlan(info, &plan) || !ReadU32(info, 5, 0, 1, &side, "side")) return info.Env().Undefined();
  const uint64_t rows = side ? plan.N : plan.M;
  const bool fp32 = plan.precision == FN_FP32;
  void *logical, *packed;
  if (!ReadBuffer(info, 6, fp32 ? napi_float32_array : napi_int8_array, rows * plan.K * (fp32 ? 4 : 1), &logical,
                  "logical operand") ||
      !ReadBuffer(info, 7, napi_uint8_array, side ? fn_x_bytes(&plan) : fn_w_bytes(&plan), &packed, "packed operand"))
    return info.Env().Undefined();
  if (info[6].As<Napi::TypedArray>().ElementLength() != rows * plan.K) {
    Napi::RangeError::New(info.Env(), "logical operand length is not rows * K").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  int64_t bad = side ? fn_pack_x(&plan, logical, packed) : fn_pack_w(&plan, logical, packed);
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

// packFromFloat(isa, precision, M, N, K, x: Float32Array (N*K), args: Float64Array, packed: Uint8Array,
// scratch: Int8Array (N*K, int8 only)): -1 or the index of the first NaN in x
Napi::Value PackFromFloat(const Napi::CallbackInfo &info) {
  fn_plan plan;
  if (!ReadPlan(info, &plan)) return info.Env().Undefined();
  const uint64_t values = static_cast<uint64_t>(plan.N) * plan.K;
  const uint64_t nargs = plan.precision == FN_BIT2 ? 3 : plan.precision == FN_INT8 ? 1 : (plan.precision == FN_FATNN || plan.precision == FN_TERNARY2B) ? 2 : 0;
  void *x, *args, *packed, *scratch = nullptr;
  if (!ReadBuffer(info, 5, napi_float32_array, values * 4, &x, "float activations") ||
      !ReadBuffer(info, 6, napi_float64_array, nargs * 8, &args, "quantizer arguments") ||
      !ReadBuffer(info, 7, napi_uint8_array, fn_x_bytes(&plan), &packed, "packed operand") ||
      (plan.precision == FN_INT8 && !ReadBuffer(info, 8, napi_int8_array, values, &scratch, "int8 scratch")))
    return info.Env().Undefined();
  if (info[5].As<Napi::TypedArray>().ElementLength() != values) {
    Napi::RangeError::New(info.Env(), "float activations length is not N * K").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const int64_t bad = fn_pack_x_from_float(&plan, static_cast<const float *>(x), static_cast<const double *>(args), scratch, packed);
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

// gemm(isa, precision, M, N, K, wPacked, xPacked, out): one GEMM, synchronous
Napi::Value Gemm(const Napi::CallbackInfo &info) {
  fn_plan plan;
  if (!ReadPlan(info, &plan)) return info.Env().Undefined();
  void *w, *x, *out;
  if (!ReadBuffer(info, 5, napi_uint8_array, fn_w_bytes(&plan), &w, "packed W") ||
      !ReadBuffer(info, 6, napi_uint8_array, fn_x_bytes(&plan), &x, "packed X") ||
      !ReadBuffer(info, 7, plan.precision == FN_FP32 ? napi_float32_array : napi_int32_array,
                  static_cast<uint64_t>(plan.M) * plan.N * 4, &out, "result"))
    return info.Env().Undefined();
  fn_gemm(&plan, w, x, out);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("unavailableReason", Napi::Function::New(env, UnavailableReason));
  exports.Set("plan", Napi::Function::New(env, Plan));
  exports.Set("pack", Napi::Function::New(env, Pack));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("packFromFloat", Napi::Function::New(env, PackFromFloat));
  return exports;
}

}  // namespace

NODE_API_MODULE(fatnn_native, Init)
