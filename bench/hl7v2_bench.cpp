// HL7 v2 benchmarks (issue 11): ORU^R01 messages per CPU second for parse only (ER7 to
// segments with positions), parse + map (to the transaction Bundle's JSON), and parse +
// map + validate (the Bundle read into the element model and validated, invariants on) —
// the work /ingest and MLLP do per message before the commit. The message is the
// project's samples/hl7v2/oru_r01.hl7 (2 orders, 5 results, 1 specimen: 16 resources).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "fhir/definitions/definitions.h"
#include "fhir/validation/validator.h"
#include "mappings/hl7v2/conversion.h"

namespace {

namespace v2 = carebridge::mappings::hl7v2;
using carebridge::fhir::definitions::Definitions;

std::string oru() {
  std::ifstream in(std::filesystem::path(CAREBRIDGE_SAMPLES) / "hl7v2/oru_r01.hl7", std::ios::binary);
  if (!in) throw std::runtime_error("samples/hl7v2/oru_r01.hl7 is missing");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const Definitions& definitions() {
  static auto defs = Definitions::load_core(Definitions::default_dir());
  return *defs;
}

std::shared_ptr<const v2::MapSpec> spec() {
  static auto loaded = v2::MapSpec::load_default();
  if (!loaded) throw std::runtime_error(loaded.message());
  return *loaded;
}

void BM_ParseOru(benchmark::State& state) {
  std::string text = oru();
  for (auto _ : state) {
    auto m = v2::parse_er7(text);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseOru);

void BM_ParseMapOru(benchmark::State& state) {
  std::string text = oru();
  auto s = spec();
  for (auto _ : state) {
    auto m = v2::parse_er7(text);
    auto bundle = v2::map_to_fhir(*m, text, *s);
    benchmark::DoNotOptimize(bundle);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseMapOru);

void BM_ParseMapValidateOru(benchmark::State& state) {
  std::string text = oru();
  auto validator = carebridge::fhir::validation::Validator::with_invariants(definitions());
  v2::Converter converter(definitions(), validator.get(), spec());
  for (auto _ : state) {
    auto c = converter.convert(text);
    if (!c.accepted()) state.SkipWithError("the sample does not validate");
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseMapValidateOru);

// An ORU^R01 with `orders` orders of 5 results each, as a lab's batch of the day sends it.
std::string large_oru(size_t orders) {
  std::string m = "MSH|^~\\&|LAB|NORTH|CB|HUB|20260314141502-0500||ORU^R01^ORU_R01|BATCH1|P|2.5.1\r"
                  "PID|1||RV100200^^^RIVERSIDE&2.16.840.1.113883.3.1001&ISO^MR||ALVAREZ^MARIA||19781102|F\r";
  for (size_t o = 1; o <= orders; ++o) {
    std::string n = std::to_string(o);
    m += "OBR|" + n + "|P" + n + "^EPIC|F" + n + "^LAB|24323-8^Comprehensive metabolic panel^LN|||20260314120000-0500"
         "||||||||||||||||||F\r";
    for (int r = 1; r <= 5; ++r)
      m += "OBX|" + std::to_string(r) + "|NM|2345-" + std::to_string(r) + "^Result " + std::to_string(r) +
           "^LN||" + std::to_string(90 + r) + "|mg/dL^^UCUM|70-99|N|||F\r";
  }
  return m;
}

// Mapping time against the number of orders: linear (->Complexity(oN)), so a day's batch
// in one message costs what its messages would one by one.
void BM_ParseMapLargeOru(benchmark::State& state) {
  std::string text = large_oru(static_cast<size_t>(state.range(0)));
  auto s = spec();
  for (auto _ : state) {
    auto m = v2::parse_er7(text);
    auto bundle = v2::map_to_fhir(*m, text, *s);
    benchmark::DoNotOptimize(bundle);
  }
  state.SetComplexityN(state.range(0));
  state.SetItemsProcessed(state.iterations() * state.range(0) * 5);
}
BENCHMARK(BM_ParseMapLargeOru)->RangeMultiplier(10)->Range(10, 1000)->Complexity(benchmark::oN);

}  // namespace

BENCHMARK_MAIN();
