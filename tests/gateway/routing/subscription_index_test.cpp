// Which subscriptions a write is tried against: the index must never miss one that fires
// (it may offer more; the matcher decides), and must not offer each subscriber to every write.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/search/matcher.h"
#include "gateway/routing/subscription.h"
#include "gateway/routing/subscription_index.h"
#include "support/test_support.h"

using namespace carebridge;
using gateway::routing::SubscriptionIndex;

namespace {

constexpr const char* kLab = "http://carebridge.example/fhir/SubscriptionTopic/lab-results";

struct Fixture {
  fhir::search::SearchRegistry registry{testing::core()};
  fhir::fhirpath::Engine engine{testing::core()};
  std::unique_ptr<fhir::search::IndexExtractor> extractor = fhir::search::make_fhirpath_extractor(registry, engine);
  gateway::routing::Topics topics = load_topics();
  SubscriptionIndex index;

  static gateway::routing::Topics load_topics() {
    std::ifstream in(gateway::routing::Topics::default_path());
    std::stringstream text;
    text << in.rdbuf();
    auto topics = gateway::routing::Topics::load(text.str());
    REQUIRE(topics.ok());
    return std::move(*topics);
  }

  // Files a subscription to `criteria` (a topic, with an optional filter, or R4 criteria).
  std::shared_ptr<const gateway::routing::Subscription> subscribe(const std::string& id, const std::string& criteria,
                                                                  const std::string& filter = "") {
    std::string json = R"({"resourceType":"Subscription","status":"active","reason":"test","criteria":")" + criteria + "\"";
    if (!filter.empty())
      json += R"(,"_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":")" +
              filter + R"("}]})";
    json += R"(,"channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:9/hook","payload":"application/fhir+json"}})";
    auto read = gateway::routing::read_subscription(json, topics, registry);
    INFO(criteria << ": " << (read.ok() ? "" : read.message()));
    REQUIRE(read.ok());
    read->id = id;
    auto s = std::make_shared<const gateway::routing::Subscription>(std::move(*read));
    index.add(s);
    return s;
  }

  // The ids of the subscriptions a lab result about `patient` is tried against.
  std::vector<std::string> tried(const std::string& patient) {
    auto parsed = testing::parse(
        R"({"resourceType":"Observation","id":"o1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"glucose"},"subject":{"reference":"Patient/)" +
        patient + R"("}})");
    REQUIRE(parsed.document);
    auto indexed = fhir::search::index_resource(*extractor, *parsed.document->root());
    std::vector<std::string> ids;
    for (const auto* entry : index.candidates("Observation", indexed.rows)) ids.push_back((*entry)->id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

}  // namespace

TEST_CASE("subscription index: a write is tried against the subscribers of its patient and the unfiltered ones only",
          "[routing]") {
  Fixture f;
  for (int i = 0; i < 50; ++i) f.subscribe("p" + std::to_string(i), kLab, "Observation?patient=Patient/" + std::to_string(i));
  f.subscribe("all", kLab);
  CHECK(f.tried("7") == std::vector<std::string>{"all", "p7"});
  CHECK(f.tried("99") == std::vector<std::string>{"all"});
  CHECK(f.index.size("Observation") == 51);
}

TEST_CASE("subscription index: R4 criteria on subject and a filter naming two patients are filed under each", "[routing]") {
  Fixture f;
  f.subscribe("r4", "Observation?subject=Patient/3");
  f.subscribe("two", kLab, "Observation?patient=Patient/4,Patient/5");
  CHECK(f.tried("3") == std::vector<std::string>{"r4"});
  CHECK(f.tried("4") == std::vector<std::string>{"two"});
  CHECK(f.tried("5") == std::vector<std::string>{"two"});
}

TEST_CASE("subscription index: filters it cannot file (no reference, a reference by id alone) are tried on every write",
          "[routing]") {
  Fixture f;
  f.subscribe("code", "Observation?code=http://loinc.org|2345-7");
  f.subscribe("bare", "Observation?subject=1");  // any type's resource 1
  CHECK(f.tried("1") == std::vector<std::string>{"bare", "code"});
  CHECK(f.tried("2") == std::vector<std::string>{"bare", "code"});
  CHECK(f.index.size("Patient") == 0);
}

TEST_CASE("subscription index: the Backport's filter forms without a search (patient=, Observation.patient=) filter too",
          "[routing]") {
  Fixture f;
  f.subscribe("every-trigger", kLab, "patient=Patient/8");
  f.subscribe("typed", kLab, "Observation.patient=Patient/9");
  CHECK(f.tried("8") == std::vector<std::string>{"every-trigger"});
  CHECK(f.tried("9") == std::vector<std::string>{"typed"});
  CHECK(f.tried("10").empty());
}
