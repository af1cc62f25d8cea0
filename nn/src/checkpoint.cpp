#include <xgrad/nn/checkpoint.hpp>

#include "file_io.hpp"
#include "names.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

namespace xgrad::nn {

namespace {

constexpr char magic[8] = {'X', 'G', 'R', 'A', 'D', 'C', 'K', 'P'};
constexpr std::uint32_t max_rank = 32;
constexpr std::size_t max_extent = std::numeric_limits<std::ptrdiff_t>::max() / sizeof(double);

struct Record {
  std::string name;
  Tensor data;
};

std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h = (h ^ p[i]) * 0x100000001b3ULL;
  }
  return h;
}

// Little-endian encoding, whatever the machine.
class Writer {
 public:
  template <class U>
  void put(U x) {
    for (std::size_t i = 0; i < sizeof(U); ++i) {
      bytes.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
    }
  }
  void put(double x) { put(std::bit_cast<std::uint64_t>(x)); }
  void put(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void put(const Record& r) {
    put(r.name);
    put(static_cast<std::uint32_t>(r.data.dimension()));
    for (std::size_t d : r.data.shape()) {
      put(static_cast<std::uint64_t>(d));
    }
    for (double x : r.data) {
      put(x);
    }
  }
  std::vector<std::uint8_t> bytes;
};

// Bounds-checked decoding: every length is checked against what is left before it is used, so
// a corrupt file can neither read past its end nor make us allocate more than its size.
class Reader {
 public:
  Reader(const std::vector<std::uint8_t>& bytes, std::size_t end, const std::string& path)
      : bytes_(bytes), end_(end), path_(path) {}

  template <class U>
  U get(const char* what) {
    need(sizeof(U), what);
    U x = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) {
      x |= static_cast<U>(static_cast<U>(bytes_[at_ + i]) << (8 * i));
    }
    at_ += sizeof(U);
    return x;
  }
  Record record(std::uint32_t index) {
    const std::string which = "record " + std::to_string(index);
    Record r;
    const auto name_length = get<std::uint32_t>(which.c_str());
    need(name_length, which.c_str());
    r.name.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(at_),
                  bytes_.begin() + static_cast<std::ptrdiff_t>(at_ + name_length));
    at_ += name_length;
    r.data = Tensor::from_shape(dimensions(which, r.name));  // no larger than the rest of the file
    need(r.data.size() * sizeof(double), which.c_str());
    for (double& x : r.data) {
      x = std::bit_cast<double>(get<std::uint64_t>(which.c_str()));
    }
    return r;
  }
  // A record's dimensions. Their product must fit in what is left of the file, and the product of
  // the non-zero ones in a stride: an empty tensor must not claim a 2⁶³-long axis either.
  Shape dimensions(const std::string& which, const std::string& name) {
    const auto rank = get<std::uint32_t>(which.c_str());
    if (rank > max_rank) {
      fail(which + " claims " + std::to_string(rank) + " dimensions");
    }
    Shape shape(rank);
    std::size_t count = 1;
    std::size_t extent = 1;
    for (std::size_t& d : shape) {
      d = get<std::uint64_t>(which.c_str());
      if (d != 0 && (count > (end_ - at_) / sizeof(double) / d || extent > max_extent / d)) {
        fail(which + " ('" + name + "') claims more data than the file holds");
      }
      count *= d;
      extent *= d == 0 ? 1 : d;
    }
    return shape;
  }
  bool done() const { return at_ == end_; }
  [[noreturn]] void fail(const std::string& what) const { throw checkpoint_error("load: " + path_ + ": " + what); }

 private:
  void need(std::size_t n, const char* what) const {
    if (n > end_ - at_) {
      fail(std::string("truncated or corrupt: ") + what + " runs past the end of the data");
    }
  }
  const std::vector<std::uint8_t>& bytes_;
  std::size_t end_;
  std::size_t at_ = sizeof magic;
  std::string path_;
};

std::string optimizer_key(const Optimizer& o, const std::string& what) {
  return "optimizer." + std::string(o.name()) + "." + what;
}

std::vector<Record> records_of(const Module& module, const Optimizer* optimizer) {
  std::vector<Record> out;
  for (const NamedParameter& p : module.named_parameters()) {
    out.push_back({p.name, p.value.data()});
  }
  if (optimizer != nullptr) {
    const OptimizerState s = optimizer->state();
    out.push_back({optimizer_key(*optimizer, "steps"), Tensor(static_cast<double>(s.steps))});
    for (std::size_t i = 0; i < s.buffers.size(); ++i) {
      out.push_back({optimizer_key(*optimizer, std::to_string(i)), s.buffers[i]});
    }
  }
  return out;
}

}  // namespace

void save(const Module& module, const std::string& path, const Optimizer* optimizer) {
  const std::vector<Record> records = records_of(module, optimizer);
  Writer w;
  w.bytes.assign(std::begin(magic), std::end(magic));
  w.put(static_cast<std::uint32_t>(checkpoint_version));
  w.put(static_cast<std::uint32_t>(records.size()));
  for (const Record& r : records) {
    w.put(r);
  }
  w.put(fnv1a(w.bytes.data(), w.bytes.size()));
  detail::write_atomically(path, w.bytes);
}

namespace {

// Every record of the file at `path`, after checking magic, version and checksum.
std::vector<Record> read_records(const std::string& path) {
  const std::vector<std::uint8_t> bytes = detail::read_file(path);
  const std::size_t header = sizeof magic + 2 * sizeof(std::uint32_t);
  const std::size_t trailer = sizeof(std::uint64_t);
  const Reader whole(bytes, bytes.size(), path);
  const std::size_t compared = std::min(bytes.size(), sizeof magic);
  if (!std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(compared), magic)) {
    whole.fail("not an xgrad checkpoint (bad magic)");
  }
  if (bytes.size() < header + trailer) {
    whole.fail("truncated: " + std::to_string(bytes.size()) + " bytes is shorter than any checkpoint");
  }
  const std::size_t end = bytes.size() - trailer;
  Reader r(bytes, end, path);
  const auto version = r.get<std::uint32_t>("version");
  if (version != checkpoint_version) {
    r.fail("unsupported version " + std::to_string(version) + " (this build reads version " +
           std::to_string(checkpoint_version) + ")");
  }
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < trailer; ++i) {
    stored |= static_cast<std::uint64_t>(bytes[end + i]) << (8 * i);
  }
  if (stored != fnv1a(bytes.data(), end)) {
    r.fail("checksum mismatch: the file is corrupt or truncated");
  }
  const auto count = r.get<std::uint32_t>("record count");
  std::vector<Record> records;
  for (std::uint32_t i = 0; i < count; ++i) {
    records.push_back(r.record(i));
  }
  if (!r.done()) {
    r.fail("unexpected bytes after the last record");
  }
  return records;
}

// Throws unless records first, first + 1, … of `got` are exactly `want`, name by name and shape
// by shape. Names are compared before counts, so that a file from another architecture or
// another optimizer is reported by the first record that differs.
void match(const std::string& path, const std::vector<Record>& want, const std::vector<Record>& got,
           std::size_t first) {
  auto fail = [&](const std::string& what) { throw checkpoint_error("load: " + path + ": " + what); };
  const std::size_t have = got.size() - first;
  for (std::size_t i = 0; i < std::min(have, want.size()); ++i) {
    const Record& g = got[first + i];
    if (g.name != want[i].name || g.data.shape() != want[i].data.shape()) {
      fail("mismatch: the file has '" + g.name + "' " + shape_str(g.data.shape()) + " where '" + want[i].name + "' " +
           shape_str(want[i].data.shape()) + " is expected (a different architecture or optimizer)");
    }
  }
  if (have < want.size()) {
    fail("the file ends where '" + want[have].name + "' is expected (" +
         (want[have].name.rfind("optimizer.", 0) == 0 ? "no optimizer state saved" : "a different architecture") + ")");
  }
}

// The optimizer's step count, stored as a double: a whole number in [0, 2⁵³], where doubles
// are exact; anything else (which only a crafted file can hold) would be undefined to convert.
std::uint64_t step_count(const std::string& path, const Tensor& stored) {
  const double steps = stored();
  if (!(steps >= 0.0 && steps <= 0x1p53 && std::floor(steps) == steps)) {
    throw checkpoint_error("load: " + path + ": the optimizer step count " + detail::number(steps) +
                           " is not a whole number");
  }
  return static_cast<std::uint64_t>(steps);
}

}  // namespace

void load(Module& module, const std::string& path, Optimizer* optimizer) {
  const std::vector<Record> file = read_records(path);
  const std::vector<Record> params = records_of(module, nullptr);
  match(path, params, file, 0);
  std::size_t expected = params.size();
  OptimizerState state;
  if (optimizer != nullptr) {
    const std::vector<Record> slots = records_of(module, optimizer);
    match(path, {slots.begin() + static_cast<std::ptrdiff_t>(params.size()), slots.end()}, file, params.size());
    expected = slots.size();
    state.steps = step_count(path, file[params.size()].data());
    for (std::size_t i = params.size() + 1; i < slots.size(); ++i) {
      state.buffers.push_back(file[i].data);
    }
  }
  // Without an optimizer, the optimizer state a file may carry is simply not read.
  for (std::size_t i = expected; i < file.size(); ++i) {
    if (optimizer != nullptr || file[i].name.rfind("optimizer.", 0) != 0) {
      throw checkpoint_error("load: " + path + ": holds " + std::to_string(file.size()) + " records, expected " +
                             std::to_string(expected) + " (different architecture)");
    }
  }
  // Everything is verified: only now does anything change.
  if (optimizer != nullptr) {
    optimizer->load_state(state);
  }
  const std::vector<NamedParameter> named = module.named_parameters();
  for (std::size_t i = 0; i < named.size(); ++i) {
    named[i].value.mutable_data() = file[i].data;
  }
}

}  // namespace xgrad::nn
