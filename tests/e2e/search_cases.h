// The searches the end-to-end search tests make, with the resources they make them
// over: shared by the tests against a running server (search_test.cpp,
// composite_search_test.cpp, synthea_test.cpp) and the test that holds the SQL store
// and the in-memory matcher to the same answers (search_differential_test.cpp).
#pragma once

#include <rapidjson/document.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gateway/http/client.h"

namespace carebridge::testing {

// One request to the FHIR base: the method, the path after "/fhir/" (with its
// query) and the body, answered with a status and a body. Over HTTP to a running
// server, or straight to a FhirService.
struct Reply {
  unsigned status = 0;
  std::string body;
};
using Send = std::function<Reply(const std::string& method, const std::string& path, const std::string& body)>;

// Requests to a running server through `client` (which must outlive it).
Send http_send(gateway::http::Client& client);

// A search after the base ("Patient?name=smith") and the total it answers (-1: the
// test checks something else of it).
struct SearchCase {
  std::string query;
  int total = -1;
};

// Creates a resource with POST (required to succeed); its id.
std::string create_resource(const Send& send, const std::string& type, const std::string& json);

// Patients, observations and a subscription (search_test.cpp), and a search by each
// parameter type, modifier, prefix, chain and _has over them.
std::vector<SearchCase> parameter_searches(const Send& send);
// Patients with birth dates, observations and a practitioner, and the searches with
// result parameters (_include, _revinclude, paging, _summary, ...) over them. The
// resources are made at once: search_test.cpp makes them between its checks.
std::vector<SearchCase> result_searches(const Send& send);
// Blood pressures, weights and a smoking status (composite_search_test.cpp), and the
// composite and shared-row searches over them.
std::vector<SearchCase> composite_searches(const Send& send);
// Conditions with coded and text-only concepts, and :text searches over them.
std::vector<SearchCase> token_text_searches(const Send& send);

// Patients named in several scripts (caron, ogonek, Vietnamese, NFD, Greek, Cyrillic, pinyin,
// CJK), and the case- and accent-insensitive name searches over them.
std::vector<SearchCase> international_name_searches(const Send& send);

// The Synthea fixture Bundles of one set ("v2", "v3") in the order an interface
// engine sends them: shared Bundles first.
std::vector<std::filesystem::path> synthea_bundles(const std::string& set);
bool is_shared_synthea_bundle(const std::filesystem::path& file);
// The searches about one patient Bundle's patient (stored as `patient`, "Patient/x")
// with the totals read from the Bundle.
std::vector<SearchCase> synthea_patient_searches(const rapidjson::Document& bundle, const std::string& patient);

}  // namespace carebridge::testing
