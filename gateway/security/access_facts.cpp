#include "gateway/security/access_facts.h"

#include <charconv>

namespace carebridge::gateway::security {
namespace {

void append_list(std::string& out, const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += ids[i];
  }
}

std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

// The next '|'-separated field of `text` (consumed).
std::string_view field(std::string_view& text) {
  size_t bar = text.find('|');
  std::string_view out = text.substr(0, bar);
  text = bar == std::string_view::npos ? std::string_view() : text.substr(bar + 1);
  return out;
}

bool number(std::string_view text, uint32_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string encode(const AccessFacts& facts) {
  std::string out = "1|" + facts.owner + "|";
  append_list(out, facts.patients);
  out += '|';
  append_list(out, facts.parties);
  out += '|' + std::to_string(facts.labels) + '|';
  out += std::to_string((facts.shared ? 1 : 0) | (facts.confined ? 2 : 0) | (facts.relationship ? 4 : 0));
  if (!facts.id.empty()) out += '|' + facts.id;
  return out;
}

FactsView::FactsView(std::string_view text) {
  if (field(text) != "1") return;
  owner_ = field(text);
  patients_ = field(text);
  parties_ = field(text);
  valid_ = number(field(text), labels_) && number(field(text), flags_);
  if (valid_ && !text.empty()) id_ = field(text);
  valid_ = valid_ && text.empty();
}

AccessFacts FactsView::facts() const {
  AccessFacts f;
  f.owner = std::string(owner_);
  f.patients = split_list(patients_);
  f.parties = split_list(parties_);
  f.labels = labels_;
  f.shared = shared();
  f.confined = confined();
  f.relationship = relationship();
  f.id = std::string(id_);
  return f;
}

}  // namespace carebridge::gateway::security
