#pragma once
/// @file
/// The whole public API of xgrad's autograd core.

#include <xgrad/allocator.hpp>
#include <xgrad/anomaly.hpp>
#include <xgrad/factory.hpp>
#include <xgrad/grad_mode.hpp>
#include <xgrad/gradcheck.hpp>
#include <xgrad/grads.hpp>
#include <xgrad/graphviz.hpp>
#include <xgrad/kernels.hpp>
#include <xgrad/op.hpp>
#include <xgrad/ops/compare.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/reduction.hpp>
#include <xgrad/ops/shape.hpp>
#include <xgrad/ops/unary.hpp>
#include <xgrad/random.hpp>
#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>
