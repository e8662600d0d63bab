#include "gateway/web/form_data.h"

#include <strings.h>

#include "gateway/rest/negotiation.h"

namespace carebridge::gateway::web {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

// A parameter of a header value: boundary=..., name="...", filename="...".
std::string parameter(std::string_view header, std::string_view name) {
  for (size_t at = 0; (at = header.find(name, at)) != std::string_view::npos; at += name.size()) {
    bool starts = at == 0 || header[at - 1] == ';' || header[at - 1] == ' ';
    if (!starts || at + name.size() >= header.size() || header[at + name.size()] != '=') continue;
    std::string_view value = header.substr(at + name.size() + 1);
    if (!value.empty() && value.front() == '"') {
      value.remove_prefix(1);
      return std::string(value.substr(0, value.find('"')));
    }
    return std::string(value.substr(0, value.find_first_of("; ")));
  }
  return {};
}

// One part: its headers, a blank line, its content.
bool read_part(std::string_view part, FormPart& out) {
  size_t end = part.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  std::string_view headers = part.substr(0, end);
  out.value = std::string(part.substr(end + 4));
  while (!headers.empty()) {
    size_t eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    if (starts_with_ci(line, "content-disposition:")) {
      out.name = parameter(line, "name");
      out.filename = parameter(line, "filename");
    } else if (starts_with_ci(line, "content-type:")) {
      std::string_view type = line.substr(13);
      while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
      out.content_type = std::string(type);
    }
  }
  return !out.name.empty();
}

std::optional<FormData> read_multipart(std::string_view content_type, std::string_view body) {
  std::string boundary = parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) return std::nullopt;
  std::string delimiter = "--" + boundary;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return std::nullopt;
  FormData form;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return form;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
    size_t next = body.find("\r\n" + delimiter, at);
    if (next == std::string_view::npos) return std::nullopt;
    FormPart part;
    if (read_part(body.substr(at, next - at), part)) form.parts.push_back(std::move(part));
    if (form.parts.size() > 1000) return std::nullopt;
    at = next + 2;
  }
}

}  // namespace

std::string FormData::field(std::string_view name) const {
  for (const auto& p : parts)
    if (p.name == name && p.filename.empty()) return p.value;
  return {};
}

const FormPart* FormData::file(std::string_view name) const {
  for (const auto& p : parts)
    if (p.name == name && !p.filename.empty()) return &p;
  return nullptr;
}

std::optional<FormData> read_form(std::string_view content_type, std::string_view body) {
  if (starts_with_ci(content_type, "multipart/form-data")) return read_multipart(content_type, body);
  if (!starts_with_ci(content_type, "application/x-www-form-urlencoded")) return std::nullopt;
  FormData form;
  for (auto& [name, value] : rest::parse_query(body)) form.parts.push_back({name, "", "", value});
  return form;
}

}  // namespace carebridge::gateway::web
