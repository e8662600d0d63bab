// The SQL store and the in-memory matcher (fhir/search/matcher.h) agree: every search
// the end-to-end search tests make (search_cases.h), and searches that stress what
// the two each do on their own (value lists, :not, :missing, chains through _has),
// answered by a real SqliteStore behind the real FhirService and by the matcher on
// every current resource's index rows, with the same matches.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <unordered_map>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/search/matcher.h"
#include "fhir_client.h"
#include "gateway/rest/negotiation.h"
#include "gateway/rest/service.h"
#include "gateway/store/sqlite_store.h"
#include "search_cases.h"
#include "support/test_support.h"

using namespace carebridge;
using namespace carebridge::testing;
using fhir::search::IndexedResource;
using fhir::search::IndexedView;

namespace {

// A FhirService over a SqliteStore in a temporary folder, answering in process.
struct Gateway {
  fhir::fhirpath::Engine engine{core()};
  gateway::store::SqliteStore store;
  gateway::rest::FhirService service;

  explicit Gateway(const std::string& name)
      : store(gateway::store::SqliteOptions{temp_dir(name), 2}), service(core(), store, options(engine)) {}

  static gateway::rest::ServiceOptions options(const fhir::fhirpath::Engine& engine) {
    gateway::rest::ServiceOptions o;
    o.engine = &engine;  // the extractor the server uses
    return o;
  }

  Send send() {
    return [this](const std::string& method, const std::string& path, const std::string& body) {
      gateway::http::Request request{method, "/fhir/" + path, json_headers(), body, "test", false};
      auto response = service.handle(request);
      return Reply{response.status, response.body};
    };
  }
};

// Every current resource of the store, parsed and indexed once with the write path's extractor.
class Stored {
 public:
  explicit Stored(Gateway& gateway) {
    fhir::search::SearchQuery all;
    all.count = 1000000;
    all.want_total = false;
    auto records = gateway.store.search(all);
    REQUIRE(records.ok());
    for (const auto& record : records->page) {
      auto parsed = parse(record.body);
      REQUIRE(parsed.document);
      auto indexed = fhir::search::index_resource(gateway.service.extractor(), *parsed.document->root());
      CHECK(indexed.type == record.type);  // what index_resource reads of the tree is what the store keeps
      CHECK(indexed.id == record.id);
      CHECK(indexed.updated_ms == record.updated_ms);
      by_key_[record.type + "/" + record.id] = resources_.size();
      by_type_[record.type].push_back(resources_.size());
      resources_.push_back(std::move(indexed));
    }
  }

  const std::vector<IndexedResource>& resources() const { return resources_; }

  fhir::search::Resolver resolver() const {
    fhir::search::Resolver r;
    r.resolve = [this](std::string_view key) -> std::optional<IndexedView> {
      auto it = by_key_.find(std::string(key));
      if (it == by_key_.end()) return std::nullopt;
      return resources_[it->second].view();
    };
    // Every resource of the type: the matcher checks which refer.
    r.referrers = [this](std::string_view type, std::string_view, std::string_view,
                         const fhir::search::Resolver::Visit& visit) {
      auto it = by_type_.find(std::string(type));
      if (it == by_type_.end()) return;
      for (size_t i : it->second) {
        if (!visit(resources_[i].view())) return;
      }
    };
    return r;
  }

 private:
  std::vector<IndexedResource> resources_;
  std::unordered_map<std::string, size_t> by_key_;
  std::map<std::string, std::vector<size_t>> by_type_;
};

std::string differences(const std::set<std::string>& sql, const std::set<std::string>& matcher) {
  std::string out;
  for (const auto& k : sql) {
    if (!matcher.count(k)) out += " only SQL: " + k;
  }
  for (const auto& k : matcher) {
    if (!sql.count(k)) out += " only matcher: " + k;
  }
  return out;
}

// Runs each search through the store and through the matcher over every stored
// resource; requires the same matches. Returns how many query x resource pairs it compared.
size_t compare(Gateway& gateway, const std::vector<SearchCase>& searches) {
  Stored stored(gateway);
  auto resolver = stored.resolver();
  size_t pairs = 0;
  for (const auto& search : searches) {
    INFO(search.query);
    auto target = gateway::rest::parse_target("/fhir/" + search.query);
    std::string type = target.path.size() > 6 ? target.path.substr(6) : std::string();
    fhir::search::ParsedSearch parsed;
    std::vector<fhir::model::Issue> issues;
    REQUIRE(fhir::search::parse_search(gateway.service.registry(), type, target.params, gateway.service.search_limits(),
                                       false, parsed, issues));
    auto query = parsed.query;
    query.count = 1000000;
    query.offset = 0;
    query.want_total = false;
    auto found = gateway.store.search(query);
    REQUIRE(found.ok());
    std::set<std::string> by_sql, by_matcher;
    for (const auto& r : found->page) by_sql.insert(r.type + "/" + r.id);
    for (const auto& r : stored.resources()) {
      if (fhir::search::matches(query, r.view(), resolver)) by_matcher.insert(r.type + "/" + r.id);
    }
    INFO(differences(by_sql, by_matcher));
    CHECK(by_sql == by_matcher);
    pairs += stored.resources().size();
  }
  return pairs;
}

// Searches over the shared fixtures that exercise what each side does on its own:
// value lists (json_each in SQL), :not, :missing, _id lists, chains inside _has.
std::vector<SearchCase> stress_searches() {
  std::string many_identifiers = "urn:mrn|1,2,urn:other|2,|9";
  for (int i = 0; i < 500; ++i) many_identifiers += ",urn:mrn|x" + std::to_string(i);
  std::string many_codes = "http://loinc.org|8480-6,29463-7,http://snomed.info/sct|38341003";
  for (int i = 0; i < 300; ++i) many_codes += ",c" + std::to_string(i);
  return {{"Patient?identifier=" + many_identifiers},
          {"Observation?code=" + many_codes},
          {"Condition?code=" + many_codes},
          {"Observation?subject=Patient/a,a,Group/g,g,Patient/nobody"},
          {"Observation?patient=a,Patient/a,g"},
          {"Subscription?url=https://clinic.example/hook,https://elsewhere.example"},
          {"Patient?name:exact=Smith,Smithers,J%C3%B6nes,Page1"},
          {"Patient?_id=a,nobody"},
          {"Patient?_id:not=a"},
          {"Patient?gender:not=female,male"},
          {"Observation?code:not=http://loinc.org|2345-7"},
          {"Condition?code:text=blood,hyper,HOUSING"},
          {"Patient?name:contains=ITH,ones,age"},
          {"Patient?family=smi,page,x"},
          {"Observation?combo-code:missing=true"},
          {"Observation?subject:missing=false"},
          {"Patient?general-practitioner:missing=true"},
          {"Patient?_lastUpdated=ge2000,lt1990"},
          {"Observation?value-quantity=ap5.4,gt100"},
          {"Observation?value-quantity=ne13"},
          {"Encounter?date=ge2015&date=lt2020"},
          {"Encounter?date=sa2016-01-01,eb2012"},
          {"Observation?subject:Patient._has:Observation:subject:code=2345-7"},
          {"Patient?general-practitioner:Practitioner.name=osei"},
          {"Observation?encounter:Encounter.date=ge2015"},
          {"Patient?_has:Encounter:patient:_has:Observation:encounter:category=vital-signs"},
          {"Patient?_has:Observation:subject:code=2345-7&_has:Observation:subject:date=ge2024"},
          {"Patient?_has:Observation:subject:subject:Patient.gender=male"},
          {"Observation?component-code-value-quantity=8480-6$gt100,8462-4$lt100"},
          {"Observation?category=vital-signs,laboratory&status=final"},
          {"Immunization?vaccine-code:text=influenza"},
          {"?_lastUpdated=gt2000-01-01&_id=a"},
          {"CareTeam?_include=CareTeam:*"},
          {"Practitioner?_revinclude=CareTeam:*"},
          {"Patient?_sort=-_lastUpdated&_count=3"},
          {"Patient?_has:Patient:link:_has:Patient:link:_has:Patient:link:_has:Patient:link:_has:Patient:link:"
           "_has:Patient:link:_has:Patient:link:_has:Observation:subject:code=2345-7"},
          {"Practitioner?_has:Encounter:participant:_has:Observation:encounter:_has:DiagnosticReport:result:status=final"}};
}

}  // namespace

TEST_CASE("the SQL store and the in-memory matcher find the same matches for every search", "[gateway][e2e][search]") {
  Gateway gateway("search-differential");
  auto send = gateway.send();
  std::vector<SearchCase> searches = parameter_searches(send);
  for (auto& s : result_searches(send)) searches.push_back(std::move(s));
  for (auto& s : composite_searches(send)) searches.push_back(std::move(s));
  for (auto& s : token_text_searches(send)) searches.push_back(std::move(s));
  for (auto& s : international_name_searches(send)) searches.push_back(std::move(s));
  for (const auto& set : {"v3", "v2"}) {
    for (const auto& file : synthea_bundles(set)) {
      std::string body = read_text(file);
      auto r = send("POST", "", body);
      REQUIRE(r.status == 200);
      if (is_shared_synthea_bundle(file)) continue;
      auto response = parse_json(r.body);
      std::string location = str(response["entry"][0]["response"], "location");
      for (auto& s : synthea_patient_searches(parse_json(body), location.substr(0, location.find("/_history")))) {
        searches.push_back(std::move(s));
      }
    }
  }
  searches.push_back({"Practitioner"});
  searches.push_back({"Encounter?_count=1"});
  for (auto& s : stress_searches()) searches.push_back(std::move(s));
  size_t pairs = compare(gateway, searches);
  WARN(searches.size() << " searches x stored resources: " << pairs << " pairs compared");
  CHECK(pairs > 100000);
}
