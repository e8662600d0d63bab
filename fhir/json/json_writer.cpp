// Element model -> JSON text.
#include "fhir/json/json_writer.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace carebridge::fhir::json {
namespace {

using model::Element;

class Emitter {
 public:
  Emitter(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  void open(char bracket) {
    out_ += bracket;
    ++depth_;
    first_ = true;
  }
  void close(char bracket) {
    --depth_;
    if (!first_) newline();
    out_ += bracket;
    first_ = false;
  }
  void key(std::string_view name) {
    separator();
    append_json_string(out_, name);
    out_ += pretty_ ? ": " : ":";
  }
  void item() { separator(); }
  std::string& out() { return out_; }
  void after_value() { first_ = false; }

 private:
  void separator() {
    if (!first_) out_ += ',';
    newline();
    first_ = true;  // the value itself is not yet written; after_value() flips it
  }
  void newline() {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth_) * 2, ' ');
  }

  std::string& out_;
  bool pretty_;
  int depth_ = 0;
  bool first_ = true;
};

bool has_extras(const Element& e) { return e.first_child != nullptr; }

class ModelWriter {
 public:
  explicit ModelWriter(Emitter& emit) : emit_(emit) {}

  void resource(const Element& r) {
    emit_.open('{');
    emit_.key("resourceType");
    append_json_string(emit_.out(), r.type);
    emit_.after_value();
    members(r);
    emit_.close('}');
  }

  void element(const Element& e) {
    if (e.is_resource()) {
      resource(e);
    } else if (e.is_primitive() && e.has_value) {
      value(e);
    } else {
      emit_.open('{');
      members(e);
      emit_.close('}');
    }
  }

 private:
  void members(const Element& parent) {
    std::vector<std::string_view> done;
    std::vector<const Element*> group;
    for (const Element* c = parent.first_child; c; c = c->next) {
      bool seen = false;
      for (auto n : done) seen = seen || n == c->name;
      if (seen) continue;
      done.push_back(c->name);
      group.clear();
      for (const Element* g = c; g; g = g->next) {
        if (g->name == c->name) group.push_back(g);
      }
      property(group);
    }
  }

  void property(const std::vector<const Element*>& group) {
    const Element& first = *group.front();
    bool array = first.kind == model::NodeKind::Unknown ? group.size() > 1 : first.repeats() || group.size() > 1;
    if (first.is_primitive() || (first.kind == model::NodeKind::Unknown && !first.first_child)) {
      primitive(first.name, group, array);
      return;
    }
    emit_.key(first.name);
    if (array) emit_.open('[');
    for (const Element* e : group) {
      if (array) emit_.item();
      if (e->is_resource()) {
        resource(*e);
      } else {
        emit_.open('{');
        members(*e);
        emit_.close('}');
      }
      emit_.after_value();
    }
    if (array) emit_.close(']');
    emit_.after_value();
  }

  void primitive(std::string_view name, const std::vector<const Element*>& group, bool array) {
    bool any_value = false, any_extras = false;
    for (const Element* e : group) {
      any_value = any_value || e->has_value;
      any_extras = any_extras || has_extras(*e);
    }
    if (any_value) {
      emit_.key(name);
      if (array) emit_.open('[');
      for (const Element* e : group) {
        if (array) emit_.item();
        if (e->has_value) {
          value(*e);
        } else {
          emit_.out() += "null";
        }
        emit_.after_value();
      }
      if (array) emit_.close(']');
      emit_.after_value();
    }
    if (!any_extras) return;
    emit_.key("_" + std::string(name));
    if (array) emit_.open('[');
    for (const Element* e : group) {
      if (array) emit_.item();
      if (has_extras(*e)) {
        emit_.open('{');
        members(*e);
        emit_.close('}');
      } else {
        emit_.out() += "null";
      }
      emit_.after_value();
    }
    if (array) emit_.close(']');
    emit_.after_value();
  }

  void value(const Element& e) {
    auto json_kind = e.structure && e.kind == model::NodeKind::Primitive ? e.structure->json_value
                     : e.token == model::ValueToken::Number                ? definitions::JsonValueKind::Number
                     : e.token == model::ValueToken::Boolean               ? definitions::JsonValueKind::Boolean
                                                                           : definitions::JsonValueKind::String;
    bool literal = (json_kind == definitions::JsonValueKind::Number && is_json_number(e.value)) ||
                   (json_kind == definitions::JsonValueKind::Boolean && (e.value == "true" || e.value == "false"));
    if (literal) {
      emit_.out() += e.value;
    } else {
      append_json_string(emit_.out(), e.value);
    }
  }

  Emitter& emit_;
};

}  // namespace

namespace {

// Whether any of 8 bytes is a control character, '"' or '\\' (SWAR: no per-byte branch).
bool block_needs_escape(uint64_t block) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [&](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  uint64_t below_space = (block - kOnes * 0x20) & ~block & kHigh;
  return (below_space | has_zero(block ^ (kOnes * '"')) | has_zero(block ^ (kOnes * '\\'))) != 0;
}

// How many leading bytes of `text` need no escape.
size_t clean_prefix(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t block;
    std::memcpy(&block, text.data() + i, 8);
    if (block_needs_escape(block)) break;
  }
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++i;
  }
  return i;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = clean_prefix(text);
  if (run == text.size()) {  // most strings: one copy
    out.append(text);
    out += '"';
    return;
  }
  out.append(text.data(), run);
  text.remove_prefix(run);
  run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    while (i + 8 <= text.size()) {
      uint64_t block;
      std::memcpy(&block, text.data() + i, 8);
      if (block_needs_escape(block)) break;
      i += 8;
    }
    if (i >= text.size()) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

bool is_json_number(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

void write_element(const model::Element& element, std::string& out) {
  Emitter emit(out, false);
  ModelWriter(emit).element(element);
}

void write(const model::Element& resource, std::string& out, const WriteOptions& options) {
  Emitter emit(out, options.pretty);
  ModelWriter(emit).resource(resource);
  if (options.pretty) out += '\n';
}

std::string write(const model::Element& resource, const WriteOptions& options) {
  std::string out;
  write(resource, out, options);
  return out;
}

}  // namespace carebridge::fhir::json
