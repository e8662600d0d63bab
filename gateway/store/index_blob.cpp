// Blob layout, per row: kind (1 byte), presence of low and high (1 byte), param,
// system, code, text and norm (each a 4-byte length and its bytes), then low and
// high as 8-byte doubles when present. Little-endian, as written by this machine;
// the blob never leaves the database file it was written to.
#include "gateway/store/index_blob.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace carebridge::gateway::store {
namespace {

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void put_text(std::string& out, const std::string& text) {
  put(out, static_cast<uint32_t>(text.size()));
  out += text;
}

class Reader {
 public:
  explicit Reader(std::string_view blob) : rest_(blob) {}
  bool done() const { return rest_.empty(); }

  template <typename T>
  T take() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, rest_.data(), sizeof value);
    rest_.remove_prefix(sizeof value);
    return value;
  }

  std::string take_text() {
    auto size = take<uint32_t>();
    need(size);
    std::string text(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return text;
  }

 private:
  void need(size_t size) const {
    if (rest_.size() < size) throw std::runtime_error("a stored search-index blob is truncated");
  }
  std::string_view rest_;
};

}  // namespace

std::string pack_index(const std::vector<IndexEntry>& rows) {
  std::string out;
  for (const IndexEntry& e : rows) {
    put(out, static_cast<uint8_t>(e.kind));
    put(out, static_cast<uint8_t>((e.low ? 1 : 0) | (e.high ? 2 : 0)));
    for (const std::string* text : {&e.param, &e.system, &e.code, &e.text, &e.norm}) put_text(out, *text);
    if (e.low) put(out, *e.low);
    if (e.high) put(out, *e.high);
  }
  return out;
}

std::vector<IndexEntry> unpack_index(std::string_view blob) {
  std::vector<IndexEntry> rows;
  Reader in(blob);
  while (!in.done()) {
    IndexEntry e;
    auto kind = in.take<uint8_t>();
    if (kind > static_cast<uint8_t>(IndexKind::Uri)) throw std::runtime_error("a stored search-index blob is damaged");
    e.kind = static_cast<IndexKind>(kind);
    auto present = in.take<uint8_t>();
    for (std::string* text : {&e.param, &e.system, &e.code, &e.text, &e.norm}) *text = in.take_text();
    if (present & 1) e.low = in.take<double>();
    if (present & 2) e.high = in.take<double>();
    rows.push_back(std::move(e));
  }
  return rows;
}

}  // namespace carebridge::gateway::store
