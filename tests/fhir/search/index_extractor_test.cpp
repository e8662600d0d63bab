// The two index extractors agree: for every parameter the path extractor reads in
// full, it gives the rows the FHIRPath engine gives, on every example of the corpus
// of a type the gateway routes. (The service uses the path extractor for those
// parameters because it is several times cheaper.)
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <tuple>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/search/index.h"
#include "fhir/search/registry.h"
#include "support/test_support.h"

using namespace carebridge;
using fhir::search::IndexEntry;

namespace {

auto key(const IndexEntry& e) {
  return std::tie(e.param, e.system, e.code, e.text, e.norm, e.low, e.high, e.kind);
}

std::vector<IndexEntry> sorted(std::vector<IndexEntry> rows) {
  std::sort(rows.begin(), rows.end(), [](const IndexEntry& a, const IndexEntry& b) { return key(a) < key(b); });
  return rows;
}

std::string describe(const std::vector<IndexEntry>& rows) {
  std::string out;
  for (const auto& e : rows) out += "  " + e.param + " [" + e.system + "|" + e.code + "] '" + e.text + "'\n";
  return out;
}

}  // namespace

TEST_CASE("the path extractor gives the rows the FHIRPath engine gives", "[gateway][search]") {
  auto examples = testing::corpus("fhir-examples");
  if (examples.empty()) {
    WARN("../shared/corpus/fhir-examples not present: skipped");
    return;
  }
  const auto& definitions = testing::core();
  fhir::search::SearchRegistry registry(definitions);
  fhir::fhirpath::Engine engine(definitions);
  auto fhirpath_only = fhir::search::make_fhirpath_extractor(registry, engine, false);
  int compared = 0;
  size_t rows = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (entry.path().extension() != ".json") continue;
    auto parsed = testing::parse(testing::read_text(entry.path()));
    if (!parsed.document || !parsed.document->root()) continue;
    const auto& resource = *parsed.document->root();
    std::string type(resource.type);
    if (!registry.is_resource_type(type)) continue;
    auto fully_read = [&](const fhir::search::SearchParam& p) { return fhir::search::path_reads_fully(p, type); };
    auto paths = fhir::search::make_path_extractor(registry, fully_read);
    std::vector<IndexEntry> expected;
    for (auto& row : fhirpath_only->extract(resource)) {
      const auto* param = registry.find(type, row.param.substr(0, row.param.find(':')));
      if (param && fully_read(*param)) expected.push_back(std::move(row));
    }
    auto got = sorted(paths->extract(resource));
    expected = sorted(std::move(expected));
    INFO(entry.path().filename().string() << "\npath extractor:\n" << describe(got) << "FHIRPath:\n" << describe(expected));
    CHECK(got.size() == expected.size());
    CHECK(std::equal(got.begin(), got.end(), expected.begin(), expected.end(),
                     [](const IndexEntry& a, const IndexEntry& b) { return key(a) == key(b); }));
    ++compared;
    rows += got.size();
  }
  CHECK(compared >= 20);
  CHECK(rows >= 200);
}

TEST_CASE("a resource is indexed by at most kMaxIndexedValues values of one parameter", "[gateway][search]") {
  std::string given;
  for (size_t i = 0; i < fhir::search::kMaxIndexedValues + 500; ++i) given += (i ? ",\"g" : "\"g") + std::to_string(i) + "\"";
  auto parsed = testing::parse(R"({"resourceType":"Patient","name":[{"family":"Huge","given":[)" + given + "]}]}");
  REQUIRE(parsed.document);
  const auto& definitions = testing::core();
  fhir::search::SearchRegistry registry(definitions);
  auto paths = fhir::search::make_path_extractor(registry, {});
  size_t given_rows = 0, family_rows = 0;
  for (const auto& row : paths->extract(*parsed.document->root())) {
    given_rows += row.param == "given";
    family_rows += row.param == "family";
  }
  CHECK(given_rows == fhir::search::kMaxIndexedValues);
  CHECK(family_rows == 1);  // the other parameters are indexed as ever
}
