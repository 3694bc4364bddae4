/* -*- c++ -*- */
/*
 * Copyright 2026 gr-diffusion authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_DIFFUSION_DENOISE_TABLE_H
#define INCLUDED_DIFFUSION_DENOISE_TABLE_H

// Internal: the table engine. A per-symbol model's deterministic samplers (tweedie, ddim
// with k steps) at matched step t are a fixed map C -> C, y -> x0_hat(y; t). This class
// tabulates that map on a uniform 2-D grid over the input (I, Q) and interpolates it with
// a bicubic Catmull-Rom stencil (4 x 4 grid values, one 32-byte row load each).
//
// Levels: the block's noise variance sigma2 only reaches the network through the matched
// step t (nearest on the schedule's log-sigma2 grid), so the network's own output is
// piecewise constant in sigma2 with one map per step: one table per (mode, steps, t) is
// the network's map exactly, and interpolating between levels would depart from it.
//
// Grid: [min Re(c) - m, max Re(c) + m] x [min Im(c) - m, max Im(c) + m] over the
// constellation c, m = margin * sigma(t) (5 sigma: a rail's noise, std sigma / sqrt 2,
// leaves it with probability 1.5e-12); outside it (and for NaN/Inf) lookup() reports a
// miss and the caller evaluates the network. Spacing h = extent / (grid - 3).
//
// Jumps: a cell whose 4 corner values differ by more than `jump` point distances holds a
// jump of the map (ddim: a boundary between basins); the Catmull-Rom stencil of the cells
// around it would smear it. Those "rough" cells are refined: each gets its own sub-grid of
// refine x refine sub-cells (the map at (refine + 1)^2 nodes, evaluated in the same
// background build) interpolated bilinearly; only samples in sub-cells that still hold a
// jump are misses (the network runs them). refine = 0 leaves every rough cell to the
// network.
//
// Tables are built on a background thread (the caller's misses go to the network until a
// level is ready; the coarse grid is served as soon as it is built, its refinement
// replaces it when done if it fits beside the cached levels without evicting any) and
// cached least-recently-used within max_bytes.

#if __has_include(<gnuradio/gr_complex.h>)
#include <gnuradio/gr_complex.h>
#else
#include <complex>
typedef std::complex<float> gr_complex;
#endif
#include <condition_variable>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gr {
namespace diffusion {

class denoise_table
{
public:
    //! a table's identity: sampler mode (0 tweedie, 1 ddim), ddim steps, matched step t
    struct key {
        int mode = 0, steps = 1, t = 1;
        uint64_t code() const
        {
            return (uint64_t(mode) << 56) | (uint64_t(uint32_t(steps)) << 24) |
                   uint64_t(uint32_t(t));
        }
    };
    //! the map to tabulate: n inputs y at key -> out (called on the builder thread)
    using map_fn =
        std::function<void(const gr_complex* y, int n, const key& k, gr_complex* out)>;

    struct options {
        int grid = 512;               //!< grid points per axis (>= 8)
        size_t max_bytes = 16u << 20; //!< all cached levels together
        double margin = 5.0;          //!< grid margin beyond the points, in sigma
        //! a cell whose 4 corner values differ by more than jump x the minimum distance
        //! between points holds a jump of the map (ddim at low SNR: a boundary between
        //! basins): the cells whose stencil holds it are refined (refine), else misses
        double jump = 0.25;
        //! sub-cells per axis of each rough cell (bilinear on the sub-grid); 0: the
        //! network runs every sample in a rough cell
        int refine = 8;
        bool background = true; //!< build on a thread (else in lookup())
    };

    /*!
     * points: the constellation (>= 1 point, finite); sigma2_of_step[t - 1] = noise
     * variance of step t (> 0). Throws std::invalid_argument on bad options (a single
     * level larger than max_bytes, grid < 8, bad points).
     */
    denoise_table(const std::vector<gr_complex>& points,
                  const std::vector<double>& sigma2_of_step,
                  map_fn fn,
                  const options& opt);
    ~denoise_table();
    denoise_table(const denoise_table&) = delete;
    denoise_table& operator=(const denoise_table&) = delete;

    /*!
     * Interpolate n samples; sample i at step t[i] (1..T) of (mode, steps). Samples whose
     * level is not built yet (a build is requested), or that lie outside the grid or are
     * not finite, are misses: their indices go to miss[0..return value) and out[i] is
     * left untouched. Not thread-safe against itself (one caller).
     */
    int lookup(const gr_complex* y,
               const int* t,
               int n,
               int mode,
               int steps,
               gr_complex* out,
               int* miss);

    /*!
     * What lookup() returns at y (n samples, step k.t) once the level is built, computed
     * without building it: the map at the 16 grid nodes around each sample (16 n map
     * evaluations), interpolated as lookup() does. Outside the grid: the map itself.
     * For the load-time probe (cheap: no whole table).
     */
    void probe_values(const key& k, const gr_complex* y, int n, gr_complex* out) const;
    //! request a level (built in the background; at once without a builder thread)
    void prefetch(const key& k) { request(k); }
    //! build the level now on this thread (unless cached); false when it cannot be kept
    bool build_now(const key& k);
    //! block until no build is pending or running
    void wait_idle();
    //! drop every level (e.g. tests)
    void clear();

    int grid() const { return d_opt.grid; }
    //! one level's coarse grid: the values and the jump flags (its refinement adds
    //! (refine + 1)^2 values and refine^2 flags per rough cell)
    size_t level_bytes() const
    {
        return size_t(d_opt.grid) * d_opt.grid * (sizeof(gr_complex) + 1);
    }
    size_t bytes() const; //!< memory of the cached levels (refinements included)
    int levels() const;   //!< cached levels
    uint64_t builds() const { return d_builds.load(); }
    //! fraction of the cells of a cached level marked as holding a jump (-1: not cached)
    double rough_fraction(const key& k) const;
    //! fraction of the sub-cells of a cached level's refined cells that still hold a
    //! jump (misses); -1: not cached or not refined
    double rough_subcell_fraction(const key& k) const;
    //! bytes of a cached level (coarse grid + refinement; 0: not cached)
    size_t level_bytes(const key& k) const;
    //! seconds of the last level's build (coarse grid + refinement)
    double last_build_seconds() const { return d_last_build_s.load(); }
    //! grid spacing (I, Q) at step t
    std::pair<double, double> spacing(int t) const;
    //! "Catmull-Rom 512 x 512 (2 MiB per level), 16 MiB cache" for log lines
    std::string describe() const;
    //! the kernel in use: "avx2" or "portable"
    const char* isa() const;

private:
    struct level {
        key k;
        float x0, y0, inv_hx, inv_hy;
        int n;
        std::vector<float> data;    // n x n complex (re, im) rows along I, row index Q
        std::vector<uint8_t> rough; // n x n: 1 = the cell from this node holds a jump
        // refinement of the rough cells (s = 0: none): sorted cell ids j * n + i (those
        // of row j from sub_row[j] to sub_row[j + 1]), per cell (s + 1)^2 complex values
        // (rows along I) and s^2 jump flags
        int s = 0;
        std::vector<uint32_t> sub_cell, sub_row;
        std::vector<float> sub_data;
        std::vector<uint8_t> sub_rough;
        std::atomic<uint64_t> last_use{ 0 };
        size_t bytes() const
        {
            return data.size() * sizeof(float) + rough.size() +
                   (sub_cell.size() + sub_row.size()) * sizeof(uint32_t) +
                   sub_data.size() * sizeof(float) + sub_rough.size();
        }
    };
    using level_ptr = std::shared_ptr<level>;

    std::vector<gr_complex> d_points;
    std::vector<double> d_sigma2;
    map_fn d_fn;
    options d_opt;
    double d_re_min, d_re_max, d_im_min, d_im_max;
    float d_jump; // jump x the minimum point distance
    bool d_avx2;

    mutable std::mutex d_m;
    std::condition_variable d_cv, d_idle;
    std::map<uint64_t, level_ptr> d_cache;
    std::deque<key> d_queue;
    std::map<uint64_t, bool> d_pending; // queued or building
    std::map<uint64_t, bool> d_failed;  // non-finite map: left to the network
    bool d_stop = false;
    std::atomic<bool> d_abort{ false };
    bool d_busy = false;
    std::atomic<uint64_t> d_generation{ 0 };
    std::atomic<uint64_t> d_builds{ 0 };
    std::atomic<double> d_last_build_s{ 0.0 };
    std::atomic<uint64_t> d_clock{ 0 };
    std::thread d_thread;

    // caller's snapshot: level per step for one (mode, steps)
    std::vector<level_ptr> d_snap;
    uint64_t d_snap_gen = ~uint64_t(0), d_snap_mode = ~uint64_t(0);

    void geometry(int t, float& x0, float& y0, float& hx, float& hy) const;
    level_ptr make_level(const key& k);
    level_ptr refine_level(const level& coarse); // nullptr: nothing to refine / failed
    // evict = false: only if it fits beside the cached levels (a refinement must not push
    // other steps out: they would be rebuilt, and could push it out in turn)
    bool insert(level_ptr lv, bool evict = true);
    void request(const key& k);
    void run();
    void refresh_snapshot(int mode, int steps);
};

} // namespace diffusion
} // namespace gr

#endif /* INCLUDED_DIFFUSION_DENOISE_TABLE_H */
