// Binary snapshot of Definitions::Store: a flat, length-prefixed encoding of the
// fields read from the JSON; derived indexes are rebuilt by index_structure().
#include "fhir/definitions/binary_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "fhir/definitions/structure_reader.h"

namespace carebridge::fhir::definitions {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "carebridge-definitions-v7\n";  // v2: minValue, maxValue, maxLength; v3: maxValueSet; v4: R4 corrections; v5: aggregation, max given; v6: non-R4 elements left out; v7: context invariants

class Encoder {
 public:
  void u32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void flag(bool v) { out_ += static_cast<char>(v); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void strings(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  template <typename T, typename F>
  void list(const std::vector<T>& v, F&& each) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& item : v) each(item);
  }
  template <typename T, typename F>
  void optional(const std::optional<T>& v, F&& each) {
    flag(v.has_value());
    if (v) each(*v);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }

  uint32_t u32() {
    uint32_t v = 0;
    if (!need(sizeof v)) return 0;
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  bool flag() { return need(1) ? in_[pos_++] != 0 : false; }
  std::string str() {
    uint32_t n = u32();
    if (!need(n)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> strings() {
    std::vector<std::string> v(bounded(u32()));
    for (auto& s : v) s = str();
    return v;
  }
  template <typename T, typename F>
  void list(std::vector<T>& v, F&& each) {
    v.resize(bounded(u32()));
    for (auto& item : v) each(item);
  }
  template <typename T, typename F>
  void optional(std::optional<T>& v, F&& each) {
    if (!flag()) return;
    v.emplace();
    each(*v);
  }

 private:
  bool need(size_t n) {
    if (ok_ && pos_ + n <= in_.size()) return true;
    ok_ = false;
    return false;
  }
  // A count can never exceed the bytes left: guards against damaged files.
  size_t bounded(uint32_t n) {
    if (n > in_.size() - pos_) ok_ = false;
    return ok_ ? n : 0;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void encode(Encoder& e, const ElementDef& el) {
  e.str(el.id);
  e.str(el.path);
  e.str(el.name);
  e.str(el.slice_name);
  e.u32(el.min);
  e.u32(el.max);
  for (bool f : {el.repeats, el.is_choice, el.xml_attribute, el.xhtml, el.is_modifier, el.is_summary, el.must_support, el.max_given}) {
    e.flag(f);
  }
  e.list(el.types, [&](const TypeRef& t) {
    e.str(t.code);
    e.strings(t.profiles);
    e.strings(t.target_profiles);
    e.strings(t.aggregation);
  });
  e.list(el.constraints, [&](const Constraint& c) {
    for (const auto* s : {&c.key, &c.severity, &c.human, &c.expression, &c.source}) e.str(*s);
  });
  e.optional(el.binding, [&](const Binding& b) {
    e.str(b.strength);
    e.str(b.value_set);
    e.str(b.max_value_set);
  });
  for (const auto* v : {&el.fixed, &el.pattern, &el.min_value, &el.max_value}) {
    e.optional(*v, [&](const TypedJson& t) {
      e.str(t.type);
      e.str(t.json);
    });
  }
  e.optional(el.slicing, [&](const Slicing& s) {
    e.list(s.discriminators, [&](const Discriminator& d) {
      e.str(d.type);
      e.str(d.path);
    });
    e.flag(s.ordered);
    e.str(s.rules);
  });
  e.str(el.content_reference);
  e.u32(el.max_length);
}

void decode(Decoder& d, ElementDef& el) {
  el.id = d.str();
  el.path = d.str();
  el.name = d.str();
  el.slice_name = d.str();
  el.min = d.u32();
  el.max = d.u32();
  for (bool* f : {&el.repeats, &el.is_choice, &el.xml_attribute, &el.xhtml, &el.is_modifier, &el.is_summary, &el.must_support,
                  &el.max_given}) {
    *f = d.flag();
  }
  d.list(el.types, [&](TypeRef& t) {
    t.code = d.str();
    t.profiles = d.strings();
    t.target_profiles = d.strings();
    t.aggregation = d.strings();
  });
  d.list(el.constraints, [&](Constraint& c) {
    for (auto* s : {&c.key, &c.severity, &c.human, &c.expression, &c.source}) *s = d.str();
  });
  d.optional(el.binding, [&](Binding& b) {
    b.strength = d.str();
    b.value_set = d.str();
    b.max_value_set = d.str();
  });
  for (auto* v : {&el.fixed, &el.pattern, &el.min_value, &el.max_value}) {
    d.optional(*v, [&](TypedJson& t) {
      t.type = d.str();
      t.json = d.str();
    });
  }
  d.optional(el.slicing, [&](Slicing& s) {
    d.list(s.discriminators, [&](Discriminator& x) {
      x.type = d.str();
      x.path = d.str();
    });
    s.ordered = d.flag();
    s.rules = d.str();
  });
  el.content_reference = d.str();
  el.max_length = d.u32();
}

void encode(Encoder& e, const StructureDef& sd) {
  for (const auto* s : {&sd.url, &sd.version, &sd.name, &sd.type, &sd.base_definition}) e.str(*s);
  e.u32(static_cast<uint32_t>(sd.kind));
  e.u32(static_cast<uint32_t>(sd.derivation));
  e.flag(sd.is_abstract);
  e.flag(sd.has_snapshot);
  e.strings(sd.contexts);
  e.strings(sd.context_invariants);
  e.u32(static_cast<uint32_t>(sd.json_value));
  e.str(sd.system_type);
  e.str(sd.value_regex);
  e.list(sd.elements, [&](const ElementDef& el) { encode(e, el); });
}

StructureDef decode_structure(Decoder& d) {
  StructureDef sd;
  for (auto* s : {&sd.url, &sd.version, &sd.name, &sd.type, &sd.base_definition}) *s = d.str();
  sd.kind = static_cast<StructureKind>(d.u32());
  sd.derivation = static_cast<Derivation>(d.u32());
  sd.is_abstract = d.flag();
  sd.has_snapshot = d.flag();
  sd.contexts = d.strings();
  sd.context_invariants = d.strings();
  sd.json_value = static_cast<JsonValueKind>(d.u32());
  sd.system_type = d.str();
  sd.value_regex = d.str();
  d.list(sd.elements, [&](ElementDef& el) { decode(d, el); });
  return sd;
}

}  // namespace

std::string cache_key(const std::vector<fs::path>& sources) {
  std::string key(kMagic);
  for (const auto& source : sources) {
    std::error_code ec;
    auto size = fs::file_size(source, ec);
    auto time = fs::last_write_time(source, ec).time_since_epoch().count();
    key += fs::absolute(source, ec).string() + ' ' + std::to_string(size) + ' ' + std::to_string(time) + '\n';
  }
  return key;
}

bool save_cache(const fs::path& file, const std::string& key, const Definitions::Store& store) {
  Encoder e;
  e.str(key);
  e.u32(static_cast<uint32_t>(store.structures.size()));
  for (const auto& sd : store.structures) encode(e, sd);
  e.u32(static_cast<uint32_t>(store.resources.size()));
  for (const auto& r : store.resources) {
    for (const auto* s : {&r.resource_type, &r.url, &r.version, &r.json}) e.str(*s);
  }
  fs::path temp = file;
  temp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary);
    if (!out) return false;
    out.write(e.out().data(), static_cast<std::streamsize>(e.out().size()));
    if (!out) return false;
  }
  std::error_code ec;
  fs::rename(temp, file, ec);
  if (ec) fs::remove(temp, ec);
  return !ec;
}

namespace {

// A read-only mapping of a whole file, populated in one call (no page fault per page
// and no copy into a buffer first).
class MappedFile {
 public:
  explicit MappedFile(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

bool load_cache(const fs::path& file, const std::string& key, Definitions::Store& store) {
  MappedFile mapped(file);
  std::string_view data = mapped.view();
  if (data.empty()) return false;
  Decoder d(data);
  if (d.str() != key || !d.ok()) return false;
  uint32_t structure_count = d.u32();
  if (structure_count > data.size()) return false;
  std::vector<StructureDef> structures(structure_count);
  for (auto& sd : structures) sd = decode_structure(d);
  uint32_t resource_count = d.u32();
  if (resource_count > data.size()) return false;
  std::vector<ConformanceResource> resources(resource_count);
  for (auto& r : resources) {
    for (auto* s : {&r.resource_type, &r.url, &r.version, &r.json}) *s = d.str();
  }
  if (!d.ok() || !d.done()) return false;
  for (auto& sd : structures) {
    index_structure(sd);
    store.add(std::move(sd));
  }
  for (auto& r : resources) store.add(std::move(r));
  return true;
}

}  // namespace carebridge::fhir::definitions
