// Reads conformance resources (single resources or Bundles of them) into a Store.
#include "fhir/definitions/store.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "fhir/definitions/r4_corrections.h"
#include "fhir/definitions/structure_reader.h"

namespace carebridge::fhir::definitions {
namespace {

constexpr size_t kParseChunk = 4 << 20;  // large chunks are mmap'd, so they return to the OS

std::string_view str(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

}  // namespace

std::string read_file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + file.string() + "'");
  std::string text;
  in.seekg(0, std::ios::end);
  text.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

void Definitions::Store::add(StructureDef&& sd) {
  auto& stored = structures.emplace_back(std::move(sd));
  if (!stored.url.empty()) {
    by_url.try_emplace(stored.url, &stored);
    if (!stored.version.empty()) by_url.try_emplace(stored.url + '|' + stored.version, &stored);
  }
  bool base_type = stored.derivation != Derivation::Constraint && stored.kind != StructureKind::Logical;
  if (base_type && !stored.type.empty()) by_type.try_emplace(stored.type, &stored);
}

void Definitions::Store::add(ConformanceResource&& resource) {
  auto& stored = resources.emplace_back(std::move(resource));
  auto index = [&](const std::string& canonical) {
    auto& same_url = by_canonical[canonical];
    for (const ConformanceResource* r : same_url)
      if (r->resource_type == stored.resource_type) return;
    same_url.push_back(&stored);
  };
  index(stored.url);
  if (!stored.version.empty()) index(stored.url + '|' + stored.version);
}

void Definitions::Store::read_json(std::string text, const std::string& origin) {
  rapidjson::MemoryPoolAllocator<> allocator(kParseChunk);
  rapidjson::Document doc(&allocator);
  doc.ParseInsitu<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag>(text.data());
  if (doc.HasParseError()) {
    throw std::runtime_error(origin + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                             rapidjson::GetParseError_En(doc.GetParseError()));
  }
  auto take = [this](const rapidjson::Value& r) {
    if (!r.IsObject()) return;
    std::string_view type = str(r, "resourceType");
    if (type == "StructureDefinition") {
      auto corrected = r4_correction(r);
      add(read_structure(corrected ? *corrected : r));
    } else if (!str(r, "url").empty()) {
      add(ConformanceResource{std::string(type), std::string(str(r, "url")), std::string(str(r, "version")),
                              compact_json(r)});
    }
  };
  if (doc.IsArray()) {  // a plain list of resources (the definitions package's testing/ files)
    for (const auto& r : doc.GetArray()) take(r);
    return;
  }
  if (!doc.IsObject()) throw std::runtime_error(origin + ": not a FHIR resource");
  if (str(doc, "resourceType") == "Bundle") {
    auto entries = doc.FindMember("entry");
    if (entries != doc.MemberEnd() && entries->value.IsArray()) {
      for (const auto& entry : entries->value.GetArray()) {
        if (!entry.IsObject()) continue;
        auto resource = entry.FindMember("resource");
        if (resource != entry.MemberEnd()) take(resource->value);
      }
    }
  } else {
    take(doc);
  }
}

void Definitions::Store::read_file(const std::filesystem::path& file) { read_json(read_file_text(file), file.string()); }

}  // namespace carebridge::fhir::definitions
