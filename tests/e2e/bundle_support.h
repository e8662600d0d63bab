// The e2e tests' shared helpers for transaction and batch Bundles: an entry, the answer to a
// posted Bundle, an entry's status and first problem, a search's total.
#pragma once

#include <string>

#include "fhir_client.h"
#include "support/test_support.h"

namespace carebridge::testing {

inline std::string entry_post(const std::string& full_url, const std::string& resource, const std::string& type,
                              const std::string& extra_request = "") {
  return R"({"fullUrl":")" + full_url + R"(","resource":)" + resource + R"(,"request":{"method":"POST","url":")" + type +
         "\"" + extra_request + "}}";
}

inline carebridge::gateway::http::Headers representation() {
  auto headers = json_headers();
  headers.emplace_back("Prefer", "return=representation");
  return headers;
}

// Entry `i` of a batch or transaction response: its status, and the text of its first issue.
inline std::string entry_status(const rapidjson::Value& response, unsigned i) { return str(response["entry"][i]["response"], "status"); }
inline std::string entry_problem(const rapidjson::Value& response, unsigned i) {
  return str(response["entry"][i]["response"]["outcome"]["issue"][0]["details"], "text");
}

// The answer to a batch or transaction Bundle posted to the base, which must be 200.
inline rapidjson::Document answer(carebridge::gateway::http::Client& c, const std::string& bundle) {
  auto r = c.post("/fhir", bundle, json_headers());
  INFO(r.body);
  REQUIRE(r.status == 200);
  return parse_json(r.body);
}

// The total of a search (GET `query` on the server).
inline long total(carebridge::gateway::http::Client& c, const std::string& query) { return parse_json(c.get(query).body)["total"].GetInt(); }

}  // namespace carebridge::testing
