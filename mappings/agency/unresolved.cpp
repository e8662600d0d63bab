#include "mappings/agency/unresolved.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace carebridge::mappings::agency {

namespace {

// "Organization \"X\" (by its hmis-project identifier)" for the key "Organization|urn:...:hmis-project|X":
// the system's last part says which of a type's records is meant (a project is an Organization).
std::string named(const std::string& key) {
  size_t type_end = key.find('|'), system_end = key.find('|', type_end + 1);
  std::string system = key.substr(type_end + 1, system_end - type_end - 1);
  std::string kind = system.substr(system.find_last_of(":/") == std::string::npos ? 0 : system.find_last_of(":/") + 1);
  std::string type = key.substr(0, type_end), lower = type;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool says_type = kind.ends_with(lower);  // hsds-organization: an Organization, as the type says
  return type + " \"" + key.substr(system_end + 1) + "\"" +
         (kind.empty() || says_type ? std::string() : " (by its " + kind + " identifier)");
}

// " (and 3 more rows)" after the first use's place, when there are more.
std::string more(size_t uses) {
  if (uses < 2) return "";
  return " (and " + std::to_string(uses - 1) + (uses == 2 ? " more row)" : " more rows)");
}

}  // namespace

std::string UnresolvedReferences::Use::where() const {
  if (column == static_cast<size_t>(-1)) return table->name + " row " + std::to_string(table->rows[row_index].line);
  return table->locate(row_index, column);
}

void UnresolvedReferences::add(const std::string& key, const std::string& conditional, const csv::Table& table, size_t row_index,
                               size_t column, bool leave_out) {
  auto [it, added] = index_.try_emplace(key, targets_.size());
  if (added) targets_.push_back({key, conditional, {}});
  std::vector<Use>& uses = targets_[it->second].uses;
  if (uses.empty() || uses.back().table != &table || uses.back().row_index != row_index || uses.back().column != column)
    uses.push_back({&table, row_index, column, leave_out});
}

void UnresolvedReferences::judge(const std::function<bool(const std::string&)>& built,
                                 const std::function<const RowRef*(const std::string&)>& withheld, const Records* records,
                                 MappedExport& out) {
  std::set<RowRef> told;
  for (const RowProblem& p : out.dangling) told.insert(p.row);
  for (const Target& target : targets_) {
    const std::string& key = target.key;
    if (built(key)) continue;
    const Use& first = target.uses.front();
    if (const RowRef* parent = withheld(key)) {  // a row not taken would have made it
      for (const Use& use : target.uses)
        if (told.insert(use.row()).second)
          out.dangling.push_back({use.row(), use.where(),
                                  "it refers to the record of " + parent->first + " row " + std::to_string(parent->second) +
                                      ", which was not taken (see that row's reason)"});
      continue;
    }
    std::optional<bool> stored = records ? records->resolves(target.conditional) : std::nullopt;
    if (stored.value_or(false)) continue;
    if (!stored) {  // offline: only the gateway can tell
      bool optional = std::all_of(target.uses.begin(), target.uses.end(), [](const Use& use) { return use.leave_out; });
      out.warnings.push_back(first.where() + ": there is no " + named(key) + " in the export" + more(target.uses.size()) +
                             ", so the gateway must hold it already, or " +
                             (optional ? "the reference to it is left out when stored" : "storing the upload fails"));
      continue;
    }
    size_t left_out = 0;
    for (const Use& use : target.uses) {
      if (use.leave_out) {
        ++left_out;
        continue;
      }
      if (told.insert(use.row()).second)
        out.dangling.push_back({use.row(), use.where(), "there is no " + named(key) + " in the export or on the gateway"});
    }
    if (left_out == 0) continue;
    missing_.insert(key);
    out.warnings.push_back(first.where() + ": there is no " + named(key) + " in the export or on the gateway" + more(left_out) +
                           ", so the reference to it is left out");
  }
}

void UnresolvedReferences::drop_missing(engine::Node& node) const {
  auto pending_missing = [&](const engine::Node& child) {
    const engine::Node* reference = child.is_object() ? child.member("reference") : nullptr;
    if (!reference || !reference->is_value() || reference->text.empty() || reference->text[0] != kPendingStart) return false;
    return missing_.count(reference->text.substr(1, reference->text.find(kPendingEnd) - 1)) != 0;
  };
  // A reference left out takes its element with it, and a list it was the only item of.
  std::erase_if(node.children, [&](engine::Node& child) {
    if (child.is_value()) return false;
    if (pending_missing(child)) child.remove("reference");  // a display beside it still says what was meant
    else drop_missing(child);
    return child.empty();
  });
}

}  // namespace carebridge::mappings::agency
