#include "conformance/bundle_compare.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
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

// One side's entries: each entry's record key, and its fullUrl's and Type/id's record.
struct Side {
  std::vector<std::string> keys;
  std::map<std::string, std::string, std::less<>> by_url;

  explicit Side(const Value& entries) {
    std::map<std::string, int> unnamed;  // resource type → entries of it without an identifier
    for (const Value& entry : entries.GetArray()) {
      const Value* resource = member(entry, "resource");
      std::string type(resource ? text(*resource, "resourceType") : std::string_view());
      const Value* ids = resource ? member(*resource, "identifier") : nullptr;
      const Value* first = ids && ids->IsArray() && !ids->Empty() ? &(*ids)[0] : nullptr;
      std::string key = first ? type + "|" + std::string(text(*first, "system")) + "|" + std::string(text(*first, "value"))
                              : type + "#" + std::to_string(unnamed[type]++);
      keys.push_back(key);
      if (std::string_view url = text(entry, "fullUrl"); !url.empty()) by_url.emplace(url, key);
      if (resource && !text(*resource, "id").empty()) by_url.emplace(type + "/" + std::string(text(*resource, "id")), key);
    }
  }

  // The record a reference or fullUrl names, or "" when it names none of the entries.
  std::string record(std::string_view url) const {
    auto it = by_url.find(url);
    return it == by_url.end() ? std::string() : it->second;
  }
};

struct Comparison {
  const Side* want_side = nullptr;
  const Side* got_side = nullptr;
  const mappings::engine::SourceMap& sources;
  std::vector<MappingDifference>& out;
  size_t limit;

  // The cell a mapped value came from: its own, or the first of any value below it.
  std::string source(const std::string& path) const {
    if (std::string s = mappings::engine::source_of(sources, path); !s.empty()) return s;
    auto below = sources.lower_bound(path);
    return below != sources.end() && below->first.starts_with(path) ? below->second : std::string();
  }

  // Two references (or fullUrls) naming the same record of each Bundle.
  bool same_record(const Value& want, const Value& got) const {
    if (!want_side || !want.IsString() || !got.IsString()) return false;
    std::string w = want_side->record(want.GetString()), g = got_side->record(got.GetString());
    return !w.empty() && w == g;
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

  // Entries paired by record; an expected record not mapped is named by its key.
  void entries(const Value& want, const Value& got) {
    Side w(want), g(got);
    want_side = &w;
    got_side = &g;
    std::vector<bool> used(got.Size(), false);
    for (rapidjson::SizeType i = 0; i < want.Size(); ++i) {
      rapidjson::SizeType j = 0;
      while (j < got.Size() && (used[j] || g.keys[j] != w.keys[i])) ++j;
      if (j == got.Size()) {
        add("Bundle.entry (" + w.keys[i] + ", expected entry " + std::to_string(i) + ")", &want[i], nullptr);
        continue;
      }
      used[j] = true;
      values(want[i], got[j], "Bundle.entry[" + std::to_string(j) + "]", "");
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
  Comparison c{nullptr, nullptr, sources, out, limit};
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
