#include "dfe/physics/radial_ground_state.hpp"

#include "dfe/core/error.hpp"
#include "dfe/physics/potential.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <numbers>
#include <string>

namespace dfe {

namespace {

using C = std::complex<double>;
constexpr double pi = std::numbers::pi;

/// A 1D complex FFT pair of size n on its own buffer (FFTW_ESTIMATE; serial).
class Fft1 {
public:
    explicit Fft1(long n) : n_(n), buf_(static_cast<std::size_t>(n))
    {
        auto* p = reinterpret_cast<fftw_complex*>(buf_.data());
        fwd_ = fftw_plan_dft_1d(static_cast<int>(n), p, p, FFTW_FORWARD, FFTW_ESTIMATE);
        bwd_ = fftw_plan_dft_1d(static_cast<int>(n), p, p, FFTW_BACKWARD, FFTW_ESTIMATE);
        require_logic(fwd_ != nullptr && bwd_ != nullptr, "radial ground state: FFTW planning failed");
    }
    ~Fft1()
    {
        fftw_destroy_plan(fwd_);
        fftw_destroy_plan(bwd_);
    }
    Fft1(const Fft1&) = delete;
    Fft1& operator=(const Fft1&) = delete;
    std::vector<C>& buf() { return buf_; }
    void forward() { fftw_execute(fwd_); }
    void backward() { fftw_execute(bwd_); }  // unnormalized
    long size() const { return n_; }

private:
    long n_;
    std::vector<C> buf_;
    fftw_plan fwd_ = nullptr, bwd_ = nullptr;
};

double wave_number(long j, long n, double period) { return 2.0 * pi / period * static_cast<double>(j < n / 2 ? j : j - n); }

class Solver {
public:
    Solver(double R, long n) : R_(R), n_(n), h_(2.0 * R / static_cast<double>(n)), c_(n / 2), f_(n), p_(2 * n),
                               r_(static_cast<std::size_t>(n)), k_(static_cast<std::size_t>(n)),
                               kernel_(static_cast<std::size_t>(2 * n))
    {
        for (long m = 0; m < n; ++m) {
            r_[static_cast<std::size_t>(m)] = -R + static_cast<double>(m) * h_;
            k_[static_cast<std::size_t>(m)] = wave_number(m, n, 2.0 * R);
        }
        const long M = 2 * n;
        const double Lt = 2.0 * R;
        for (long j = 0; j < M; ++j) {
            const double k = std::abs(wave_number(j, M, 4.0 * R));
            const double v = k == 0.0 ? 2.0 * Lt * (1.0 - std::log(Lt))
                                      : 2.0 * (detail::sine_integral(k * Lt) - std::log(Lt) * std::sin(k * Lt)) / k;
            kernel_[static_cast<std::size_t>(j)] = v / static_cast<double>(M);  // FFTW's 1/M folded in
        }
    }

    std::size_t n() const { return static_cast<std::size_t>(n_); }
    double r(std::size_t m) const { return r_[m]; }
    double h() const { return h_; }

    /// a ← (symbol(k) a), symbol applied in Fourier space.
    template <class F>
    void multiply(std::vector<double>& a, F symbol)
    {
        auto& b = f_.buf();
        for (std::size_t m = 0; m < n(); ++m) b[m] = a[m];
        f_.forward();
        for (std::size_t m = 0; m < n(); ++m) b[m] *= symbol(k_[m]) / static_cast<double>(n_);
        f_.backward();
        for (std::size_t m = 0; m < n(); ++m) a[m] = b[m].real();
    }
    std::vector<double> derivative(std::vector<double> a)
    {
        auto& b = f_.buf();
        for (std::size_t m = 0; m < n(); ++m) b[m] = a[m];
        f_.forward();
        for (std::size_t m = 0; m < n(); ++m) b[m] *= C(0.0, k_[m]) / static_cast<double>(n_);
        b[static_cast<std::size_t>(n_ / 2)] = 0.0;  // the Nyquist mode (zero for odd u anyway)
        f_.backward();
        for (std::size_t m = 0; m < n(); ++m) a[m] = b[m].real();
        return a;
    }
    /// Q = u/r, Q(0) = u'(0).
    std::vector<double> q_of(const std::vector<double>& u)
    {
        std::vector<double> q(n());
        for (std::size_t m = 0; m < n(); ++m) q[m] = m == static_cast<std::size_t>(c_) ? 0.0 : u[m] / r_[m];
        q[static_cast<std::size_t>(c_)] = derivative(u)[static_cast<std::size_t>(c_)];
        return q;
    }
    /// w = r (|x|^{−2} * ρ)(r) = −2π (g * ln|·|) for odd g = rρ.
    std::vector<double> convolve(const std::vector<double>& g)
    {
        const long M = 2 * n_;
        auto& b = p_.buf();
        std::fill(b.begin(), b.end(), C(0.0));
        for (long m = 0; m < n_; ++m) b[static_cast<std::size_t>(((m - c_) % M + M) % M)] = g[static_cast<std::size_t>(m)];
        p_.forward();
        for (std::size_t j = 0; j < b.size(); ++j) b[j] *= kernel_[j];
        p_.backward();
        std::vector<double> w(n());
        for (long m = 0; m < n_; ++m) w[static_cast<std::size_t>(m)] = 2.0 * pi * b[static_cast<std::size_t>(((m - c_) % M + M) % M)].real();
        return w;
    }
    void make_odd(std::vector<double>& u) const
    {
        std::vector<double> v(u);
        for (long m = 0; m < n_; ++m) u[static_cast<std::size_t>(m)] = 0.5 * (v[static_cast<std::size_t>(m)] - v[static_cast<std::size_t>((n_ - m) % n_)]);
    }

private:
    double R_;
    long n_;
    double h_;
    long c_;
    Fft1 f_, p_;
    std::vector<double> r_, k_, kernel_;
};

}  // namespace

RadialGroundState radial_ground_state_power2(double R, long n, double tol, int max_iter)
{
    require_logic(R > 0.0 && n >= 16 && n % 2 == 0, "radial_ground_state_power2: needs R > 0 and an even n >= 16");
    Solver s(R, n);
    const std::size_t N = s.n();
    std::vector<double> u(N), Lu(N), Nu(N), g(N);
    for (std::size_t m = 0; m < N; ++m) u[m] = 3.0 * s.r(m) * std::exp(-0.5 * s.r(m) * s.r(m));
    s.make_odd(u);
    RadialGroundState out;
    out.R = R;
    out.n = n;
    out.h = s.h();
    const auto L = [](double k) { return k * k + 1.0; };
    double res = INFINITY;
    int it = 0;
    for (;; ++it) {
        const auto q = s.q_of(u);
        for (std::size_t m = 0; m < N; ++m) g[m] = u[m] * q[m];
        const auto w = s.convolve(g);
        for (std::size_t m = 0; m < N; ++m) Nu[m] = w[m] * q[m];
        Lu = u;
        s.multiply(Lu, L);
        double num = 0.0, den = 0.0, a = 0.0, b = 0.0;
        for (std::size_t m = 0; m < N; ++m) {
            num += (Lu[m] - Nu[m]) * (Lu[m] - Nu[m]);
            den += Lu[m] * Lu[m];
            a += Lu[m] * u[m];
            b += Nu[m] * u[m];
        }
        res = std::sqrt(num / den);
        if (res <= tol || it >= max_iter) break;
        const double factor = std::pow(a / b, 1.5);
        u = Nu;
        s.multiply(u, [&](double k) { return factor / L(k); });
        s.make_odd(u);
    }
    if (!(res <= tol))
        throw Error("radial ground state: residual " + std::to_string(res) + " after " + std::to_string(it) +
                         " Petviashvili steps, above " + std::to_string(tol));
    out.iterations = it;
    out.residual = res;
    const auto q = s.q_of(u);
    for (std::size_t m = 0; m < N; ++m) g[m] = u[m] * q[m];
    const auto w = s.convolve(g);
    const auto du = s.derivative(u);
    const double h2pi = 2.0 * pi * s.h();
    for (std::size_t m = 0; m < N; ++m) {
        out.mass += h2pi * u[m] * u[m];
        out.grad2 += h2pi * du[m] * du[m];
        out.interaction += h2pi * s.r(m) * w[m] * q[m] * q[m];
        out.x2 += h2pi * s.r(m) * s.r(m) * u[m] * u[m];
    }
    out.nehari = (out.grad2 + out.mass - out.interaction) / out.interaction;
    out.pohozaev = (0.5 * out.grad2 + 1.5 * out.mass - out.interaction) / out.interaction;
    out.u = std::move(u);
    return out;
}

RadialProfile::RadialProfile(const RadialGroundState& gs) : R_(gs.R)
{
    constexpr long refine = 8;
    const long n = gs.n, nf = refine * n;
    // Trigonometric interpolation of u by zero padding of its spectrum (the Nyquist term is 0 for odd u).
    Fft1 a(n), b(nf);
    for (long m = 0; m < n; ++m) a.buf()[static_cast<std::size_t>(m)] = gs.u[static_cast<std::size_t>(m)];
    a.forward();
    std::fill(b.buf().begin(), b.buf().end(), C(0.0));
    for (long j = 0; j < n; ++j) {
        if (j == n / 2) continue;
        const long jf = j < n / 2 ? j : j - n + nf;
        b.buf()[static_cast<std::size_t>(jf)] = a.buf()[static_cast<std::size_t>(j)] / static_cast<double>(n);
    }
    b.backward();
    dr_ = gs.h / static_cast<double>(refine);
    // Fine point mf sits at r = −R + mf dr; r = 0 at mf = nf/2. Keep r ≥ 0.
    const long c = nf / 2;
    q_.resize(static_cast<std::size_t>(nf / 2 + 1));
    for (long j = 1; j <= nf / 2; ++j) q_[static_cast<std::size_t>(j)] = b.buf()[static_cast<std::size_t>((c + j) % nf)].real() / (static_cast<double>(j) * dr_);
    // Q(0) = u'(0), spectrally from the coarse spectrum.
    double d0 = 0.0;
    for (long j = 0; j < n; ++j) {
        if (j == n / 2) continue;
        const double k = wave_number(j, n, 2.0 * gs.R);
        // u(r) = Σ a_j e^{ik(r + R)} / n: u'(0) = Σ i k a_j e^{ikR} / n
        d0 += (C(0.0, k) * a.buf()[static_cast<std::size_t>(j)] * std::exp(C(0.0, k * gs.R))).real() / static_cast<double>(n);
    }
    q_[0] = d0;
}

double RadialProfile::operator()(double r) const
{
    r = std::abs(r);
    if (r >= R_ - 8.0 * dr_) return 0.0;
    const double x = r / dr_;
    const long i0 = static_cast<long>(std::floor(x)) - 3;  // points i0 .. i0+7
    double sum = 0.0;
    for (long i = i0; i < i0 + 8; ++i) {
        double l = 1.0;
        for (long j = i0; j < i0 + 8; ++j)
            if (j != i) l *= (x - static_cast<double>(j)) / static_cast<double>(i - j);
        sum += l * q_[static_cast<std::size_t>(std::abs(i))];  // Q is even
    }
    return sum;
}

const CriticalCoupling& critical_coupling_power2()
{
    static const CriticalCoupling cc = [] {
        CriticalCoupling out;
        const auto coarse = radial_ground_state_power2(24.0, 512);
        out.fine = radial_ground_state_power2(32.0, 1024);
        out.lambda_c = out.fine.mass;
        out.coarse = coarse.mass;
        out.error = std::abs(out.fine.mass - coarse.mass) + out.fine.mass * out.fine.residual;
        out.xP2 = out.fine.x2 / out.fine.mass;
        return out;
    }();
    return cc;
}

}  // namespace dfe
