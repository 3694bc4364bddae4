/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fused_mlp.h"
#include "fused_mlp_kernel.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace gr {
namespace diffusion {

// ============================================================ protobuf wire-format
// reader Why not libprotobuf + onnx.proto: Debian 12 has no onnx.proto package, compiling
// one in ties the build to a protobuf version, and the kernel needs six message types and
// a dozen fields. The wire format is stable by design (fields are numbered), so a reader
// of varint / fixed32 / fixed64 / length-delimited records is small and exact.
namespace onnx_wire {

int64_t tensor::numel() const
{
    int64_t n = 1;
    for (auto d : dims)
        n *= d;
    return n;
}

const attribute* node::attr(const std::string& n) const
{
    for (const auto& a : attrs)
        if (a.name == n)
            return &a;
    return nullptr;
}

namespace {

struct reader {
    const uint8_t* p;
    const uint8_t* end;
    reader(const uint8_t* b, const uint8_t* e) : p(b), end(e) {}
    bool done() const { return p >= end; }
    [[noreturn]] static void fail(const char* what)
    {
        throw std::runtime_error(std::string("malformed ONNX protobuf: ") + what);
    }
    uint64_t varint()
    {
        uint64_t v = 0;
        for (int s = 0; s < 64; s += 7) {
            if (p >= end)
                fail("truncated varint");
            const uint8_t b = *p++;
            v |= uint64_t(b & 0x7f) << s;
            if (!(b & 0x80))
                return v;
        }
        fail("varint longer than 10 bytes");
    }
    uint32_t fixed32()
    {
        if (end - p < 4)
            fail("truncated fixed32");
        uint32_t v;
        std::memcpy(&v, p, 4);
        p += 4;
        return v;
    }
    reader sub()
    {
        const uint64_t n = varint();
        if (n > uint64_t(end - p))
            fail("length-delimited field runs past its message");
        reader r(p, p + n);
        p += n;
        return r;
    }
    std::string str()
    {
        reader r = sub();
        return std::string(reinterpret_cast<const char*>(r.p), r.end - r.p);
    }
    void skip(int wt)
    {
        switch (wt) {
        case 0:
            varint();
            break;
        case 1:
            if (end - p < 8)
                fail("truncated fixed64");
            p += 8;
            break;
        case 2:
            sub();
            break;
        case 5:
            fixed32();
            break;
        default:
            fail("unsupported wire type (groups)");
        }
    }
};

float as_float(uint32_t u)
{
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// repeated scalar fields may come packed (wire type 2) or one per record
template <class F>
void repeated(reader& r, int wt, int scalar_wt, F&& take)
{
    if (wt == 2) {
        reader s = r.sub();
        while (!s.done())
            take(s);
    } else if (wt == scalar_wt) {
        take(r);
    } else {
        r.skip(wt);
    }
}

tensor parse_tensor(reader r)
{
    tensor t;
    std::string raw;
    while (!r.done()) {
        const uint64_t key = r.varint();
        const int f = int(key >> 3), wt = int(key & 7);
        if (f == 1)
            repeated(r, wt, 0, [&](reader& s) { t.dims.push_back(int64_t(s.varint())); });
        else if (f == 2 && wt == 0)
            t.data_type = int32_t(r.varint());
        else if (f == 4)
            repeated(r, wt, 5, [&](reader& s) { t.f.push_back(as_float(s.fixed32())); });
        else if (f == 7)
            repeated(r, wt, 0, [&](reader& s) { t.i64.push_back(int64_t(s.varint())); });
        else if (f == 8 && wt == 2)
            t.name = r.str();
        else if (f == 9 && wt == 2)
            raw = r.str();
        else if (f == 14 && wt == 0)
            t.external = r.varint() == 1;
        else
            r.skip(wt);
    }
    if (!raw.empty()) { // little-endian on disk, as on every host this module targets
        if (t.data_type == 1) {
            if (raw.size() % 4)
                reader::fail("float raw_data size not a multiple of 4");
            t.f.resize(raw.size() / 4);
            std::memcpy(t.f.data(), raw.data(), raw.size());
        } else if (t.data_type == 7) {
            if (raw.size() % 8)
                reader::fail("int64 raw_data size not a multiple of 8");
            t.i64.resize(raw.size() / 8);
            std::memcpy(t.i64.data(), raw.data(), raw.size());
        }
    }
    return t;
}

attribute parse_attribute(reader r)
{
    attribute a;
    while (!r.done()) {
        const uint64_t key = r.varint();
        const int f = int(key >> 3), wt = int(key & 7);
        if (f == 1 && wt == 2)
            a.name = r.str();
        else if (f == 2 && wt == 5)
            a.f = as_float(r.fixed32());
        else if (f == 3 && wt == 0)
            a.i = int64_t(r.varint());
        else if (f == 4 && wt == 2)
            a.s = r.str();
        else if (f == 5 && wt == 2) {
            a.t = parse_tensor(r.sub());
            a.has_t = true;
        } else if (f == 8)
            repeated(r, wt, 0, [&](reader& q) { a.ints.push_back(int64_t(q.varint())); });
        else if (f == 20 && wt == 0)
            a.type = int32_t(r.varint());
        else
            r.skip(wt);
    }
    return a;
}

node parse_node(reader r)
{
    node n;
    while (!r.done()) {
        const uint64_t key = r.varint();
        const int f = int(key >> 3), wt = int(key & 7);
        if (f == 1 && wt == 2)
            n.inputs.push_back(r.str());
        else if (f == 2 && wt == 2)
            n.outputs.push_back(r.str());
        else if (f == 3 && wt == 2)
            n.name = r.str();
        else if (f == 4 && wt == 2)
            n.op_type = r.str();
        else if (f == 5 && wt == 2)
            n.attrs.push_back(parse_attribute(r.sub()));
        else if (f == 7 && wt == 2)
            n.domain = r.str();
        else
            r.skip(wt);
    }
    return n;
}

std::string value_info_name(reader r)
{
    std::string name;
    while (!r.done()) {
        const uint64_t key = r.varint();
        if ((key >> 3) == 1 && (key & 7) == 2)
            name = r.str();
        else
            r.skip(int(key & 7));
    }
    return name;
}

graph parse_graph(reader r)
{
    graph g;
    while (!r.done()) {
        const uint64_t key = r.varint();
        const int f = int(key >> 3), wt = int(key & 7);
        if (f == 1 && wt == 2)
            g.nodes.push_back(parse_node(r.sub()));
        else if (f == 5 && wt == 2) {
            tensor t = parse_tensor(r.sub());
            const std::string name = t.name;
            g.initializers[name] = std::move(t);
        } else if (f == 11 && wt == 2)
            g.inputs.push_back(value_info_name(r.sub()));
        else if (f == 12 && wt == 2)
            g.outputs.push_back(value_info_name(r.sub()));
        else
            r.skip(wt);
    }
    return g;
}

} // namespace

graph parse_model(const std::string& bytes)
{
    reader r(reinterpret_cast<const uint8_t*>(bytes.data()),
             reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
    bool have_graph = false;
    graph g;
    while (!r.done()) {
        const uint64_t key = r.varint();
        const int f = int(key >> 3), wt = int(key & 7);
        if (f == 7 && wt == 2) {
            g = parse_graph(r.sub());
            have_graph = true;
        } else {
            r.skip(wt);
        }
    }
    if (!have_graph)
        reader::fail("no graph (ModelProto field 7)");
    return g;
}

graph load_model(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw std::runtime_error("ONNX file '" + path + "' not found or not readable");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return parse_model(ss.str());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("ONNX file '" + path + "': " + e.what());
    }
}

} // namespace onnx_wire

// ============================================================ graph recognition
namespace {

using onnx_wire::graph;
using onnx_wire::node;
using onnx_wire::tensor;
using unrec = fused_mlp::unrecognised;

struct matcher {
    const graph& g;
    std::map<std::string, int> producer;
    std::set<int> used;

    explicit matcher(const graph& gr) : g(gr)
    {
        for (int i = 0; i < int(g.nodes.size()); i++)
            for (const auto& o : g.nodes[i].outputs)
                producer[o] = i;
    }
    const node* prod(const std::string& name, const char* op)
    {
        auto it = producer.find(name);
        if (it == producer.end())
            return nullptr;
        const node& n = g.nodes[it->second];
        if (n.op_type != op || !(n.domain.empty() || n.domain == "ai.onnx"))
            return nullptr;
        return &n;
    }
    void take(const node* n) { used.insert(int(n - g.nodes.data())); }
    const tensor* init(const std::string& name)
    {
        auto it = g.initializers.find(name);
        if (it == g.initializers.end() || it->second.data_type != 1 ||
            it->second.external || int64_t(it->second.f.size()) != it->second.numel())
            return nullptr;
        return &it->second;
    }
    // a float scalar from an initializer or a Constant node
    bool scalar(const std::string& name, float* v)
    {
        if (const tensor* t = init(name)) {
            if (t->f.size() != 1)
                return false;
            *v = t->f[0];
            return true;
        }
        const node* c = prod(name, "Constant");
        if (!c)
            return false;
        if (const auto* a = c->attr("value")) {
            if (a->has_t && a->t.data_type == 1 && a->t.f.size() == 1) {
                take(c);
                *v = a->t.f[0];
                return true;
            }
        }
        if (const auto* a = c->attr("value_float")) {
            take(c);
            *v = a->f;
            return true;
        }
        return false;
    }
    static int64_t iattr(const node* n, const char* name, int64_t dflt)
    {
        const auto* a = n->attr(name);
        return a ? a->i : dflt;
    }
    static float fattr(const node* n, const char* name, float dflt)
    {
        const auto* a = n->attr(name);
        return a ? a->f : dflt;
    }
    // Gemm(A, W, b) with alpha = beta = 1, transA = 0, transB = 1
    bool gemm(const std::string& out, std::string* a, const tensor** W, const tensor** b)
    {
        const node* n = prod(out, "Gemm");
        if (!n || n->inputs.size() != 3 || fattr(n, "alpha", 1.f) != 1.f ||
            fattr(n, "beta", 1.f) != 1.f || iattr(n, "transA", 0) != 0 ||
            iattr(n, "transB", 0) != 1)
            return false;
        *W = init(n->inputs[1]);
        *b = init(n->inputs[2]);
        if (!*W || !*b || (*W)->dims.size() != 2 || (*b)->dims.size() != 1 ||
            (*b)->dims[0] != (*W)->dims[0])
            return false;
        *a = n->inputs[0];
        take(n);
        return true;
    }
    // softplus(z): Softplus(z), or Relu(z) + Log(Exp(Neg(Abs(z))) + 1) (either Add order)
    bool softplus(const std::string& out, std::string* z)
    {
        if (const node* n = prod(out, "Softplus")) {
            *z = n->inputs.at(0);
            take(n);
            return true;
        }
        const node* add = prod(out, "Add");
        if (!add || add->inputs.size() != 2)
            return false;
        for (int o = 0; o < 2; o++) {
            const node* relu = prod(add->inputs[o], "Relu");
            const node* log = prod(add->inputs[1 - o], "Log");
            if (!relu || !log)
                continue;
            const node* add1 = prod(log->inputs.at(0), "Add");
            if (!add1 || add1->inputs.size() != 2)
                continue;
            for (int q = 0; q < 2; q++) {
                float one = 0.f;
                const node* ex = prod(add1->inputs[q], "Exp");
                if (!ex || !scalar(add1->inputs[1 - q], &one) || one != 1.0f)
                    continue;
                const node* neg = prod(ex->inputs.at(0), "Neg");
                const node* ab = neg ? prod(neg->inputs.at(0), "Abs") : nullptr;
                if (!ab || ab->inputs.at(0) != relu->inputs.at(0))
                    continue;
                for (const node* n : { add, relu, log, add1, ex, neg, ab })
                    take(n);
                *z = relu->inputs[0];
                return true;
            }
        }
        return false;
    }
    // E[t] * (W h + b): Mul(Gather(E, t), Gemm(h, W, b)) in either order
    bool cond_linear(const std::string& out,
                     std::string* h,
                     const tensor** W,
                     const tensor** b,
                     const tensor** E)
    {
        const node* mul = prod(out, "Mul");
        if (!mul || mul->inputs.size() != 2)
            return false;
        for (int o = 0; o < 2; o++) {
            const node* ga = prod(mul->inputs[o], "Gather");
            if (!ga || ga->inputs.size() != 2 || ga->inputs[1] != "t" ||
                iattr(ga, "axis", 0) != 0)
                continue;
            *E = init(ga->inputs[0]);
            if (!*E || (*E)->dims.size() != 2)
                continue;
            if (!gemm(mul->inputs[1 - o], h, W, b))
                continue;
            take(mul);
            take(ga);
            return true;
        }
        return false;
    }
};

} // namespace

// ============================================================ fused_mlp
const char* fused_mlp::isa_name(int isa)
{
    switch (isa) {
    case AVX512:
        return "avx512";
    case AVX2:
        return "avx2";
    default:
        return "portable";
    }
}

bool fused_mlp::isa_supported(int isa)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (isa == AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
    return isa == PORTABLE;
}

fused_mlp::isa_t fused_mlp::best_isa()
{
    if (isa_supported(AVX512))
        return AVX512;
    if (isa_supported(AVX2))
        return AVX2;
    return PORTABLE;
}

fused_mlp::isa_t fused_mlp::resolve_isa(int isa, const char* who)
{
    // argument, else $GR_DIFFUSION_FUSED_ISA (portable|avx2|avx512), else the best
    if (isa < 0) {
        const char* env = std::getenv("GR_DIFFUSION_FUSED_ISA");
        const std::string e = env ? env : "";
        isa = e == "portable" ? PORTABLE
              : e == "avx2"   ? AVX2
              : e == "avx512" ? AVX512
                              : best_isa();
        if (!isa_supported(isa))
            isa = best_isa();
    }
    if (isa < PORTABLE || isa > AVX512 || !isa_supported(isa))
        throw std::invalid_argument(std::string(who) + ": kernel '" + isa_name(isa) +
                                    "' is not supported by this CPU");
    return static_cast<isa_t>(isa);
}

fused_mlp::fused_mlp(const std::string& onnx_path, int isa)
{
    build(onnx_wire::load_model(onnx_path), isa);
}

fused_mlp::fused_mlp(const onnx_wire::graph& g, int isa) { build(g, isa); }

void fused_mlp::build(const onnx_wire::graph& g, int isa)
{
    d_isa = resolve_isa(isa, "fused_mlp");

    // ---- recognise the graph, walking back from 'eps'
    if (std::find(g.inputs.begin(), g.inputs.end(), "x") == g.inputs.end() ||
        std::find(g.inputs.begin(), g.inputs.end(), "t") == g.inputs.end() ||
        g.outputs.size() != 1 || g.outputs[0] != "eps")
        throw unrec("graph I/O is not (x, t) -> eps");
    matcher m(g);
    const tensor *Wout, *bout;
    std::string h;
    if (!m.gemm("eps", &h, &Wout, &bout))
        throw unrec("'eps' is not produced by Gemm(h, W, b) (transB = 1)");
    std::vector<const tensor*> Ws, bs, Es;
    while (h != "x") {
        std::string z;
        if (!m.softplus(h, &z))
            throw unrec("layer input '" + h +
                        "' is not softplus(z) (native or composite)");
        const tensor *W, *b, *E;
        if (!m.cond_linear(z, &h, &W, &b, &E))
            throw unrec("'" + z + "' is not Gather(E, t) * Gemm(h, W, b)");
        Ws.push_back(W);
        bs.push_back(b);
        Es.push_back(E);
        if (Ws.size() > size_t(mlp_view::max_depth))
            throw unrec("more than " + std::to_string(mlp_view::max_depth) + " layers");
    }
    if (Ws.empty())
        throw unrec("no hidden layer");
    if (m.used.size() != g.nodes.size())
        throw unrec("graph has " + std::to_string(g.nodes.size() - m.used.size()) +
                    " node(s) outside the MLP pattern");
    std::reverse(Ws.begin(), Ws.end());
    std::reverse(bs.begin(), bs.end());
    std::reverse(Es.begin(), Es.end());

    // ---- shapes
    d_depth = int(Ws.size());
    d_H = int(Ws[0]->dims[0]);
    d_T = int(Es[0]->dims[0]) - 1;
    if (d_H < 32 || d_H % 32)
        throw unrec("hidden width " + std::to_string(d_H) + " is not a multiple of 32");
    if (d_T < 1)
        throw unrec("embedding has fewer than 2 rows");
    if (Ws[0]->dims[1] != 2)
        throw unrec("first layer input width is not 2");
    for (int l = 0; l < d_depth; l++) {
        if (Ws[l]->dims[0] != d_H || (l > 0 && Ws[l]->dims[1] != d_H))
            throw unrec("layer " + std::to_string(l) + " is not " + std::to_string(d_H) +
                        " wide");
        if (Es[l]->dims[0] != d_T + 1 || Es[l]->dims[1] != d_H)
            throw unrec("embedding of layer " + std::to_string(l) + " is not [T+1, H]");
    }
    if (Wout->dims[0] != 2 || Wout->dims[1] != d_H)
        throw unrec("output layer is not [2, H]");

    // ---- copy and pack
    for (int l = 0; l < d_depth; l++) {
        d_W.push_back(Ws[l]->f);
        d_b.push_back(bs[l]->f);
        d_E.push_back(Es[l]->f);
    }
    d_Wout = Wout->f;
    d_bout = bout->f;
    const int H = d_H;
    d_w0c0.resize(H);
    d_w0c1.resize(H);
    for (int j = 0; j < H; j++) {
        d_w0c0[j] = d_W[0][2 * j];
        d_w0c1[j] = d_W[0][2 * j + 1];
    }
    d_nr = d_isa == AVX512 ? 32 : 16;
    d_panels.assign(d_depth, {});
    for (int l = 1; l < d_depth; l++) {
        auto& P = d_panels[l];
        P.resize(size_t(H) * H);
        for (int p = 0; p < H / d_nr; p++)
            for (int k = 0; k < H; k++)
                for (int jj = 0; jj < d_nr; jj++)
                    P[(size_t(p) * H + k) * d_nr + jj] =
                        d_W[l][size_t(p * d_nr + jj) * H + k];
    }
}

double fused_mlp::flops_per_row() const
{
    // multiply-adds of the GEMMs (x2) + embedding multiply; softplus not counted
    return 2.0 * (2.0 * d_H + double(d_depth - 1) * d_H * d_H + 2.0 * d_H) +
           d_depth * d_H;
}

void fused_mlp::predict(
    const float* x, const int32_t* t, int n, float* eps, workspace& ws) const
{
    for (int i = 0; i < n; i++)
        if (t[i] < 0 || t[i] > d_T)
            throw std::out_of_range("fused_mlp: step " + std::to_string(t[i]) +
                                    " outside [0, " + std::to_string(d_T) + "]");
    constexpr int R = tile_rows;
    if (ws.a.size() < size_t(R) * d_H) {
        ws.a.assign(size_t(R) * d_H, 0.f);
        ws.b.assign(size_t(R) * d_H, 0.f);
        ws.t.assign(R, 0);
    }
    mlp_view v{};
    v.H = d_H;
    v.depth = d_depth;
    v.nr = d_nr;
    v.w0c0 = d_w0c0.data();
    v.w0c1 = d_w0c1.data();
    for (int l = 0; l < d_depth; l++) {
        v.b[l] = d_b[l].data();
        v.E[l] = d_E[l].data();
        v.panel[l] = d_panels[l].data();
    }
    v.wout = d_Wout.data();
    v.bout0 = d_bout[0];
    v.bout1 = d_bout[1];
    const tile_fn fn = d_isa == AVX512 ? fused_tile_avx512
                       : d_isa == AVX2 ? fused_tile_avx2
                                       : fused_tile_portable;
    for (int s = 0; s < n; s += R) {
        const int m = std::min(R, n - s);
        fn(v, x + 2 * s, t + s, m, eps + 2 * s, ws.a.data(), ws.b.data(), ws.t.data());
    }
}

} // namespace diffusion
} // namespace gr
