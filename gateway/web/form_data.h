// What a browser's form sends: application/x-www-form-urlencoded fields, or
// multipart/form-data (RFC 7578) with files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::gateway::web {

struct FormPart {
  std::string name;
  std::string filename;  // a file's name as the browser gives it ("" for a field)
  std::string content_type;
  std::string value;     // the field's text or the file's bytes
};

struct FormData {
  std::vector<FormPart> parts;
  // The first field (not file) called `name`, "" when absent.
  std::string field(std::string_view name) const;
  const FormPart* file(std::string_view name) const;
};

// The form a request body carries, by its Content-Type; nothing when it is neither kind or
// is malformed (a multipart body without its closing boundary, say).
std::optional<FormData> read_form(std::string_view content_type, std::string_view body);

}  // namespace carebridge::gateway::web
