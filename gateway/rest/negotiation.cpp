// Target, query, format and Prefer parsing (see negotiation.h).
#include "gateway/rest/negotiation.h"

#include <cstdlib>
#include <optional>

namespace carebridge::gateway::rest {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of the parameter `name` (lower case, with its '=') of a media type
// ("application/fhir+json; q=0.5"), lower-cased; none when it has no such parameter.
std::optional<std::string> media_parameter(std::string_view media_type, std::string_view name) {
  for (auto semi = media_type.find(';'); semi != std::string_view::npos; semi = media_type.find(';', semi + 1)) {
    std::string parameter = lower(trim(media_type.substr(semi + 1, media_type.find(';', semi + 1) - semi - 1)));
    if (parameter.starts_with(name)) return parameter.substr(name.size());
  }
  return std::nullopt;
}

// A fhirVersion parameter (FHIR http.html, "FHIR Version Parameter") naming another version
// than R4 (4.0, 4.0.1): content of another FHIR version, which this server neither writes
// nor reads (406 for an Accept, 415 for a Content-Type).
bool other_fhir_version(std::string_view media_type) {
  auto version = media_parameter(media_type, "fhirversion=");
  if (!version) return false;
  std::string_view v = *version;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v != "4.0" && v != "4.0.1";
}

// A media type or _format value: json, xml, or Unknown (any other, or of another FHIR
// version); `wildcard` for */*.
fhir::io::Format format_of(std::string_view value, bool& wildcard) {
  std::string v = lower(trim(value.substr(0, value.find(';'))));
  wildcard = v == "*/*" || v == "application/*";
  if (other_fhir_version(value)) {
    wildcard = false;
    return fhir::io::Format::Unknown;
  }
  if (v == "json" || v == "application/fhir+json" || v == "application/json" || v == "application/json+fhir")
    return fhir::io::Format::Json;
  if (v == "xml" || v == "application/fhir+xml" || v == "application/xml" || v == "text/xml" ||
      v == "application/xml+fhir")
    return fhir::io::Format::Xml;
  return fhir::io::Format::Unknown;
}

// The q parameter of one Accept item (1 when absent or unreadable), clamped to 0..1.
double quality(std::string_view item) {
  auto parameter = media_parameter(item, "q=");
  if (!parameter) return 1;
  char* end = nullptr;
  double q = std::strtod(parameter->c_str(), &end);
  if (end == parameter->c_str()) return 1;
  return q < 0 ? 0 : q > 1 ? 1 : q;
}

// %XX escapes decoded; '+' means a space only in a query (it is literal in a path).
std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string url_decode(std::string_view text) { return percent_decode(text, true); }

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.' || c == '~' || c == ':' || c == '/' || c == '|';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string create_url_parameter(const Params& params) {
  for (const auto& [name, value] : params)
    if (name != "_format" && name != "_pretty") return name;
  return {};
}

std::string_view create_criteria(std::string_view type, std::string_view if_none_exist) {
  auto q = if_none_exist.find('?');
  if (q == std::string_view::npos || if_none_exist.substr(0, q) != type) return if_none_exist;
  return if_none_exist.substr(q + 1);
}

Params parse_query(std::string_view query) {
  Params params;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      params.emplace_back(url_decode(pair), "");
    } else {
      params.emplace_back(url_decode(pair.substr(0, eq)), url_decode(pair.substr(eq + 1)));
    }
  }
  return params;
}

Target parse_target(std::string_view target) {
  Target t;
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  t.path = percent_decode(path, false);
  if (q != std::string_view::npos) {
    t.query = std::string(target.substr(q + 1));
    t.params = parse_query(t.query);
  }
  return t;
}

std::string_view param(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

bool has_param(const Params& params, std::string_view name) {
  for (const auto& p : params) {
    if (p.first == name) return true;
  }
  return false;
}

Prefer parse_prefer(std::string_view header) {
  Prefer prefer;
  while (!header.empty()) {
    auto comma = header.find_first_of(",;");
    std::string item = lower(trim(header.substr(0, comma)));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (item == "return=minimal") prefer.return_ = Return::Minimal;
    if (item == "return=representation") prefer.return_ = Return::Representation;
    if (item == "return=operationoutcome") prefer.return_ = Return::OperationOutcome;
    if (item == "handling=strict") prefer.strict = true;
    if (item == "handling=lenient") prefer.strict = false;
  }
  return prefer;
}

Negotiation negotiate(const http::Request& request, const Params& params) {
  Negotiation n;
  std::string_view pretty = param(params, "_pretty");
  n.pretty = pretty == "true";
  bool wildcard = false;
  if (has_param(params, "_format")) {
    n.format = format_of(param(params, "_format"), wildcard);
    if (n.format == fhir::io::Format::Unknown) {
      n.format = fhir::io::Format::Json;
      n.acceptable = false;
    }
    return n;
  }
  std::string_view accept = request.header("Accept");
  if (trim(accept).empty() || trim(accept) == "*/*") {
    // No preference: answer in the format the client wrote in.
    if (!request.body.empty() && body_format(request) == fhir::io::Format::Xml) n.format = fhir::io::Format::Xml;
    return n;
  }
  // The type we can write with the highest quality wins, the first listed among equals
  // (RFC 9110 12.5.1); q=0 refuses a type. A client that lists XML first but ranks JSON
  // higher gets JSON.
  bool any = false, found = false;
  double best = 0;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    double q = quality(item);
    fhir::io::Format f = format_of(item, wildcard);
    if (f != fhir::io::Format::Unknown && q > best) {
      n.format = f;
      best = q;
      found = true;
    }
    any = any || (wildcard && q > 0);
  }
  n.acceptable = found || any;
  if (!found) n.format = fhir::io::Format::Json;
  return n;
}

fhir::io::Format body_format(const http::Request& request) {
  std::string_view type = request.header("Content-Type");
  if (trim(type).empty()) return fhir::io::detect(request.body);
  bool wildcard = false;
  return format_of(type, wildcard);
}

fhir::io::Format media_format(std::string_view media_type) {
  bool wildcard = false;
  return format_of(media_type, wildcard);
}

std::string_view media_type(fhir::io::Format format) {
  return format == fhir::io::Format::Xml ? "application/fhir+xml; charset=utf-8" : "application/fhir+json; charset=utf-8";
}

Params operation_params(const http::Request& request, const fhir::definitions::Definitions& definitions) {
  Params params = parse_target(request.target).params;
  if (request.method != "POST" || request.body.empty()) return params;
  auto parsed = fhir::io::read(request.body, definitions);
  const fhir::model::Element* root = parsed.document ? parsed.document->root() : nullptr;
  if (!root || root->type != "Parameters") return params;
  for (const fhir::model::Element* p = root->first_child; p; p = p->next) {
    const fhir::model::Element* name = p->base_name() == "parameter" ? p->child("name") : nullptr;
    if (!name || !name->has_value) continue;
    for (const fhir::model::Element* v = p->first_child; v; v = v->next)
      if (v->base_name() == "value" && v->has_value) params.emplace_back(std::string(name->value), std::string(v->value));
  }
  return params;
}

}  // namespace carebridge::gateway::rest
