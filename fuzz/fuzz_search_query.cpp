// Fuzzes the search query parser (fhir/search/parse.h) and, when it accepts the
// search, the in-memory matcher on a few fixed resources. The input is a search as
// it follows the base: "Type?name=value&..." (no '?': a system search); '%'
// escapes are decoded as a request's are.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/io/format.h"
#include "fhir/search/matcher.h"
#include "fhir/search/parse.h"
#include "fuzz_support.h"

namespace {

using namespace carebridge::fhir;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

search::Params params_of(std::string_view query) {
  search::Params params;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    std::string value = eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1));
    if (!pair.empty()) params.emplace_back(decode(pair.substr(0, eq)), std::move(value));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return params;
}

// The registry, the server's extractor and a few indexed resources, made once.
struct World {
  search::SearchRegistry registry{fuzz_definitions()};
  fhirpath::Engine engine{fuzz_definitions()};
  std::unique_ptr<search::IndexExtractor> extractor = search::make_fhirpath_extractor(registry, engine);
  std::vector<std::unique_ptr<model::Document>> documents;
  std::map<std::string, search::IndexedResource, std::less<>> resources;

  World() {
    const char* jsons[] = {
        R"({"resourceType":"Patient","id":"a","meta":{"lastUpdated":"2024-01-01T00:00:00Z"},"name":[{"family":"Jönes","given":["Ann"]}],"gender":"female","birthDate":"1980-05-17","identifier":[{"system":"urn:mrn","value":"1"}],"link":[{"other":{"reference":"Patient/b"},"type":"seealso"}]})",
        R"({"resourceType":"Patient","id":"b","gender":"male"})",
        R"({"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic"}],"text":"BP"},"subject":{"reference":"Patient/a"},"effectiveDateTime":"2024-02-03","valueQuantity":{"value":152,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}})",
    };
    for (const char* json : jsons) {
      auto parsed = io::read(json, fuzz_definitions());
      if (!parsed.document) continue;
      auto indexed = search::index_resource(*extractor, *parsed.document->root());
      documents.push_back(std::move(parsed.document));
      std::string key = indexed.type + "/" + indexed.id;
      resources.emplace(std::move(key), std::move(indexed));
    }
  }

  search::Resolver resolver() const {
    search::Resolver r;
    r.resolve = [this](std::string_view key) -> std::optional<search::IndexedView> {
      auto it = resources.find(key);
      return it == resources.end() ? std::nullopt : std::optional<search::IndexedView>(it->second.view());
    };
    r.referrers = [this](std::string_view, std::string_view, std::string_view,
                         const search::Resolver::Visit& visit) {
      for (const auto& [key, resource] : resources) {
        if (!visit(resource.view())) return;
      }
    };
    return r;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const World world;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto question = text.find('?');
  std::string type = question == std::string_view::npos ? std::string() : std::string(text.substr(0, question));
  if (!type.empty() && !world.registry.is_resource_type(type)) return 0;
  auto params = params_of(question == std::string_view::npos ? text : text.substr(question + 1));
  for (bool strict : {false, true}) {
    search::ParsedSearch parsed;
    std::vector<model::Issue> issues;
    if (!search::parse_search(world.registry, type, params, {}, strict, parsed, issues)) continue;
    auto resolver = world.resolver();
    for (const auto& [key, resource] : world.resources) search::matches(parsed.query, resource.view(), resolver);
  }
  return 0;
}
