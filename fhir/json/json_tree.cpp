// SAX handler that builds JsonNode trees with positions, limits and duplicate-key checks.
#include "fhir/json/json_tree.h"
#include "fhir/json/utf8.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace carebridge::fhir::json {
namespace {

class TreeHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeHandler> {
 public:
  TreeHandler(std::string_view text, rapidjson::InsituStringStream& stream, std::pmr::memory_resource& nodes,
              std::pmr::memory_resource& strings, const JsonLimits& limits)
      : text_(text), stream_(stream), arena_(nodes), strings_(strings), limits_(limits) {}

  bool Null() { return add(JsonKind::Null) != nullptr; }
  bool Bool(bool b) {
    add(JsonKind::Boolean)->text = b ? "true" : "false";
    return true;
  }
  // In situ, `copy` is false and `s` points into the parse buffer, which lives as long
  // as the strings arena.
  bool RawNumber(const char* s, rapidjson::SizeType length, bool copy_needed) {
    add(JsonKind::Number)->text = text_of(s, length, copy_needed);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType length, bool copy_needed) {
    if (!no_lone_surrogate(s, length)) return false;
    add(JsonKind::String)->text = text_of(s, length, copy_needed);
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType length, bool copy_needed) {
    if (!no_lone_surrogate(s, length)) return false;
    key_ = text_of(s, length, copy_needed);
    key_position_ = position();
    return true;
  }
  bool StartObject() { return open(JsonKind::Object); }
  bool StartArray() { return open(JsonKind::Array); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  const JsonNode* root() const { return root_; }
  const std::string& error() const { return error_; }
  const model::Position& error_position() const { return error_position_; }

  model::Position position_at(size_t offset) {
    offset = std::min(offset, text_.size());
    // Line breaks are found with memchr: compact JSON has few, and this runs for every value.
    while (scanned_ < offset) {
      const void* newline = std::memchr(text_.data() + scanned_, '\n', offset - scanned_);
      if (!newline) break;
      ++line_;
      line_start_ = static_cast<size_t>(static_cast<const char*>(newline) - text_.data()) + 1;
      scanned_ = line_start_;
    }
    scanned_ = std::max(scanned_, offset);
    return {line_, static_cast<uint32_t>(offset - line_start_ + 1)};
  }

 private:
  struct Frame {
    JsonNode* node;
    JsonNode* last;
  };

  model::Position position() { return position_at(stream_.Tell()); }

  // RapidJSON 1.1 refuses a lone high-surrogate escape but decodes a lone low one
  // (\uDC00..\uDFFF) into ED B0..BF xx, which is not UTF-8 and would be stored and sent
  // on as such. The text itself was checked up front, so these bytes can only come
  // from an escape: one memchr per string finds them.
  bool no_lone_surrogate(const char* s, size_t length) {
    const char* end = s + length;
    for (const char* p = s; (p = static_cast<const char*>(std::memchr(p, '\xED', static_cast<size_t>(end - p)))); ++p) {
      if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0) {
        fail("a \\u escape of a lone UTF-16 surrogate (\\uDC00 to \\uDFFF without a high surrogate before it) is not a character");
        return false;
      }
    }
    return true;
  }

  std::string_view text_of(const char* s, size_t length, bool copy_needed) {
    return copy_needed ? copy(s, length) : std::string_view(s, length);
  }

  std::string_view copy(const char* s, size_t length) {
    if (length == 0) return {"", 0};
    char* memory = static_cast<char*>(strings_.allocate(length, 1));
    std::memcpy(memory, s, length);
    return {memory, length};
  }

  // Nodes are cut from blocks of the arena: one (virtual) allocate call per block, not per node.
  JsonNode* new_node() {
    constexpr size_t kBlock = 64;
    if (spare_ == spare_end_) {
      spare_ = static_cast<JsonNode*>(arena_.allocate(kBlock * sizeof(JsonNode), alignof(JsonNode)));
      spare_end_ = spare_ + kBlock;
    }
    return new (spare_++) JsonNode();
  }

  JsonNode* add(JsonKind kind) {
    JsonNode* node = new_node();
    node->kind = kind;
    if (stack_.empty()) {
      node->position = position();
      root_ = node;
      return node;
    }
    Frame& top = stack_.back();
    if (top.node->is_object()) {
      node->key = key_;
      node->position = key_position_;
    } else {
      node->position = position();
    }
    (top.last ? top.last->next : top.node->first) = node;
    top.last = node;
    ++top.node->count;
    return node;
  }

  bool open(JsonKind kind) {
    if (stack_.size() >= limits_.max_depth) {
      fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
      return false;
    }
    stack_.push_back({add(kind), nullptr});
    return true;
  }

  bool close() {
    JsonNode* node = stack_.back().node;
    stack_.pop_back();
    if (node->is_object() && node->count > 1) return check_duplicates(*node);
    return true;
  }

  bool check_duplicates(const JsonNode& object) {
    if (object.count <= kPairwiseKeys && !any_same_key(object)) return true;
    keys_.clear();
    for (const JsonNode* m = object.first; m; m = m->next) keys_.push_back(m);
    std::sort(keys_.begin(), keys_.end(), [](const JsonNode* a, const JsonNode* b) {
      return a->key != b->key ? a->key < b->key : a->position.line < b->position.line;
    });
    for (size_t i = 1; i < keys_.size(); ++i) {
      if (keys_[i]->key == keys_[i - 1]->key) {
        error_position_ = std::max(keys_[i]->position, keys_[i - 1]->position,
                                   [](auto a, auto b) { return a.line != b.line ? a.line < b.line : a.column < b.column; });
        error_ = "duplicate property \"" + std::string(keys_[i]->key) + "\"";
        return false;
      }
    }
    return true;
  }

  // Small objects (most of FHIR JSON) are checked pair by pair, without sorting; a
  // duplicate found here is reported by the sorted check above, as for large objects.
  static constexpr uint32_t kPairwiseKeys = 12;
  static bool any_same_key(const JsonNode& object) {
    for (const JsonNode* a = object.first; a; a = a->next) {
      for (const JsonNode* b = a->next; b; b = b->next) {
        if (a->key == b->key) return true;
      }
    }
    return false;
  }

  void fail(std::string message) {
    error_ = std::move(message);
    error_position_ = position();
  }

  std::string_view text_;
  rapidjson::InsituStringStream& stream_;
  std::pmr::memory_resource& arena_;
  std::pmr::memory_resource& strings_;
  JsonLimits limits_;
  std::vector<Frame> stack_;
  std::vector<const JsonNode*> keys_;
  std::string_view key_;
  model::Position key_position_;
  JsonNode* root_ = nullptr;
  JsonNode* spare_ = nullptr;  // the unused rest of the current block
  JsonNode* spare_end_ = nullptr;
  std::string error_;
  model::Position error_position_;
  size_t scanned_ = 0;
  size_t line_start_ = 0;
  uint32_t line_ = 1;
};

// UTF-8 is validated up front (find_invalid_utf8), much faster than per character.
// In situ: strings are unescaped inside a copy of the text kept in the strings arena,
// so the tree points into it without copying each string again.
constexpr unsigned kFlags =
    rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

// Line and column (1-based, in bytes) of an offset; used for errors only.
model::Position position_of(std::string_view text, size_t offset) {
  model::Position p{1, 1};
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      line_start = i + 1;
    }
  }
  p.column = static_cast<uint32_t>(offset - line_start + 1);
  return p;
}

std::string located(const model::Position& p, const std::string& message) {
  return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": " + message;
}

}  // namespace

const JsonNode* JsonNode::member(std::string_view name) const {
  for (const JsonNode* m = first; m; m = m->next) {
    if (m->key == name) return m;
  }
  return nullptr;
}

JsonParse parse_json(std::string_view text, std::pmr::memory_resource& nodes, std::pmr::memory_resource& strings,
                     const JsonLimits& limits) {
  JsonParse result;
  if (text.size() > limits.max_bytes) {
    result.error = "input of " + std::to_string(text.size()) + " bytes is over the limit of " +
                   std::to_string(limits.max_bytes) + " bytes";
    return result;
  }
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    result.error_position = position_of(text, bad);
    result.error = located(result.error_position, "invalid UTF-8 (byte " + std::to_string(bad) + ")");
    return result;
  }
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    result.error = "NUL byte at offset " + std::to_string(nul) + " (JSON text cannot contain one)";
    return result;
  }
  // The parse rewrites strings in place, so it runs on a NUL-terminated copy; positions
  // are counted on the untouched original.
  char* buffer = static_cast<char*>(strings.allocate(text.size() + 1, 1));
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  rapidjson::InsituStringStream stream(buffer);
  TreeHandler handler(text, stream, nodes, strings, limits);
  rapidjson::Reader reader;
  rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, handler);
  if (!ok) {
    model::Position at = handler.error().empty() ? handler.position_at(ok.Offset()) : handler.error_position();
    std::string message = handler.error().empty() ? rapidjson::GetParseError_En(ok.Code()) : handler.error();
    if (ok.Code() == rapidjson::kParseErrorStringInvalidEncoding) message = "invalid UTF-8 in a string";
    if (ok.Code() == rapidjson::kParseErrorNumberTooBig) message = "number too large (beyond the range of a double, 1.8e308)";
    result.error = located(at, message);
    result.error_position = at;
    return result;
  }
  result.root = handler.root();
  return result;
}

}  // namespace carebridge::fhir::json
