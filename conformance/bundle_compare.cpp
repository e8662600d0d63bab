#include "conformance/bundle_compare.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace carebridge::conformance {
namespace {

using rapidjson::Value;

std::string_view text(const Value& object, const char* key) {
  if (!object.IsObject()) return {};
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? std::string_view(it->value.GetString(), it->value.GetStringLength())
                                                          : std::string_view();
}

const Value* member(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// One side's entries: the names each entry's record goes by (its type with each of its
// identifiers, else its type and place among the entries of that type without one), and
// which entry each fullUrl and Type/id names.
struct Side {
  std::vector<std::vector<std::string>> names;
  std::map<std::string, size_t, std::less<>> by_url;

  explicit Side(const Value& entries) {
    std::map<std::string, int> unnamed;  // resource type → entries of it without an identifier
    for (const Value& entry : entries.GetArray()) {
      const Value* resource = member(entry, "resource");
      std::string type(resource ? text(*resource, "resourceType") : std::string_view());
      std::vector<std::string>& own = names.emplace_back();
      if (const Value* ids = resource ? member(*resource, "identifier") : nullptr; ids && ids->IsArray())
        for (const Value& id : ids->GetArray())
          own.push_back(type + "|" + std::string(text(id, "system")) + "|" + std::string(text(id, "value")));
      if (own.empty()) own.push_back(type + "#" + std::to_string(unnamed[type]++));
      if (std::string_view url = text(entry, "fullUrl"); !url.empty()) by_url.emplace(url, names.size() - 1);
      if (resource && !text(*resource, "id").empty())
        by_url.emplace(type + "/" + std::string(text(*resource, "id")), names.size() - 1);
    }
  }

  // The entry a reference or fullUrl names, or nullopt when it names none of them.
  std::optional<size_t> entry(std::string_view url) const {
    auto it = by_url.find(url);
    return it == by_url.end() ? std::nullopt : std::optional<size_t>(it->second);
  }
};

constexpr size_t kNone = static_cast<size_t>(-1);

struct Comparison {
  const Side* want_side = nullptr;
  const Side* got_side = nullptr;
  std::vector<size_t> paired;  // each expected entry's mapped entry (kNone: not mapped)
  const mappings::engine::SourceMap& sources;
  std::vector<MappingDifference>& out;
  size_t limit;

  // The cell a mapped value came from: its own, or the first of any value below it.
  std::string source(const std::string& path) const {
    if (std::string s = mappings::engine::source_of(sources, path); !s.empty()) return s;
    auto below = sources.lower_bound(path);
    return below != sources.end() && below->first.starts_with(path) ? below->second : std::string();
  }

  // Two references (or fullUrls) naming entries paired as the same record.
  bool same_record(const Value& want, const Value& got) const {
    if (!want_side || !want.IsString() || !got.IsString()) return false;
    auto w = want_side->entry(want.GetString()), g = got_side->entry(got.GetString());
    return w && g && paired[*w] == *g;
  }

  void add(std::string path, const Value* want, const Value* got) {
    if (out.size() >= limit) return;
    out.push_back({path, want ? compact_json(*want) : "", got ? compact_json(*got) : "", got ? source(path) : ""});
  }

  void values(const Value& want, const Value& got, const std::string& path, std::string_view name) {
    if (out.size() >= limit) return;
    if ((name == "reference" || name == "fullUrl") && same_record(want, got)) return;
    if (want.IsObject() && got.IsObject()) {
      for (const auto& m : want.GetObject()) {
        auto found = got.FindMember(m.name);
        std::string at = path + "." + m.name.GetString();
        if (found == got.MemberEnd()) add(at, &m.value, nullptr);
        else values(m.value, found->value, at, m.name.GetString());
      }
      for (const auto& m : got.GetObject())
        if (!want.HasMember(m.name)) add(path + "." + m.name.GetString(), nullptr, &m.value);
      return;
    }
    if (want.IsArray() && got.IsArray()) {
      for (rapidjson::SizeType i = 0; i < std::max(want.Size(), got.Size()); ++i) {
        std::string at = path + "[" + std::to_string(i) + "]";
        if (i >= got.Size()) add(at, &want[i], nullptr);
        else if (i >= want.Size()) add(at, nullptr, &got[i]);
        else values(want[i], got[i], at, name);
      }
      return;
    }
    if (want != got) add(path, &want, &got);
  }

  // Each expected entry paired with the mapped entry of a name they share (the first not
  // paired yet), looked up by name, never by scanning; an expected record not mapped is
  // named by its first name.
  void entries(const Value& want, const Value& got) {
    Side w(want), g(got);
    std::map<std::string_view, std::vector<size_t>> by_name;
    for (size_t j = 0; j < g.names.size(); ++j)
      for (const std::string& name : g.names[j]) by_name[name].push_back(j);
    std::vector<bool> used(got.Size(), false);
    paired.assign(want.Size(), kNone);
    for (size_t i = 0; i < w.names.size(); ++i)
      for (const std::string& name : w.names[i]) {
        auto it = by_name.find(name);
        if (it == by_name.end()) continue;
        auto free = std::find_if(it->second.begin(), it->second.end(), [&](size_t j) { return !used[j]; });
        if (free == it->second.end()) continue;
        used[*free] = true;
        paired[i] = *free;
        break;
      }
    want_side = &w;
    got_side = &g;
    for (rapidjson::SizeType i = 0; i < want.Size(); ++i) {
      if (paired[i] == kNone) add("Bundle.entry (" + w.names[i][0] + ", expected entry " + std::to_string(i) + ")", &want[i], nullptr);
      else values(want[i], got[static_cast<rapidjson::SizeType>(paired[i])], "Bundle.entry[" + std::to_string(paired[i]) + "]", "");
    }
    for (rapidjson::SizeType j = 0; j < got.Size(); ++j)
      if (!used[j]) add("Bundle.entry[" + std::to_string(j) + "]", nullptr, &got[j]);
    want_side = got_side = nullptr;
  }
};

}  // namespace

std::string compact_json(const Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

void compare_bundles(const Value& want, const Value& got, const mappings::engine::SourceMap& sources,
                     std::vector<MappingDifference>& out, size_t limit) {
  Comparison c{nullptr, nullptr, {}, sources, out, limit};
  const Value* want_entries = member(want, "entry");
  const Value* got_entries = member(got, "entry");
  bool bundles = text(want, "resourceType") == "Bundle" && text(got, "resourceType") == "Bundle" && want_entries &&
                 got_entries && want_entries->IsArray() && got_entries->IsArray();
  if (!bundles) {
    c.values(want, got, "Bundle", "");
    return;
  }
  for (const auto& m : want.GetObject()) {
    if (m.name == "entry") continue;
    auto found = got.FindMember(m.name);
    if (found == got.MemberEnd()) c.add(std::string("Bundle.") + m.name.GetString(), &m.value, nullptr);
    else c.values(m.value, found->value, std::string("Bundle.") + m.name.GetString(), m.name.GetString());
  }
  for (const auto& m : got.GetObject())
    if (!want.HasMember(m.name)) c.add(std::string("Bundle.") + m.name.GetString(), nullptr, &m.value);
  c.entries(*want_entries, *got_entries);
}

}  // namespace carebridge::conformance
