#include "mappings/agency/template.h"

#include <cctype>

namespace carebridge::mappings::agency {
namespace {

constexpr std::string_view kOrdinals[] = {"", "first", "second", "third", "fourth", "fifth"};

std::string day_of_month(int n) {
  int last = n % 10, tens = n % 100 / 10;
  const char* suffix = tens == 1 || last > 3 || last == 0 ? "th" : last == 1 ? "st" : last == 2 ? "nd" : "rd";
  return "the " + std::to_string(n) + suffix;
}

// One part of a day list: MO, 2TU, -1FR (weekdays), 15, -1 (days of the month).
std::string day_in_words(std::string_view part) {
  static constexpr std::pair<std::string_view, std::string_view> kDays[] = {
      {"MO", "Monday"}, {"TU", "Tuesday"}, {"WE", "Wednesday"}, {"TH", "Thursday"},
      {"FR", "Friday"}, {"SA", "Saturday"}, {"SU", "Sunday"}};
  bool minus = part.starts_with('-') || part.starts_with('+');
  std::string_view digits = part.substr(minus ? 1 : 0);
  size_t n = 0;
  while (n < digits.size() && std::isdigit(static_cast<unsigned char>(digits[n]))) ++n;
  int number = n && n <= 2 ? std::stoi(std::string(digits.substr(0, n))) : 0;  // a longer number is no day
  std::string_view rest = digits.substr(n);
  if (rest.empty() && n && number >= 1 && number <= 31)
    return part.starts_with('-') ? (number == 1 ? "the last day" : day_of_month(number) + " day from the end") : day_of_month(number);
  for (const auto& [code, name] : kDays) {
    if (rest.size() != 2 || std::toupper(static_cast<unsigned char>(rest[0])) != code[0] ||
        std::toupper(static_cast<unsigned char>(rest[1])) != code[1])
      continue;
    if (!n) return std::string(name);
    if (part.starts_with('-')) return number == 1 ? "the last " + std::string(name) : "the " + day_of_month(number).substr(4) + " " + std::string(name) + " from the end";
    if (number >= 1 && number <= 5) return "the " + std::string(kOrdinals[number]) + " " + std::string(name);
  }
  return std::string(part);
}

}  // namespace

std::string days_in_words(std::string_view list) {
  std::vector<std::string> words;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view part = list.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) words.push_back(day_in_words(part));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

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
      else if (form == "days") part.kind = TemplatePart::Kind::Days;
      else {
        error = "{" + std::string(inside) + "}: after | comes raw, display, system or days";
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
