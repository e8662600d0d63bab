// JSON Patch over RapidJSON (see json_patch.h).
#include "gateway/rest/json_patch.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <vector>

namespace carebridge::gateway::rest {
namespace {

using rapidjson::Value;

constexpr char kNumberMark = '\x01';

bool is_number(const Value& v) { return v.IsString() && v.GetStringLength() > 0 && v.GetString()[0] == kNumberMark; }

// Forwards a parse to a document, numbers as marked strings, refusing marks in
// strings and nesting beyond the limit.
class KeepNumbers {
 public:
  KeepNumbers(rapidjson::Document& doc, size_t max_depth) : doc_(doc), max_depth_(max_depth) {}
  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int) { return false; }  // numbers arrive as RawNumber (kParseNumbersAsStringsFlag)
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    std::string marked(1, kNumberMark);
    marked.append(text, length);
    return doc_.String(marked.data(), static_cast<rapidjson::SizeType>(marked.size()), true);
  }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    if (std::string_view(text, length).find(kNumberMark) != std::string_view::npos) return false;
    return doc_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) { return String(text, length, copy); }
  bool StartObject() { return ++depth_ <= max_depth_ && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return ++depth_ <= max_depth_ && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

 private:
  rapidjson::Document& doc_;
  size_t max_depth_;
  size_t depth_ = 0;
};

// Forwards a document to a writer, marked strings as raw numbers.
class WriteNumbers {
 public:
  explicit WriteNumbers(rapidjson::Writer<rapidjson::StringBuffer>& writer) : w_(writer) {}
  bool Null() { return w_.Null(); }
  bool Bool(bool b) { return w_.Bool(b); }
  bool Int(int i) { return w_.Int(i); }
  bool Uint(unsigned u) { return w_.Uint(u); }
  bool Int64(int64_t i) { return w_.Int64(i); }
  bool Uint64(uint64_t u) { return w_.Uint64(u); }
  bool Double(double d) { return w_.Double(d); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool copy) { return w_.RawNumber(text, length, copy); }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    if (length > 0 && text[0] == kNumberMark) return w_.RawValue(text + 1, length - 1, rapidjson::kNumberType);
    return w_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) { return w_.Key(text, length, copy); }
  bool StartObject() { return w_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return w_.EndObject(members); }
  bool StartArray() { return w_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return w_.EndArray(elements); }

 private:
  rapidjson::Writer<rapidjson::StringBuffer>& w_;
};

// The nesting depth and approximate serialized size of a value, without recursion.
struct Extent {
  size_t depth = 0;
  size_t bytes = 0;
};
Extent extent_of(const Value& root) {
  Extent e;
  std::vector<std::pair<const Value*, size_t>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    e.bytes += 8;
    if (v->IsString()) e.bytes += v->GetStringLength();
    if (v->IsObject()) {
      e.depth = std::max(e.depth, depth + 1);
      for (const auto& m : v->GetObject()) {
        e.bytes += m.name.GetStringLength() + 4;
        stack.emplace_back(&m.value, depth + 1);
      }
    } else if (v->IsArray()) {
      e.depth = std::max(e.depth, depth + 1);
      for (const auto& item : v->GetArray()) stack.emplace_back(&item, depth + 1);
    }
  }
  return e;
}

// RFC 6902 equality: numbers by value, objects whatever their member order.
// Recursion is bounded by the documents' depth limit.
bool json_equal(const Value& a, const Value& b) {
  if (is_number(a) || is_number(b)) {
    if (!is_number(a) || !is_number(b)) return false;
    return std::strtod(a.GetString() + 1, nullptr) == std::strtod(b.GetString() + 1, nullptr);
  }
  if (a.GetType() != b.GetType()) return false;
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (const auto& m : a.GetObject()) {
      auto it = b.FindMember(m.name);
      if (it == b.MemberEnd() || !json_equal(m.value, it->value)) return false;
    }
    return true;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!json_equal(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// A JSON Pointer split into unescaped reference tokens; nullopt when malformed.
std::optional<std::vector<std::string>> parse_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') return std::nullopt;
  for (size_t at = 1;;) {
    size_t slash = pointer.find('/', at);
    std::string_view raw = pointer.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token += raw[i];
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[++i] == '0' ? '~' : '/';
      } else {
        return std::nullopt;
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return tokens;
}

// An array index token: digits without a leading zero; nullopt otherwise.
std::optional<size_t> parse_index(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  size_t index = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return index;
}

class Patcher {
 public:
  Patcher(rapidjson::Document& doc, const PatchLimits& limits)
      : doc_(doc), limits_(limits), bytes_(extent_of(doc).bytes) {}

  // Whether a value may go in at `path` without the document passing its limits
  // (`grows`: the value is a copy, so the document grows by its size).
  bool fits(const std::vector<std::string>& path, const Value& value, bool grows = true) {
    Extent e = extent_of(value);
    if (path.size() + e.depth > limits_.max_depth) {
      error_ = "the patched resource would be nested deeper than " + std::to_string(limits_.max_depth);
      return false;
    }
    if (!grows) return true;
    bytes_ += e.bytes;
    if (bytes_ > limits_.max_bytes) {
      error_ = "the patched resource would be larger than " + std::to_string(limits_.max_bytes) + " bytes";
      return false;
    }
    return true;
  }

  // The value at `tokens` (all of them), or null with `error_` set.
  Value* find(const std::vector<std::string>& tokens, size_t count) {
    Value* v = &doc_;
    for (size_t i = 0; i < count; ++i) {
      const std::string& t = tokens[i];
      if (v->IsObject()) {
        auto it = v->FindMember(Value(t.c_str(), static_cast<rapidjson::SizeType>(t.size())));
        if (it == v->MemberEnd()) return fail("no such member '" + t + "'");
        v = &it->value;
      } else if (v->IsArray()) {
        auto index = parse_index(t);
        if (!index || *index >= v->Size()) return fail("no element '" + t + "' in an array of " + std::to_string(v->Size()));
        v = &(*v)[static_cast<rapidjson::SizeType>(*index)];
      } else {
        return fail("'" + t + "' is below a value that is neither an object nor an array");
      }
    }
    return v;
  }

  bool add(const std::vector<std::string>& path, Value value) {
    if (path.empty()) {
      static_cast<Value&>(doc_) = std::move(value);
      return true;
    }
    Value* parent = find(path, path.size() - 1);
    if (!parent) return false;
    const std::string& last = path.back();
    if (parent->IsObject()) {
      Value name(last.c_str(), static_cast<rapidjson::SizeType>(last.size()), doc_.GetAllocator());
      auto it = parent->FindMember(name);
      if (it != parent->MemberEnd()) {
        it->value = std::move(value);
      } else {
        parent->AddMember(name, std::move(value), doc_.GetAllocator());
      }
      return true;
    }
    if (parent->IsArray()) {
      if (last == "-") {
        parent->PushBack(std::move(value), doc_.GetAllocator());
        return true;
      }
      auto index = parse_index(last);
      if (!index || *index > parent->Size()) return fail_bool("cannot insert at '" + last + "' in an array of " + std::to_string(parent->Size()));
      parent->PushBack(Value(), doc_.GetAllocator());  // grow by one, then shift right
      for (size_t i = parent->Size() - 1; i > *index; --i) {
        (*parent)[static_cast<rapidjson::SizeType>(i)] = std::move((*parent)[static_cast<rapidjson::SizeType>(i - 1)]);
      }
      (*parent)[static_cast<rapidjson::SizeType>(*index)] = std::move(value);
      return true;
    }
    return fail_bool("the parent of '" + last + "' is neither an object nor an array");
  }

  // Removes the value at `path` and returns it (null Value with error_ set when absent).
  std::optional<Value> remove(const std::vector<std::string>& path) {
    if (path.empty()) {
      error_ = "the whole document cannot be removed";
      return std::nullopt;
    }
    Value* parent = find(path, path.size() - 1);
    if (!parent) return std::nullopt;
    const std::string& last = path.back();
    if (parent->IsObject()) {
      auto it = parent->FindMember(Value(last.c_str(), static_cast<rapidjson::SizeType>(last.size())));
      if (it == parent->MemberEnd()) return fail_opt("no such member '" + last + "'");
      Value out = std::move(it->value);
      parent->EraseMember(it);
      return out;
    }
    if (parent->IsArray()) {
      auto index = parse_index(last);
      if (!index || *index >= parent->Size()) return fail_opt("no element '" + last + "' in an array of " + std::to_string(parent->Size()));
      Value out = std::move((*parent)[static_cast<rapidjson::SizeType>(*index)]);
      parent->Erase(parent->Begin() + *index);
      return out;
    }
    return fail_opt("the parent of '" + last + "' is neither an object nor an array");
  }

  rapidjson::Document::AllocatorType& allocator() { return doc_.GetAllocator(); }
  std::string& error() { return error_; }

 private:
  Value* fail(std::string why) {
    error_ = std::move(why);
    return nullptr;
  }
  bool fail_bool(std::string why) {
    error_ = std::move(why);
    return false;
  }
  std::optional<Value> fail_opt(std::string why) {
    error_ = std::move(why);
    return std::nullopt;
  }

  rapidjson::Document& doc_;
  const PatchLimits& limits_;
  size_t bytes_;
  std::string error_;
};

std::string member(const Value& op, const char* name) { return std::string(json_text(op, name)); }

bool has_string(const Value& op, const char* name) {
  const Value* v = json_member(op, name);
  return v && v->IsString();
}

// One operation; an empty string when it applied.
std::string apply_one(Patcher& p, const Value& op) {
  if (!op.IsObject()) return "an operation must be a JSON object";
  std::string name = member(op, "op");
  if (!has_string(op, "path")) return "an operation needs a 'path' string";
  auto path = parse_pointer(member(op, "path"));
  if (!path) return "'" + member(op, "path") + "' is not a JSON Pointer";
  auto value = op.FindMember("value");
  bool has_value = value != op.MemberEnd();
  if (name == "add" || name == "replace" || name == "test") {
    if (!has_value) return "'" + name + "' needs a 'value'";
    if (name == "test") {
      const Value* at = p.find(*path, path->size());
      if (!at) return p.error();
      return json_equal(*at, value->value) ? std::string() : "the value at the path is not the one given";
    }
    if (!p.fits(*path, value->value)) return p.error();
    if (name == "replace") {
      Value* at = p.find(*path, path->size());
      if (!at) return p.error();
      at->CopyFrom(value->value, p.allocator());
      return {};
    }
    Value copy(value->value, p.allocator());
    return p.add(*path, std::move(copy)) ? std::string() : p.error();
  }
  if (name == "remove") return p.remove(*path) ? std::string() : p.error();
  if (name == "move" || name == "copy") {
    if (!has_string(op, "from")) return "'" + name + "' needs a 'from' string";
    auto from = parse_pointer(member(op, "from"));
    if (!from) return "'" + member(op, "from") + "' is not a JSON Pointer";
    if (name == "move") {
      if (from->size() < path->size() && std::equal(from->begin(), from->end(), path->begin())) {
        return "a value cannot be moved into itself";
      }
      const Value* source = p.find(*from, from->size());
      if (!source) return p.error();
      if (!p.fits(*path, *source, false)) return p.error();
      auto moved = p.remove(*from);
      if (!moved) return p.error();
      return p.add(*path, std::move(*moved)) ? std::string() : p.error();
    }
    const Value* source = p.find(*from, from->size());
    if (!source) return p.error();
    if (!p.fits(*path, *source)) return p.error();
    Value copy(*source, p.allocator());
    return p.add(*path, std::move(copy)) ? std::string() : p.error();
  }
  return "'" + name + "' is not a JSON Patch operation (add, remove, replace, move, copy, test)";
}

}  // namespace

const rapidjson::Value* json_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto m = object.FindMember(name);
  return m == object.MemberEnd() ? nullptr : &m->value;
}

std::string_view json_text(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* v = json_member(object, name);
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

bool parse_json_keeping_numbers(std::string_view text, size_t max_depth, rapidjson::Document& out) {
  struct Generator {
    std::string_view text;
    size_t max_depth;
    bool* ok;
    bool operator()(rapidjson::Document& doc) const {
      rapidjson::MemoryStream stream(text.data(), text.size());
      rapidjson::Reader reader;
      KeepNumbers handler(doc, max_depth);
      constexpr unsigned kFlags =
          rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
      *ok = !reader.Parse<kFlags>(stream, handler).IsError();
      return *ok;
    }
  };
  bool ok = false;
  out.SetNull();
  Generator generator{text, max_depth, &ok};
  out.Populate(generator);
  return ok;
}

std::string write_json_keeping_numbers(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  WriteNumbers handler(writer);
  value.Accept(handler);
  return std::string(out.GetString(), out.GetSize());
}

std::string apply_json_patch(rapidjson::Document& target, const rapidjson::Value& patch, const PatchLimits& limits) {
  if (!patch.IsArray()) return "a JSON Patch is an array of operations";
  if (patch.Size() > limits.max_operations) {
    return "a JSON Patch of " + std::to_string(patch.Size()) + " operations is more than the limit of " +
           std::to_string(limits.max_operations);
  }
  Patcher patcher(target, limits);
  for (rapidjson::SizeType i = 0; i < patch.Size(); ++i) {
    patcher.error().clear();
    std::string error = apply_one(patcher, patch[i]);
    if (!error.empty()) {
      const Value& op = patch[i];
      std::string what = op.IsObject() ? member(op, "op") + " " + member(op, "path") : "?";
      return "operation " + std::to_string(i + 1) + " (" + what + "): " + error;
    }
  }
  return {};
}

namespace {

// RFC 7386 on one object: members of the patch replace the target's, null ones remove
// them, objects merge recursively; `depth` bounds untrusted nesting.
bool merge(Value& target, const Value& patch, rapidjson::Document::AllocatorType& allocator, size_t depth) {
  if (depth == 0) return false;
  if (!patch.IsObject()) {
    target.CopyFrom(patch, allocator);
    return true;
  }
  if (!target.IsObject()) target.SetObject();
  for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
    auto existing = target.FindMember(m->name);
    if (m->value.IsNull()) {
      if (existing != target.MemberEnd()) target.RemoveMember(existing);
      continue;
    }
    if (existing == target.MemberEnd()) {
      Value name(m->name, allocator);
      Value empty(rapidjson::kNullType);
      target.AddMember(name, empty, allocator);
      existing = target.FindMember(m->name);
    }
    if (!merge(existing->value, m->value, allocator, depth - 1)) return false;
  }
  return true;
}

}  // namespace

std::string apply_merge_patch(rapidjson::Document& target, const rapidjson::Value& patch, const PatchLimits& limits) {
  if (!patch.IsObject()) return "a merge patch for a resource is a JSON object";
  if (!merge(target, patch, target.GetAllocator(), limits.max_depth)) return "the merge patch is nested too deep";
  return {};
}

}  // namespace carebridge::gateway::rest
