#pragma once
/// @file
/// Checkpoints: a module's parameters (and an optimizer's state) in a small versioned binary
/// file, written atomically and verified completely before anything is loaded.
///
/// Format (all integers little-endian):
///   "XGRADCKP" · version u32 · record count u32 ·
///   records: name length u32 · name · rank u32 · dims u64×rank · data f64×Πdims ·
///   FNV-1a 64-bit checksum of every byte before it.
/// Parameters are stored under their `named_parameters()` names; optimizer state under
/// "optimizer.<name>.steps" and "optimizer.<name>.<i>".

#include <xgrad/nn/module.hpp>
#include <xgrad/nn/optim.hpp>

#include <string>

namespace xgrad::nn {

/// A checkpoint that cannot be written or read; the message names the file and the problem.
class checkpoint_error : public error {
 public:
  using error::error;
};

/// The current format version.
inline constexpr unsigned checkpoint_version = 1;

/// Writes `module`'s parameters, and `optimizer`'s state if given, to `path`: to a temporary
/// file in the same folder first, flushed to disk, then renamed over `path`, so `path` always
/// holds either the old or the new checkpoint. The new file gets the usual mode (0666 less the
/// umask), like any file the program creates. A save killed mid-way can leave its hidden
/// temporary file (`.<name>.<pid>.<n>.tmp`) beside `path`; it never replaces `path`, and a later
/// save is unaffected by it.
void save(const Module& module, const std::string& path, const Optimizer* optimizer = nullptr);

/// Reads `path` into `module` (and `optimizer`, if given). The whole file is checked — format,
/// checksum, names and shapes against the module — before any parameter is changed: on error
/// nothing is loaded and checkpoint_error says why. Only regular files are read (not a folder,
/// a device or a pipe), and memory use stays proportional to the file's size.
void load(Module& module, const std::string& path, Optimizer* optimizer = nullptr);

}  // namespace xgrad::nn
