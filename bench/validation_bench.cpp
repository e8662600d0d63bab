// Validation and FHIRPath benchmarks (issue 3): validation throughput over a corpus
// with invariants on (MB/s and resources/s), FHIRPath evaluations/s for typical
// expressions compiled once, and the validation time of generated Bundles of
// 1,000 to 10,000 entries (expected linear: ->Complexity(oN)).
// Corpus: $CAREBRIDGE_BENCH_CORPUS, else ../shared/corpus/fhir-examples, else samples/fhir.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/fhirpath/fhirpath.h"
#include "fhir/io/format.h"
#include "fhir/validation/validator.h"

namespace {
namespace fs = std::filesystem;
using carebridge::fhir::definitions::Definitions;
namespace io = carebridge::fhir::io;
namespace fhirpath = carebridge::fhir::fhirpath;
namespace validation = carebridge::fhir::validation;
using carebridge::fhir::model::Document;
using carebridge::fhir::model::Issue;
using carebridge::fhir::model::Severity;

const Definitions& definitions() {
  static auto defs = Definitions::load_core(Definitions::default_dir());
  return *defs;
}

const fhirpath::Engine& engine() {
  static fhirpath::Engine e(definitions());
  return e;
}

// Invariants on: the validator evaluates the FHIRPath constraints with engine().
const validation::Validator& validator() {
  static validation::Validator v(definitions(), &engine());
  return v;
}

// The same without an engine: what the invariants cost, by difference.
const validation::Validator& validator_without_invariants() {
  static validation::Validator v(definitions(), nullptr);
  return v;
}

fs::path corpus_dir() {
  if (const char* env = std::getenv("CAREBRIDGE_BENCH_CORPUS")) return env;
  fs::path examples = fs::path(CAREBRIDGE_CORPUS) / "fhir-examples";
  return fs::exists(examples) ? examples : fs::path(CAREBRIDGE_SAMPLES) / "fhir";
}

// The corpus' JSON files (what bench/compare-validate.sh gives both validators).
const std::vector<std::string>& corpus() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(corpus_dir())) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (io::detect(text) == io::Format::Json) out.push_back(std::move(text));
    }
    return out;
  }();
  return texts;
}

int64_t corpus_bytes() {
  int64_t bytes = 0;
  for (const auto& t : corpus()) bytes += static_cast<int64_t>(t.size());
  return bytes;
}

std::unique_ptr<Document> parse(const std::string& text) {
  auto parsed = io::read(text, definitions());
  if (!parsed.document || !parsed.document->root()) throw std::runtime_error("bench: unreadable resource");
  return std::move(parsed.document);
}

void set_rates(benchmark::State& state, int64_t bytes, size_t resources) {
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["resources"] = benchmark::Counter(static_cast<double>(resources) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}

size_t count_errors(const std::vector<Issue>& issues) {
  size_t n = 0;
  for (const auto& i : issues) n += i.severity == Severity::Error || i.severity == Severity::Fatal;
  return n;
}

// Read + validate every file, invariants on: what `carebridge validate` does per file.
void BM_ParseAndValidateCorpus(benchmark::State& state) {
  const auto& texts = corpus();
  validation::Options options;  // invariants = true
  // One pass outside the timing: the lazily loaded definitions (terminology, other
  // profiles) and the validator's caches are a start-up cost, measured whole process
  // by bench/compare-validate.sh, not a per-resource one.
  for (const auto& t : texts) {
    auto parsed = io::read(t, definitions());
    if (parsed.document && parsed.document->root()) validator().validate(*parsed.document->root(), options);
  }
  size_t errors = 0;
  for (auto _ : state) {
    errors = 0;
    for (const auto& t : texts) {
      auto parsed = io::read(t, definitions());
      errors += count_errors(parsed.issues);
      if (!parsed.document || !parsed.document->root()) continue;
      auto issues = validator().validate(*parsed.document->root(), options);
      errors += count_errors(issues);
      benchmark::DoNotOptimize(issues.data());
    }
  }
  set_rates(state, corpus_bytes(), texts.size());
  state.counters["errors_per_pass"] = static_cast<double>(errors);
}

// Validation alone over the parsed corpus (parsing outside the timing).
void validate_corpus(benchmark::State& state, const validation::Validator& v) {
  const auto& texts = corpus();
  std::vector<std::unique_ptr<Document>> docs;
  for (const auto& t : texts) docs.push_back(parse(t));
  validation::Options options;
  for (const auto& d : docs) v.validate(*d->root(), options);  // warm (see above)
  for (auto _ : state) {
    for (const auto& d : docs) {
      auto issues = v.validate(*d->root(), options);
      benchmark::DoNotOptimize(issues.data());
    }
  }
  set_rates(state, corpus_bytes(), docs.size());
}
void BM_ValidateCorpus(benchmark::State& state) { validate_corpus(state, validator()); }
void BM_ValidateCorpusNoInvariants(benchmark::State& state) { validate_corpus(state, validator_without_invariants()); }

// ---- FHIRPath: typical expressions, compiled once, evaluated against one resource.

const char* const kPatient = R"({"resourceType":"Patient","id":"p1",
 "meta":{"lastUpdated":"2024-01-02T10:00:00Z"},
 "identifier":[{"system":"urn:oid:1.2.36.146.595.217.0.1","value":"12345"},{"system":"http://hospital.example/mrn","value":"MRN-7"}],
 "active":true,
 "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},{"use":"usual","given":["Jim"]},
         {"use":"maiden","family":"Windsor","given":["Peter","James"],"period":{"end":"2002"}}],
 "telecom":[{"use":"home"},{"system":"phone","value":"(03) 5555 6473","use":"work","rank":1},
            {"system":"phone","value":"(03) 3410 5613","use":"mobile","rank":2},{"system":"email","value":"p@example.org"}],
 "gender":"male","birthDate":"1974-12-25",
 "address":[{"use":"home","type":"both","line":["534 Erewhon St"],"city":"PleasantVille","postalCode":"3999"}],
 "contact":[{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"N"}]}],
             "name":{"family":"du Marché","given":["Bénédicte"]},"gender":"female"}]})";

const char* const kObservation = R"({"resourceType":"Observation","id":"o1","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel"}]},
 "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-01-02T09:30:00Z",
 "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
               "valueQuantity":{"value":107,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
              {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},
               "valueQuantity":{"value":60,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]})";

struct PathCase {
  const char* resource;
  const char* expression;
};
const PathCase kPathCases[] = {
    {kPatient, "Patient.name.where(use = 'official').given.first()"},
    {kPatient, "telecom.where(system = 'phone' and rank < 2).value"},
    {kPatient, "birthDate < today() and active"},
    {kPatient, "identifier.where(system = 'http://hospital.example/mrn').value = 'MRN-7'"},
    // ele-1, the invariant every element carries
    {kPatient, "descendants().all(hasValue() or (children().count() > id.count()))"},
    // obs-7, as the validator evaluates it
    {kObservation, "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()"},
    {kObservation, "component.where(code.coding.code = '8480-6').value.ofType(Quantity).value > 100"},
};

void BM_FhirPath(benchmark::State& state) {
  const auto& c = kPathCases[state.range(0)];
  auto doc = parse(c.resource);
  std::string error;
  auto expression = engine().compile(c.expression, &error);
  if (!expression) {
    state.SkipWithError(("compile: " + error).c_str());
    return;
  }
  auto check = engine().evaluate(*expression, *doc->root());
  if (!check.ok) {
    state.SkipWithError(("evaluate: " + check.error).c_str());
    return;
  }
  for (auto _ : state) {
    auto r = engine().evaluate(*expression, *doc->root());
    benchmark::DoNotOptimize(r.items.data());
  }
  state.SetLabel(c.expression);
  state.counters["evaluations"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ---- Bundles: N entries, half Patients, half Observations whose subject is the
// fullUrl of a Patient of the same Bundle (a transaction, as a client would POST it).

std::string make_bundle(int64_t entries) {
  std::string b = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  const int64_t patients = (entries + 1) / 2;
  auto uuid = [](const char* kind, int64_t i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "urn:uuid:%s-0000-4000-8000-%012lld", kind, static_cast<long long>(i));
    return std::string(buf);
  };
  for (int64_t i = 0; i < entries; ++i) {
    if (i) b += ',';
    if (i < patients) {
      b += R"({"fullUrl":")" + uuid("00000001", i) +
           R"(","resource":{"resourceType":"Patient","identifier":[{"system":"http://hospital.example/mrn","value":"MRN-)" +
           std::to_string(i) + R"("}],"active":true,"name":[{"use":"official","family":"Family)" + std::to_string(i) +
           R"(","given":["Given"]}],"gender":"female","birthDate":"1980-05-17"},"request":{"method":"POST","url":"Patient"}})";
    } else {
      const int64_t p = (i - patients) % patients;
      b += R"({"fullUrl":")" + uuid("00000002", i) +
           R"(","resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":")" +
           uuid("00000001", p) +
           R"("},"effectiveDateTime":"2024-01-02T09:30:00Z","valueQuantity":{"value":72,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}})";
    }
  }
  b += "]}";
  return b;
}

void BM_ValidateBundle(benchmark::State& state) {
  const int64_t n = state.range(0);
  const std::string text = make_bundle(n);
  auto doc = parse(text);
  validation::Options options;
  auto first = validator().validate(*doc->root(), options);
  for (auto _ : state) {
    auto issues = validator().validate(*doc->root(), options);
    benchmark::DoNotOptimize(issues.data());
  }
  state.SetComplexityN(n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["resources"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
  state.counters["errors"] = static_cast<double>(count_errors(first));
}

BENCHMARK(BM_ParseAndValidateCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ValidateCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ValidateCorpusNoInvariants)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FhirPath)->DenseRange(0, static_cast<int>(std::size(kPathCases)) - 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ValidateBundle)
    ->Arg(1000)
    ->Arg(2000)
    ->Arg(5000)
    ->Arg(10000)
    ->Complexity(benchmark::oN)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
