// Agency formats (issue 13): food-bank intake rows per CPU second for read only (the CSV
// into a table), read + map (to the transaction Bundle's JSON), and read + map + validate
// (the Bundle read into the element model and validated, invariants on) — the work
// /ingest/foodbank-intake and `carebridge map` do before the commit. The sheet is made
// here: 2,000 visits by 500 households of 1 to 4 people, every column filled the way an
// intake volunteer fills it (dates as 1/31/1984, phones with punctuation, HVS answers).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <stdexcept>

#include "fhir/definitions/definitions.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/csv/table.h"

namespace {

namespace agency = carebridge::mappings::agency;
namespace csv = carebridge::mappings::csv;
using carebridge::fhir::definitions::Definitions;

// 2,000 rows; ROWS=N for another size (per row, 100 rows run twice as fast as 2,000: the
// same instructions, with the working set in the caches).
const int kRows = std::getenv("ROWS") ? std::atoi(std::getenv("ROWS")) : 2000;

const Definitions& definitions() {
  static auto defs = Definitions::load_core(Definitions::default_dir());
  return *defs;
}

std::shared_ptr<const agency::Spec> spec() {
  static auto loaded = agency::load_spec(agency::default_specs_dir() / "foodbank-intake" / "spec.json", definitions());
  if (!loaded) throw std::runtime_error(loaded.message());
  static auto shared = std::make_shared<const agency::Spec>(*loaded);
  return shared;
}

std::string intake_sheet() {
  static const char* kAnswers[] = {"Often true", "Sometimes true", "Never true", ""};
  static const char* kBasis[] = {"SNAP", "WIC", "Income", "SSI"};
  std::string out =
      "Client ID,First Name,Last Name,Date of Birth,Gender,Phone,Email,Street Address,City,State,ZIP,Household ID,"
      "Household Size,TEFAP Eligible,Eligibility Basis,Worried Food Would Run Out,Food Did Not Last,Visit Date,"
      "Pounds Distributed,Site\r\n";
  for (int i = 0; i < kRows; ++i) {
    int household = i / 4, size = 1 + household % 4;
    out += "FB-" + std::to_string(10000 + i) + ",Name" + std::to_string(i) + ",Family" + std::to_string(household) + "," +
           std::to_string(1 + i % 12) + "/" + std::to_string(1 + i % 28) + "/" + std::to_string(1940 + i % 70) + "," +
           (i % 2 ? "F" : "M") + ",(617) 555-" + std::to_string(1000 + i % 9000) + ",,\"" + std::to_string(i % 300) +
           " Elm St, Apt " + std::to_string(i % 9) + "\",Cambridge,MA,2139,HH-" + std::to_string(household) + "," +
           std::to_string(size) + ",Yes," + kBasis[i % 4] + "," + kAnswers[i % 4] + "," + kAnswers[(i / 4) % 4] + ",11/" +
           std::to_string(1 + i % 28) + "/2026," + std::to_string(10 + i % 30) + ".5,Central Square Pantry\r\n";
  }
  return out;
}

void BM_ReadIntake(benchmark::State& state) {
  std::string sheet = intake_sheet();
  for (auto _ : state) {
    auto table = csv::read_csv(sheet, "intake.csv");
    benchmark::DoNotOptimize(table);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ReadIntake)->Unit(benchmark::kMillisecond);

void BM_ReadMapIntake(benchmark::State& state) {
  std::string sheet = intake_sheet();
  agency::Mapper mapper(spec());
  for (auto _ : state) {
    auto table = csv::read_csv(sheet, "intake.csv");
    auto mapped = mapper.map({std::move(*table)}, {}, "local", false);  // as ingest maps: untraced
    if (!mapped.rejected.empty()) state.SkipWithError(mapped.rejected.front().message.c_str());
    benchmark::DoNotOptimize(mapped);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ReadMapIntake)->Unit(benchmark::kMillisecond);

void BM_ReadMapValidateIntake(benchmark::State& state) {
  std::string sheet = intake_sheet();
  static auto validator = carebridge::fhir::validation::Validator::with_invariants(definitions());
  agency::AgencyConverter converter(definitions(), validator.get(), spec());
  for (auto _ : state) {
    auto c = converter.convert_files({{"intake.csv", sheet}});
    if (!c.bundle) state.SkipWithError("the sheet did not give a valid Bundle");
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_ReadMapValidateIntake)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
