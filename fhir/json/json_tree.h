// A light, position-aware JSON tree read with RapidJSON's SAX reader. Unlike
// RapidJSON's DOM it keeps whether a value was a number or a string, keeps number
// text exactly, reports duplicate keys, and enforces depth and size limits.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>

#include "fhir/model/element.h"

namespace carebridge::fhir::json {

enum class JsonKind : uint8_t { Null, Boolean, Number, String, Object, Array };

struct JsonNode {
  JsonKind kind = JsonKind::Null;
  std::string_view key;   // member name when inside an object
  std::string_view text;  // string content, number text, "true"/"false"
  model::Position position;
  uint32_t count = 0;     // members or items
  JsonNode* first = nullptr;
  JsonNode* next = nullptr;

  bool is_object() const { return kind == JsonKind::Object; }
  bool is_array() const { return kind == JsonKind::Array; }
  const JsonNode* member(std::string_view name) const;
};

struct JsonLimits {
  uint32_t max_depth = 200;
  size_t max_bytes = 256u << 20;
};

struct JsonParse {
  const JsonNode* root = nullptr;  // null on a syntax error
  std::string error;               // "line 3, column 7: Missing a comma ..."
  model::Position error_position;
};

// Parses `text`; nodes are allocated from `nodes`, strings from `strings` (so the
// strings may outlive the tree). Duplicate keys are an error (FHIR JSON forbids
// them), as are invalid UTF-8 and excessive nesting.
JsonParse parse_json(std::string_view text, std::pmr::memory_resource& nodes, std::pmr::memory_resource& strings,
                     const JsonLimits& limits = {});

}  // namespace carebridge::fhir::json
