#!/usr/bin/python3
"""Writes stability_goldens.txt: reference values and derivatives of xgrad's numerically delicate
functions at extreme arguments, computed with mpmath at 50 significant digits.

Run from any directory:  /usr/bin/python3 tests/goldens/generate_goldens.py
(needs Debian's python3-mpmath). The test suite reads only the committed output file.

Every formula below is free of cancellation (sigma(-x) rather than 1 - sigma(x), log1p rather
than log(1 + .)), and every value is computed twice, at 50 and at 100 digits, and must agree to
40 digits, so the written digits are exact however small the result is.
"""

import math
import os
import sys

import mpmath
from mpmath import mp, mpf

POINTS = [-1e4, -1000.0, -100.0, -20.0, -1e-8, 0.0, 1e-8, 20.0, 100.0, 1000.0, 1e4]
LOG_FLOOR = -100  # nn's BCE clamps each probability below at e^-100 before the log
DIGITS = 25       # significant digits written; 17 would already round-trip a double


def sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def softplus(x):
    return mpmath.log1p(mpmath.exp(x))


def clamped_log(q):
    """ln(max(q, e^-100)) and its derivative at an exact q.

    At x = -100 the probability p = fl(sigma(-100)) equals fl(e^-100), the floor nn computes, and
    lies above the real e^-100: the reference takes the unclamped branch, as nn's clamp does (it
    passes values and gradients on its bound)."""
    if q > mpmath.exp(LOG_FLOOR):
        return mpmath.log(q), 1 / q
    return mpf(LOG_FLOOR), mpf(0)


def bce(p, y):
    """-(y ln p + (1 - y) ln(1 - p)), each log clamped at -100; derivative with respect to p."""
    lp, dlp = clamped_log(p)
    if 1 - p > mpmath.exp(LOG_FLOOR):  # ln(1 - p) by log1p: 1 - p itself would round
        lq, dlq = mpmath.log1p(-p), 1 / (1 - p)
    else:
        lq, dlq = mpf(LOG_FLOOR), mpf(0)
    return -(y * lp + (1 - y) * lq), -y * dlp + (1 - y) * dlq


def bce_with_logits(z, y):
    """softplus(z) - y z = (1 - y) softplus(z) + y softplus(-z); derivative sigma(z) - y."""
    value = (1 - y) * softplus(z) + y * softplus(-z)
    return value, (1 - y) * sigmoid(z) - y * sigmoid(-z)


def nearest_double(v):
    """The double nearest to v (checked against both neighbours)."""
    d = float(v)
    for n in (math.nextafter(d, -math.inf), math.nextafter(d, math.inf)):
        assert abs(mpf(n) - v) >= abs(mpf(d) - v), v
    return d


def one_input_rows(x):
    """(name, input, y, value, gradient) of the functions of x alone; y is None."""
    X = mpf(x)  # exact: every double is a binary fraction
    out = [("sigmoid", x, None, sigmoid(X), sigmoid(X) * sigmoid(-X)),
           ("log_sigmoid", x, None, -softplus(-X), sigmoid(-X)),
           ("softplus", x, None, softplus(X), sigmoid(X)),
           ("tanh", x, None, mpmath.tanh(X), 1 / mpmath.cosh(X) ** 2)]
    if mpmath.exp(X) < mpf(sys.float_info.max):  # exp only where the result is a finite double
        out.append(("exp", x, None, mpmath.exp(X), mpmath.exp(X)))
    if x > 0:
        out.append(("log", x, None, mpmath.log(X), 1 / X))
    return out


def loss_rows(x):
    """The two BCE forms at point x for targets 0 and 1."""
    p = nearest_double(sigmoid(mpf(x)))  # BCE takes probabilities: the double nearest sigma(x)
    out = [("bce", p, y, *bce(mpf(p), y)) for y in (0, 1)]
    out += [("bce_with_logits", x, y, *bce_with_logits(mpf(x), y)) for y in (0, 1)]
    return out


def rows():
    """Every row, grouped by function, in the order of POINTS within each function."""
    table = [r for x in POINTS for r in one_input_rows(x) + loss_rows(x)]
    order = ["sigmoid", "log_sigmoid", "softplus", "tanh", "exp", "log", "bce", "bce_with_logits"]
    return sorted(table, key=lambda r: order.index(r[0]))  # stable: keeps the order of POINTS


def text(v):
    return mpmath.nstr(v, DIGITS, min_fixed=-5, max_fixed=8) if v != 0 else "0"


def main():
    mp.dps = 100
    precise = rows()
    mp.dps = 50
    table = rows()
    for a, b in zip(table, precise):
        for u, v in zip(a[3:], b[3:]):
            assert u == v or abs(u - v) <= abs(v) * mpf(10) ** -40, (a, b)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stability_goldens.txt")
    with open(path, "w") as f:
        f.write("# Numerical-stability goldens, written by generate_goldens.py (mpmath %s, 50 digits).\n"
                % mpmath.__version__)
        f.write("# Columns: function input y value gradient. The input is a double written exactly\n")
        f.write("# (repr); for bce it is the probability p, the double nearest sigmoid(x) for each point x,\n")
        f.write("# and the gradient is with respect to p. y is the target ('-' for one-input functions).\n")
        f.write("# Values below the double range are written as they are; they parse to 0 or a denormal.\n")
        for name, x, y, value, grad in table:
            f.write("%s %r %s %s %s\n" % (name, x, "-" if y is None else y, text(value), text(grad)))


if __name__ == "__main__":
    main()
