#include "mappings/hl7v2/ack.h"

#include <cctype>

namespace carebridge::mappings::hl7v2 {

namespace {

// Field `n` of a raw MSH line split at '|' (MSH-1 is the separator itself): "" when absent.
std::string raw_msh_field(std::string_view raw, size_t n) {
  if (!raw.starts_with("MSH") || raw.size() < 4) return {};
  char separator = raw[3];
  raw = raw.substr(0, raw.find_first_of("\r\n"));
  size_t field = 1, at = 4;
  while (field + 1 < n && at <= raw.size()) {
    size_t next = raw.find(separator, at);
    if (next == std::string_view::npos) return {};
    at = next + 1;
    ++field;
  }
  if (at > raw.size()) return {};
  std::string_view value = raw.substr(at, raw.find(separator, at) - at);
  std::string out;
  for (char c : value)
    if (std::isprint(static_cast<unsigned char>(c)) && c != '|') out += c;
  return out.substr(0, 199);
}

}  // namespace

bool AckRequest::wanted(std::string_view condition, bool success) {
  if (condition.empty() || condition == "AL") return true;
  if (condition == "NE") return false;
  if (condition == "ER") return !success;
  if (condition == "SU") return success;
  return true;
}

AckRequest ack_request(const Message& message) {
  AckRequest request;
  const Segment* msh = message.segment("MSH");
  if (!msh) return request;
  request.accept = message.value(*msh, 15);
  request.application = message.value(*msh, 16);
  request.enhanced = !request.accept.empty() || !request.application.empty();
  return request;
}

std::string error_location(std::string_view location) {
  // SEG[rep]-field[rep].component.subcomponent
  std::string segment(location.substr(0, 3));
  std::string parts[5] = {segment, "1", "", "", ""};
  size_t at = 3;
  auto number = [&](std::string& into) {
    size_t start = at;
    while (at < location.size() && std::isdigit(static_cast<unsigned char>(location[at]))) ++at;
    into = std::string(location.substr(start, at - start));
  };
  if (at < location.size() && location[at] == '[') {
    ++at;
    number(parts[1]);
    ++at;
  }
  std::string field, repetition = "1", component, subcomponent;
  if (at < location.size() && location[at] == '-') {
    ++at;
    number(field);
    if (at < location.size() && location[at] == '[') {
      ++at;
      number(repetition);
      ++at;
    }
    if (at < location.size() && location[at] == '.') {
      ++at;
      number(component);
    }
    if (at < location.size() && location[at] == '.') {
      ++at;
      number(subcomponent);
    }
  }
  std::string out = parts[0] + "^" + parts[1];
  if (!field.empty()) out += "^" + field + "^" + repetition;
  if (!component.empty()) out += "^" + component;
  if (!subcomponent.empty()) out += "^" + subcomponent;
  return out;
}

std::string make_ack(const Message* original, std::string_view raw, std::string_view code, std::string_view text,
                     const std::vector<AckError>& errors, std::string_view control_id) {
  auto field = [&](size_t n) {
    if (original) return escape(original->value(*original->segment("MSH"), n));
    return escape(raw_msh_field(raw, n));
  };
  std::string trigger = original ? original->trigger_event() : std::string();
  std::string version = field(12);
  std::string out = "MSH|^~\\&|" + field(5) + "|" + field(6) + "|" + field(3) + "|" + field(4) + "|" + v2_now() + "||ACK" +
                    (trigger.empty() ? std::string() : "^" + escape(trigger) + "^ACK") + "|" + escape(control_id) + "|" +
                    (field(11).empty() ? std::string("P") : field(11)) + "|" + (version.empty() ? std::string("2.5.1") : version) +
                    "\r";
  out += "MSA|" + std::string(code) + "|" + field(10) + "|" + escape(text.substr(0, 80)) + "\r";
  for (const AckError& e : errors) {
    std::string erl = e.location.empty() ? std::string() : error_location(e.location);
    out += "ERR||" + erl + "|" + e.code + "^^HL70357|" + std::string(1, e.severity) + "||||" + escape(e.message) + "\r";
  }
  return out;
}

}  // namespace carebridge::mappings::hl7v2
