#include "mappings/agency/template.h"

namespace carebridge::mappings::agency {

bool parse_template(std::string_view text, std::vector<TemplatePart>& parts, std::string& error) {
  parts.clear();
  while (!text.empty()) {
    size_t open = text.find('{');
    if (open != 0) {
      parts.push_back({TemplatePart::Kind::Text, std::string(text.substr(0, open))});
      if (open == std::string_view::npos) break;
      text.remove_prefix(open);
    }
    size_t close = text.find('}');
    if (close == std::string_view::npos) {
      error = "a { is never closed";
      return false;
    }
    std::string_view inside = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
    TemplatePart part;
    if (inside == "agency") {
      part = {TemplatePart::Kind::Agency, "agency"};
    } else if (inside.starts_with("system:")) {
      part = {TemplatePart::Kind::IdentifierSystem, std::string(inside.substr(7))};
    } else {
      size_t bar = inside.find('|');
      std::string_view key = inside.substr(0, bar), form = bar == std::string_view::npos ? "" : inside.substr(bar + 1);
      part.text = std::string(key);
      if (form.empty()) part.kind = TemplatePart::Kind::Value;
      else if (form == "raw") part.kind = TemplatePart::Kind::Raw;
      else if (form == "display") part.kind = TemplatePart::Kind::Display;
      else if (form == "system") part.kind = TemplatePart::Kind::CodeSystem;
      else {
        error = "{" + std::string(inside) + "}: after | comes raw, display or system";
        return false;
      }
    }
    if (part.text.empty()) {
      error = "an empty {}";
      return false;
    }
    parts.push_back(std::move(part));
  }
  return true;
}

bool parse_reference(std::string_view text, ReferenceSpec& out) {
  if (!text.starts_with("@") || text.size() < 2) return false;
  text.remove_prefix(1);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    out.local = std::string(text);
    return true;
  }
  size_t second = text.find(':', colon + 1);
  if (second == std::string_view::npos) return false;
  out.type = std::string(text.substr(0, colon));
  out.system = std::string(text.substr(colon + 1, second - colon - 1));
  out.value = std::string(text.substr(second + 1));
  return !out.type.empty() && !out.system.empty() && !out.value.empty();
}

}  // namespace carebridge::mappings::agency
