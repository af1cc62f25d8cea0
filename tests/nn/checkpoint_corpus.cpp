#include "checkpoint_corpus.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace ckpt_test {

namespace nn = xgrad::nn;
using xgrad::Tensor;
using xgrad::Value;

void Encoder::record(const std::string& name, const std::vector<std::uint64_t>& dims, const std::vector<double>& data) {
  u32(static_cast<std::uint32_t>(name.size()));
  bytes.insert(bytes.end(), name.begin(), name.end());
  u32(static_cast<std::uint32_t>(dims.size()));
  for (std::uint64_t d : dims) {
    u64(d);
  }
  for (double x : data) {
    f64(x);
  }
}

Bytes Encoder::finish() const {
  Encoder out = *this;
  out.u64(fnv1a(bytes));
  return out.bytes;
}

void Encoder::put(std::uint64_t x, int n) {
  for (int i = 0; i < n; ++i) {
    bytes.push_back(static_cast<unsigned char>(x >> (8 * i)));
  }
}

std::uint64_t fnv1a(const Bytes& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h = (h ^ c) * 0x100000001b3ULL;
  }
  return h;
}

Bytes with_bit_flipped(Bytes file, std::uint64_t bit) {
  file[bit / 8] = static_cast<unsigned char>(file[bit / 8] ^ (1U << (bit % 8)));
  return file;
}

Bytes resigned(Bytes file) {
  file.resize(file.size() - 8);
  const std::uint64_t h = fnv1a(file);
  for (int i = 0; i < 8; ++i) {
    file.push_back(static_cast<unsigned char>(h >> (8 * i)));
  }
  return file;
}

namespace {

std::uint64_t uint_at(const Bytes& file, std::size_t at, int n) {
  std::uint64_t x = 0;
  for (int i = 0; i < n; ++i) {
    x |= static_cast<std::uint64_t>(file.at(at + static_cast<std::size_t>(i))) << (8 * i);
  }
  return x;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> number_ranges(const Bytes& file) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t at = 8 + 4;  // magic, version
  const std::uint64_t count = uint_at(file, at, 4);
  at += 4;
  for (std::uint64_t r = 0; r < count; ++r) {
    at += 4 + uint_at(file, at, 4);  // the name
    const std::uint64_t rank = uint_at(file, at, 4);
    at += 4;
    std::uint64_t n = 1;
    for (std::uint64_t d = 0; d < rank; ++d, at += 8) {
      n *= uint_at(file, at, 8);
    }
    ranges.emplace_back(at, at + 8 * n);
    at += 8 * n;
  }
  if (at + 8 != file.size()) {
    throw std::logic_error("number_ranges: not a well-formed file");
  }
  return ranges;
}

double f64_at(const Bytes& file, std::size_t at) { return std::bit_cast<double>(uint_at(file, at, 8)); }

Tiny::Tiny() {
  layer.weight().mutable_data() = nn_test::column({0.5, -1.5});
  layer.bias().mutable_data() = Tensor{0.25};
}

Encoder header(std::uint32_t count, std::uint32_t version) {
  Encoder e;
  e.u32(version);
  e.u32(count);
  return e;
}

Encoder tiny_file(std::uint32_t count, std::uint32_t version) {
  Encoder e = header(count, version);
  e.record("weight", {2, 1}, {0.5, -1.5});
  e.record("bias", {1}, {0.25});
  return e;
}

void put_file(const std::string& path, const Bytes& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw std::runtime_error("put_file: cannot open " + path);
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("put_file: cannot write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::ftruncate(fd, static_cast<off_t>(bytes.size())) != 0) {
    ::close(fd);
    throw std::runtime_error("put_file: cannot truncate " + path);
  }
  ::close(fd);
}

Bytes saved_checkpoint(const nn_test::TempDir& dir) {
  Tiny tiny;
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  tiny.layer(Value(Tensor{{1.0, 2.0}})).backward(Tensor(xt::ones<double>({1, 1})));
  sgd.step();
  nn::save(tiny.layer, dir.file("good.ckpt"), &sgd);
  return nn_test::read_bytes(dir.file("good.ckpt"));
}

namespace {

constexpr std::uint64_t two_to(int k) { return std::uint64_t{1} << k; }

// The largest axis an empty tensor may have: its stride still fits a std::ptrdiff_t in bytes.
constexpr std::uint64_t max_extent = std::numeric_limits<std::ptrdiff_t>::max() / sizeof(double);

// Tiny's parameters, then SGD state with the given step count and buffers.
Encoder tiny_with_sgd(double steps, const std::vector<std::uint64_t>& buffer0 = {2, 1}) {
  Encoder e = tiny_file(5);
  e.record("optimizer.SGD.steps", {}, {steps});
  std::uint64_t n = 1;
  for (std::uint64_t d : buffer0) {
    n *= d;
  }
  e.record("optimizer.SGD.0", buffer0, std::vector<double>(n, 0.0));
  e.record("optimizer.SGD.1", {1}, {0.0});
  return e;
}

// One record of `dims` (and no data) where Tiny's weight belongs, then the bias.
Encoder dims_file(const std::vector<std::uint64_t>& dims) {
  Encoder e = header(2);
  e.record("weight", dims, {});
  e.record("bias", {1}, {0.25});
  return e;
}

}  // namespace

std::vector<Crafted> crafted_files() {
  const std::string past_end = "runs past the end";
  const std::string too_much = "claims more data than the file holds";
  const std::string checksum = "checksum mismatch";
  const std::string mismatch = "mismatch: the file has";
  std::vector<Crafted> out;
  auto add = [&out](std::string what, Bytes bytes, std::string message, bool with_optimizer = false) {
    out.push_back({std::move(what), std::move(bytes), with_optimizer, std::move(message)});
  };

  // Magic, size and version.
  add("an empty file", {}, "shorter than any checkpoint");
  add("a text file", {'h', 'e', 'l', 'l', 'o', '\n'}, "bad magic");
  Bytes lower = tiny_file(2).finish();
  lower[0] = 'x';
  add("wrong magic, valid otherwise", lower, "bad magic");
  add("the magic alone", Encoder{}.bytes, "shorter than any checkpoint");
  Encoder no_count;
  no_count.u32(nn::checkpoint_version);
  add("magic, version and checksum but no record count", no_count.finish(), "shorter than any checkpoint");
  add("version 0", tiny_file(2, 0).finish(), "unsupported version 0");
  std::string next = "unsupported version ";  // appended: GCC 12 misreports "…" + string (-Wrestrict)
  next += std::to_string(nn::checkpoint_version + 1);
  add("the next version", tiny_file(2, nn::checkpoint_version + 1).finish(), next);
  add("version 2³² − 1", tiny_file(2, 0xFFFFFFFFU).finish(), "unsupported version 4294967295");

  // The checksum.
  Bytes flipped_sum = tiny_file(2).finish();
  flipped_sum.back() ^= 0x80U;
  add("a wrong checksum", flipped_sum, checksum);
  Bytes zero_sum = tiny_file(2).finish();
  std::fill(zero_sum.end() - 8, zero_sum.end(), 0);
  add("a zero checksum", zero_sum, checksum);
  Bytes appended = tiny_file(2).finish();
  appended.push_back(0);
  add("a byte after the checksum", appended, checksum);
  Bytes twice = tiny_file(2).finish();
  const Bytes again = tiny_file(2).finish();
  twice.insert(twice.end(), again.begin(), again.end());
  add("two checkpoints end to end", twice, checksum);
  Encoder unsummed = tiny_file(2);
  add("no checksum at all", unsummed.bytes, checksum);

  // Record counts against the records present.
  add("more records than the file holds", tiny_file(3).finish(), past_end);
  add("a count of 2³² − 1 records", tiny_file(0xFFFFFFFFU).finish(), past_end);
  add("a count of 2³¹ records", tiny_file(0x80000000U).finish(), past_end);
  add("no records", header(0).finish(), "the file ends where 'weight' is expected");
  Encoder extra = tiny_file(2);
  extra.u32(0);
  add("bytes after the last record", extra.finish(), "unexpected bytes after the last record");
  Encoder counted_short = tiny_file(1);
  add("a count of 1 over two records", counted_short.finish(), "unexpected bytes after the last record");
  Encoder third = tiny_file(3);
  third.record("extra", {1}, {1.0});
  add("a third record", third.finish(), "holds 3 records, expected 2");

  // Name lengths.
  for (std::uint32_t length : {0xFFFFFFFFU, 0xFFFFFFF0U, 0x80000000U, 0x10000U}) {
    Encoder e = header(1);
    e.u32(length);
    e.bytes.insert(e.bytes.end(), 8, 'w');
    add("a name of " + std::to_string(length) + " bytes", e.finish(), past_end);
  }
  Encoder one_past = header(1);
  one_past.u32(13);  // the 12 bytes left before the checksum, and one more
  one_past.bytes.insert(one_past.bytes.end(), 12, 'w');
  add("a name one byte longer than the rest of the file", one_past.finish(), past_end);
  Encoder swallowing = header(1);
  swallowing.u32(12);  // exactly the rest: then the rank runs past the end
  swallowing.bytes.insert(swallowing.bytes.end(), 12, 'w');
  add("a name that takes the rest of the file", swallowing.finish(), past_end);
  Encoder empty_name = header(2);
  empty_name.record("", {2, 1}, {0.5, -1.5});
  empty_name.record("bias", {1}, {0.25});
  add("an empty name", empty_name.finish(), mismatch);
  Encoder long_name = header(2);
  long_name.record(std::string(1000, 'w'), {2, 1}, {0.5, -1.5});
  long_name.record("bias", {1}, {0.25});
  add("a 1000-byte name", long_name.finish(), mismatch);
  Encoder binary_name = header(2);
  binary_name.record(std::string("wei\0ght\xff", 8), {2, 1}, {0.5, -1.5});
  binary_name.record("bias", {1}, {0.25});
  add("a name with a NUL and a non-UTF-8 byte", binary_name.finish(), mismatch);

  // Ranks.
  add("rank 33, one above the limit", dims_file(std::vector<std::uint64_t>(33, 1)).finish(), "claims 33 dimensions");
  add("rank 40", dims_file(std::vector<std::uint64_t>(40, 1)).finish(), "claims 40 dimensions");
  Encoder huge_rank = header(1);
  huge_rank.u32(6);
  huge_rank.bytes.insert(huge_rank.bytes.end(), {'w', 'e', 'i', 'g', 'h', 't'});
  huge_rank.u32(0xFFFFFFFFU);
  add("rank 2³² − 1", huge_rank.finish(), "claims 4294967295 dimensions");
  Encoder at_limit = header(2);
  at_limit.record("weight", std::vector<std::uint64_t>(32, 1), {0.5});
  at_limit.record("bias", {1}, {0.25});
  add("rank 32, at the limit: read, then refused as the wrong shape", at_limit.finish(), mismatch);

  // Dimensions.
  add("one dimension of 2²⁰ (8 MiB) in a 60-byte file", dims_file({two_to(20)}).finish(), too_much);
  add("1024 × 1024 × 128 (1 GiB)", dims_file({1024, 1024, 128}).finish(), too_much);
  add("one dimension of 2⁵⁹ (2⁶² bytes, a stride that still fits)", dims_file({two_to(59)}).finish(), too_much);
  add("one dimension of 2⁶¹ (2⁶⁴ bytes)", dims_file({two_to(61)}).finish(), too_much);
  add("one dimension of 2⁶⁴ − 1", dims_file({~std::uint64_t{0}}).finish(), too_much);
  add("2³² × 2³²: a product of 2⁶⁴, which wraps to 0", dims_file({two_to(32), two_to(32)}).finish(), too_much);
  add("2⁶² × 2⁶² × 4: a product that wraps", dims_file({two_to(62), two_to(62), 4}).finish(), too_much);
  add("three dimensions of 2²¹", dims_file({two_to(21), two_to(21), two_to(21)}).finish(), too_much);
  add("2⁶³ then 0", dims_file({two_to(63), 0}).finish(), too_much);
  add("0 then 2⁶³: empty, with a stride of 2⁶⁶ bytes", dims_file({0, two_to(63)}).finish(), too_much);
  add("0 then 2⁶⁴ − 1", dims_file({0, ~std::uint64_t{0}}).finish(), too_much);
  add("2, 0, 2⁶², 4: empty, with strides that wrap", dims_file({2, 0, two_to(62), 4}).finish(), too_much);
  add("0 then 2³² × 2³²", dims_file({0, two_to(32), two_to(32)}).finish(), too_much);
  add("0 then one past the stride limit", dims_file({0, max_extent + 1}).finish(), too_much);
  add("0 then the stride limit: read, then refused as the wrong shape", dims_file({0, max_extent}).finish(), mismatch);
  Encoder short_data = header(2);
  short_data.record("weight", {2, 1}, {0.5});  // one element of two
  add("a record one element short, last in the file", short_data.finish(), too_much);
  Encoder one_short = header(1);
  one_short.record("weight", {3}, {0.5, -1.5});
  add("three elements claimed, two present", one_short.finish(), too_much);

  // Well-formed files that do not fit the module.
  Encoder swapped = header(2);
  swapped.record("bias", {2, 1}, {0.5, -1.5});
  swapped.record("weight", {1}, {0.25});
  add("the right shapes under the wrong names", swapped.finish(), mismatch);
  Encoder transposed = header(2);
  transposed.record("weight", {1, 2}, {0.5, -1.5});
  transposed.record("bias", {1}, {0.25});
  add("a transposed weight", transposed.finish(), "'weight' (1,2) where 'weight' (2,1)");
  Encoder duplicated = header(2);
  duplicated.record("weight", {2, 1}, {0.5, -1.5});
  duplicated.record("weight", {2, 1}, {0.5, -1.5});
  add("the weight twice", duplicated.finish(), mismatch);
  Encoder many = header(4097);  // just past a power of two: the most a doubling vector overshoots
  for (int i = 0; i < 4097; ++i) {
    many.record("", {}, {0.0});
  }
  add("4097 scalar records", many.finish(), mismatch);

  // Optimizer state.
  add("no optimizer state, loaded with an optimizer", tiny_file(2).finish(),
      "the file ends where 'optimizer.SGD.steps' is expected", true);
  Encoder adam = tiny_file(3);
  adam.record("optimizer.Adam.steps", {}, {1.0});
  add("Adam's state, loaded with SGD", adam.finish(), "optimizer.Adam.steps", true);
  add("a step count of 1.5", tiny_with_sgd(1.5).finish(), "not a whole number", true);
  add("a step count of −1", tiny_with_sgd(-1.0).finish(), "not a whole number", true);
  add("a step count of NaN", tiny_with_sgd(std::nan("")).finish(), "not a whole number", true);
  add("a step count of 2⁵³ + 2", tiny_with_sgd(0x1p53 + 2.0).finish(), "not a whole number", true);
  add("a momentum buffer of the wrong shape", tiny_with_sgd(1.0, {1, 2}).finish(), mismatch, true);
  Encoder steps_vector = tiny_file(5);
  steps_vector.record("optimizer.SGD.steps", {1}, {1.0});
  steps_vector.record("optimizer.SGD.0", {2, 1}, {0.0, 0.0});
  steps_vector.record("optimizer.SGD.1", {1}, {0.0});
  add("a step count that is a vector", steps_vector.finish(), mismatch, true);
  return out;
}

}  // namespace ckpt_test
