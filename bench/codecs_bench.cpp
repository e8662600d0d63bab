// Codec and start-up benchmarks: JSON->XML and XML->JSON throughput (MB/s) over a
// corpus of FHIR resources, and the cost of loading the R4 core definitions.
// Corpus: $CAREBRIDGE_BENCH_CORPUS, else ../shared/corpus/fhir-examples, else samples/fhir.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/io/format.h"

namespace {
namespace fs = std::filesystem;
using carebridge::fhir::definitions::Definitions;
namespace io = carebridge::fhir::io;

const Definitions& definitions() {
  static auto defs = Definitions::load_core(Definitions::default_dir());
  return *defs;
}

fs::path corpus_dir() {
  if (const char* env = std::getenv("CAREBRIDGE_BENCH_CORPUS")) return env;
  fs::path examples = fs::path(CAREBRIDGE_CORPUS) / "fhir-examples";
  return fs::exists(examples) ? examples : fs::path(CAREBRIDGE_SAMPLES) / "fhir";
}

std::vector<std::string> read_corpus(io::Format format) {
  std::vector<std::string> texts;
  for (const auto& entry : fs::directory_iterator(corpus_dir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (io::detect(text) == io::Format::Json) texts.push_back(std::move(text));
  }
  if (format == io::Format::Json) return texts;
  std::vector<std::string> xml;
  for (const auto& t : texts) {
    auto parsed = io::read(t, definitions());
    if (parsed.has_errors()) continue;
    std::string out;
    std::vector<carebridge::fhir::model::Issue> issues;
    io::write(*parsed.document->root(), io::Format::Xml, out, issues);
    if (issues.empty()) xml.push_back(std::move(out));
  }
  return xml;
}

void convert_all(benchmark::State& state, io::Format from, io::Format to) {
  const auto texts = read_corpus(from);
  int64_t bytes = 0;
  for (const auto& t : texts) bytes += static_cast<int64_t>(t.size());
  std::string out;
  std::vector<carebridge::fhir::model::Issue> issues;
  for (auto _ : state) {
    for (const auto& t : texts) {
      auto parsed = io::read(t, definitions());
      if (!parsed.document) continue;
      out.clear();
      io::write(*parsed.document->root(), to, out, issues);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["resources"] = benchmark::Counter(static_cast<double>(texts.size()) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}

void BM_JsonToXml(benchmark::State& state) { convert_all(state, io::Format::Json, io::Format::Xml); }
void BM_XmlToJson(benchmark::State& state) { convert_all(state, io::Format::Xml, io::Format::Json); }
void BM_ParseJson(benchmark::State& state) {
  const auto texts = read_corpus(io::Format::Json);
  int64_t bytes = 0;
  for (const auto& t : texts) bytes += static_cast<int64_t>(t.size());
  for (auto _ : state) {
    for (const auto& t : texts) benchmark::DoNotOptimize(io::read(t, definitions()).document);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}

// Start-up: the core from its binary index (every start-up after the first).
void BM_LoadCore(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Definitions::load_core(Definitions::default_dir()));
}

// Start-up the first time: the core parsed from its JSON (copied so the index is not used).
void BM_LoadCoreFromJson(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / "carebridge-bench-core";
  fs::create_directories(dir / "r4");
  for (const char* f : {"profiles-types.json", "profiles-resources.json"}) {
    fs::copy_file(Definitions::default_dir() / "r4" / f, dir / "r4" / f, fs::copy_options::overwrite_existing);
  }
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove(dir / "r4" / ".carebridge-index-v3.bin");
    state.ResumeTiming();
    benchmark::DoNotOptimize(Definitions::load_core(dir));
  }
  fs::remove_all(dir);
}

BENCHMARK(BM_JsonToXml)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XmlToJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadCore)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadCoreFromJson)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
