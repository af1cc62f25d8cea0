#pragma once
/// @file
/// The whole public API of xgrad: the autograd core and `xgrad::nn`.

#include <xgrad/nn/activation.hpp>
#include <xgrad/nn/checkpoint.hpp>
#include <xgrad/nn/data.hpp>
#include <xgrad/nn/init.hpp>
#include <xgrad/nn/linear.hpp>
#include <xgrad/nn/loss.hpp>
#include <xgrad/nn/mlp.hpp>
#include <xgrad/nn/module.hpp>
#include <xgrad/nn/optim.hpp>
#include <xgrad/nn/scalar.hpp>
#include <xgrad/nn/schedule.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/xgrad.hpp>
