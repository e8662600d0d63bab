// What the security layer adds to one write: the AuditEvent made in the write's commit
// (its JSON, parsed and indexed like any resource) beside the write's own parse and
// index rows of a typical Observation (the peer in the same run: the ratio is the
// audit's share of a write's preparation), and the labelling rules applied to it.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "fhir/definitions/definitions.h"
#include "fhir/fhirpath/fhirpath.h"
#include "fhir/json/json_reader.h"
#include "fhir/search/index.h"
#include "fhir/search/registry.h"
#include "gateway/security/audit.h"
#include "gateway/security/labels.h"
#include "gateway/store/sqlite_store.h"

namespace {
namespace cb = carebridge;
using cb::fhir::definitions::Definitions;

struct Setup {
  std::unique_ptr<Definitions> definitions = Definitions::load_core(Definitions::default_dir());
  cb::fhir::fhirpath::Engine engine{*definitions};
  cb::fhir::search::SearchRegistry registry{*definitions};
  std::unique_ptr<cb::fhir::search::IndexExtractor> extractor = make_fhirpath_extractor(registry, engine);
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "carebridge-security-bench";
  cb::gateway::store::SqliteStore store{cb::gateway::store::SqliteOptions{dir, 1}};
  cb::gateway::security::AuditTrail audit{store, *definitions, *extractor, [] { return std::string("01a22000-0000-7000-8000-000000000000"); }};
};

Setup& setup() {
  static Setup s;
  return s;
}

constexpr const char* kObservation =
    R"({"resourceType":"Observation","id":"o1","status":"final","category":[{"coding":[{"system":)"
    R"("http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{)"
    R"("system":"http://loinc.org","code":"2345-7","display":"Glucose"}]},"subject":{"reference":"Patient/p1"},)"
    R"("effectiveDateTime":"2026-11-01T08:30:00Z","valueQuantity":{"value":95,"unit":"mg/dL",)"
    R"("system":"http://unitsofmeasure.org","code":"mg/dL"}})";

void BM_ObservationParseAndIndex(benchmark::State& state) {
  auto& s = setup();
  for (auto _ : state) {
    auto parsed = cb::fhir::json::read(kObservation, *s.definitions);
    benchmark::DoNotOptimize(s.extractor->extract(*parsed.document->root()));
  }
}
BENCHMARK(BM_ObservationParseAndIndex);

void BM_AuditEventOfAWrite(benchmark::State& state) {
  auto& s = setup();
  cb::gateway::security::AuditRecord record;
  record.action = 'C';
  record.subtype = "create";
  record.client = "hospital";
  record.organization = "hosp";
  record.address = "10.1.2.3";
  record.entities = {"Observation/01a22000-0000-7000-8000-000000000001"};
  record.patients = {"01a22000-0000-7000-8000-000000000002"};
  for (auto _ : state) benchmark::DoNotOptimize(s.audit.event_write(record));
}
BENCHMARK(BM_AuditEventOfAWrite);

// The labelling rules on the same Observation (every write applies them once; a record that
// another of its transaction lists as content, such as each entry a Synthea Provenance
// targets, twice): their share beside the parse and index rows above.
void BM_LabelRulesOnAnObservation(benchmark::State& state) {
  auto& s = setup();
  static auto rules = cb::gateway::security::LabelRules::load_file(cb::gateway::security::LabelRules::default_path());
  if (!rules) return state.SkipWithError("no labelling rules");
  auto parsed = cb::fhir::json::read(kObservation, *s.definitions);
  for (auto _ : state) benchmark::DoNotOptimize(rules->apply(*parsed.document->root(), {}));
}
BENCHMARK(BM_LabelRulesOnAnObservation);

}  // namespace

BENCHMARK_MAIN();
