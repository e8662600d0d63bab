// The stored record's elements a v2 update did not speak of (see v2_merge.h).
#include "gateway/ingest/v2_merge.h"

#include "mappings/hl7v2/resource_passes.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace carebridge::gateway::ingest {
namespace {

// The element a JSON property is ("deceasedBoolean" → "deceased", "_birthDate" → "birthDate").
std::string element_of(const fhir::definitions::StructureDef& type, std::string_view property) {
  if (!property.empty() && property[0] == '_') property.remove_prefix(1);
  const auto* child = type.child(0, property);
  return child ? type.elements[child->element].name : std::string(property);
}

// What keys a list's item: an identifier's system, an extension's url, a telecom's use.
const char* key_member(std::string_view element) {
  return element == "identifier" ? "system" : element == "extension" ? "url" : element == "telecom" ? "use" : nullptr;
}

// An item's key: the member's value, or for a telecom the group a v2 field replaces whole.
std::string item_key(const rapidjson::Value& item, std::string_view element) {
  if (!item.IsObject()) return {};
  auto at = item.FindMember(key_member(element));
  std::string_view value = at != item.MemberEnd() && at->value.IsString() ? at->value.GetString() : "";
  return std::string(element == "telecom" ? mappings::hl7v2::telecom_group(value) : value);
}

// Adds the stored items whose key the update's list has not and `cleared` does not name.
void keep_keyed_items(rapidjson::Value& list, const rapidjson::Value& stored, const std::string& element,
                      const std::set<std::string>& cleared, rapidjson::Document::AllocatorType& allocator) {
  if (!list.IsArray() || !stored.IsArray()) return;
  std::set<std::string> present;
  for (const auto& item : list.GetArray()) present.insert(item_key(item, element));
  for (const auto& item : stored.GetArray()) {
    std::string key = item_key(item, element);
    if (present.count(key) || cleared.count(element + "|" + key)) continue;
    list.PushBack(rapidjson::Value(item, allocator), allocator);
  }
}

}  // namespace

void keep_unsaid(rapidjson::Value& updated, const rapidjson::Value& stored, const std::vector<std::string>& cleared,
                 const fhir::definitions::StructureDef& type, rapidjson::Document::AllocatorType& allocator) {
  if (!updated.IsObject() || !stored.IsObject()) return;
  std::set<std::string> said, gone(cleared.begin(), cleared.end());
  for (const auto& m : updated.GetObject()) said.insert(element_of(type, m.name.GetString()));
  for (const auto& m : stored.GetObject()) {
    std::string_view name = m.name.GetString();
    if (name == "resourceType" || name == "id" || name == "meta" || name == "text") continue;
    std::string element = element_of(type, name);
    if (gone.count(element)) continue;
    if (!said.count(element) && key_member(element) && name[0] != '_') {  // items the message nulled go
      rapidjson::Value none(rapidjson::kArrayType);
      keep_keyed_items(none, m.value, element, gone, allocator);
      if (!none.Empty()) updated.AddMember(rapidjson::Value(m.name, allocator), none, allocator);
    } else if (!said.count(element)) {
      updated.AddMember(rapidjson::Value(m.name, allocator), rapidjson::Value(m.value, allocator), allocator);
    } else if (key_member(element) && name[0] != '_') {
      auto own = updated.FindMember(m.name);
      if (own != updated.MemberEnd()) keep_keyed_items(own->value, m.value, element, gone, allocator);
    }
  }
}

}  // namespace carebridge::gateway::ingest
