// JSON Patch over RapidJSON (see json_patch.h).
#include "gateway/rest/json_patch.h"

#include <charconv>
#include <optional>
#include <vector>

namespace carebridge::gateway::rest {
namespace {

using rapidjson::Value;

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
  explicit Patcher(rapidjson::Document& doc) : doc_(doc) {}

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
  std::string error_;
};

std::string member(const Value& op, const char* name) {
  auto it = op.FindMember(name);
  return it != op.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                      : std::string();
}

bool has_string(const Value& op, const char* name) {
  auto it = op.FindMember(name);
  return it != op.MemberEnd() && it->value.IsString();
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
      return *at == value->value ? std::string() : "the value at the path is not the one given";
    }
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
      auto moved = p.remove(*from);
      if (!moved) return p.error();
      return p.add(*path, std::move(*moved)) ? std::string() : p.error();
    }
    const Value* source = p.find(*from, from->size());
    if (!source) return p.error();
    Value copy(*source, p.allocator());
    return p.add(*path, std::move(copy)) ? std::string() : p.error();
  }
  return "'" + name + "' is not a JSON Patch operation (add, remove, replace, move, copy, test)";
}

}  // namespace

std::string apply_json_patch(rapidjson::Document& target, const rapidjson::Value& patch) {
  if (!patch.IsArray()) return "a JSON Patch is an array of operations";
  Patcher patcher(target);
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

}  // namespace carebridge::gateway::rest
