// Patient/[id]/$everything (R4 OperationDefinition Patient-everything): the patient first, every
// record of the patient's compartment the caller may see, the records they refer to, in pages
// that together hold each match once; `_type` and `_since` narrow it; a patient the caller
// cannot read is not there; every disclosure is audited. And Patient/[id]/*: the compartment's
// records of every type, as a search; and _revinclude=*, which the same cases show. A record
// of the compartment's types is never included: the patient's are matches of some page.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "fhir_client.h"
#include "security_support.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;

namespace {


// "Type/id" → search mode, over every page from `url`: each match once; what the matches refer
// to may be included again on a later page, but the patient, who leads the first page, never.
std::map<std::string, std::string> everything(Client& c, std::string url, const carebridge::gateway::http::Headers& headers = {}) {
  std::map<std::string, std::string> out;
  for (int page = 0; !url.empty() && page < 50; ++page) {
    auto r = c.get(url, headers);
    REQUIRE(r.status == 200);
    auto bundle = parse_json(r.body);
    for (const auto& e : bundle["entry"].GetArray()) {
      std::string key = str(e["resource"], "resourceType") + "/" + str(e["resource"], "id");
      if (str(e["resource"], "resourceType") == "OperationOutcome") continue;
      auto [it, added] = out.emplace(key, str(e["search"], "mode"));
      CHECK((added || (it->second == "include" && str(e["search"], "mode") == "include")));
    }
    url.clear();
    for (const auto& link : bundle["link"].GetArray())
      if (str(link, "relation") == "next") url = str(link, "url").substr(str(link, "url").find("/fhir/"));
  }
  return out;
}

}  // namespace

TEST_CASE("$everything gives the patient and every record of the patient's compartment with what they refer to",
          "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("everything"));
  auto c = server.client();
  std::string ann = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}]})");
  std::string bob = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Bob"}]})");
  std::string doctor = created_id(*c, "Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Doe"}]})");
  std::string clinic = created_id(*c, "Organization", R"({"resourceType":"Organization","name":"Clinic"})");
  std::string visit = created_id(*c, "Encounter", R"({"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},)"
                                              R"("subject":{"reference":"Patient/)" + ann + R"("},"serviceProvider":{"reference":"Organization/)" + clinic + R"("}})");
  std::string pulse = created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)"
                                                R"("subject":{"reference":"Patient/)" + ann + R"("},"performer":[{"reference":"Practitioner/)" + doctor + R"("}]})");
  std::string bobs = created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)"
                                               R"("subject":{"reference":"Patient/)" + bob + R"("}})");

  auto all = everything(*c, "/fhir/Patient/" + ann + "/$everything?_count=1");
  CHECK(all == std::map<std::string, std::string>{{"Patient/" + ann, "match"},
                                                  {"Encounter/" + visit, "match"},
                                                  {"Observation/" + pulse, "match"},
                                                  {"Practitioner/" + doctor, "include"},
                                                  {"Organization/" + clinic, "include"}});
  auto first = parse_json(c->get("/fhir/Patient/" + ann + "/$everything").body);
  CHECK(str(first["entry"][0]["resource"], "id") == ann);  // the patient leads
  auto counted = parse_json(c->get("/fhir/Patient/" + ann + "/$everything?_summary=count").body);
  CHECK(!counted.HasMember("entry"));  // a count alone, not even the patient
  CHECK(all.count("Observation/" + bobs) == 0);

  auto observations = everything(*c, "/fhir/Patient/" + ann + "/$everything?_type=Observation");
  CHECK(observations.count("Observation/" + pulse) == 1);
  CHECK(observations.count("Encounter/" + visit) == 0);
  CHECK(everything(*c, "/fhir/Patient/" + ann + "/$everything?_since=2999-01-01").empty());
  CHECK(c->post("/fhir/Patient/" + ann + "/$everything", "", {}).status == 200);
  CHECK(c->get("/fhir/Patient/nobody/$everything").status == 404);

  // _revinclude=*: what refers to the matches through any reference parameter of any type.
  auto referring = everything(*c, "/fhir/Patient?_id=" + ann + "&_revinclude=*");
  CHECK(referring == std::map<std::string, std::string>{{"Patient/" + ann, "match"},
                                                        {"Encounter/" + visit, "include"},
                                                        {"Observation/" + pulse, "include"}});

  // _include=* on a system search: what the matches of every type refer to.
  auto system = everything(*c, "/fhir?_type=Observation,Encounter&_include=*");
  CHECK(system.at("Practitioner/" + doctor) == "include");
  CHECK(system.at("Organization/" + clinic) == "include");

  // GET Patient/[id]/*: the compartment's records of every type, as a search of them.
  auto compartment = everything(*c, "/fhir/Patient/" + ann + "/*?_count=1");
  CHECK(compartment == std::map<std::string, std::string>{{"Encounter/" + visit, "match"}, {"Observation/" + pulse, "match"}});
  CHECK(everything(*c, "/fhir/Patient/" + ann + "/*?_type=Observation").size() == 1);
  CHECK(c->get("/fhir/Patient/" + ann + "/*?_type=Organization").status == 400);  // never in a patient's compartment

  // Patient/$everything: every patient's, each with the records of its compartment. A record in
  // no patient's compartment (a group's) is not there.
  std::string group = created_id(*c, "Group", R"({"resourceType":"Group","type":"person","actual":true})");
  std::string groups = created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)"
                                                 R"("subject":{"reference":"Group/)" + group + R"("}})");
  auto patients = everything(*c, "/fhir/Patient/$everything?_count=2");
  CHECK(patients == std::map<std::string, std::string>{{"Patient/" + ann, "match"},
                                                       {"Patient/" + bob, "match"},
                                                       {"Encounter/" + visit, "match"},
                                                       {"Observation/" + pulse, "match"},
                                                       {"Observation/" + bobs, "match"},
                                                       {"Practitioner/" + doctor, "include"},
                                                       {"Organization/" + clinic, "include"}});
  auto observed = everything(*c, "/fhir/Patient/$everything?_type=Observation");
  CHECK(observed.count("Observation/" + bobs) == 1);
  CHECK(observed.count("Observation/" + groups) == 0);
  CHECK(observed.count("Patient/" + ann) + observed.count("Encounter/" + visit) == 0);
  CHECK(c->post("/fhir/Patient/$everything", "", {}).status == 200);
  CHECK(c->del("/fhir/Patient/$everything").status == 405);

  auto metadata = c->get("/fhir/metadata").body;
  CHECK(metadata.find("http://hl7.org/fhir/OperationDefinition/Patient-everything") != std::string::npos);
}

TEST_CASE("$everything shows another organization nothing of a patient it has no part in and audits what it shows",
          "[gateway][e2e][search][security]") {
  SecuredGateway g("everything-secured", {{"clinic", "org-clinic", "system/*.cruds"},
                                          {"pantry", "org-pantry", "system/*.cruds"},
                                          {"auditor", "org-clinic", "system/*.rs", true}});
  auto& http = g.http();
  auto clinic = SecuredGateway::as(g.token("clinic"));
  auto pantry = SecuredGateway::as(g.token("pantry"));
  std::string ann = created_id(http.post("/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}]})", clinic));
  created_id(http.post("/fhir/Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)"
                                            R"("subject":{"reference":"Patient/)" + ann + R"("}})", clinic));
  CHECK(everything(http, "/fhir/Patient/" + ann + "/$everything", clinic).size() == 2);
  CHECK(http.get("/fhir/Patient/" + ann + "/$everything", pantry).status == 404);  // no relationship, no consent
  CHECK(everything(http, "/fhir/Patient/$everything", clinic).size() == 2);
  CHECK(everything(http, "/fhir/Patient/$everything", pantry).empty());
  auto auditor = SecuredGateway::as(g.token("auditor", "system/*.rs"));
  CHECK(eventually([&] {  // the disclosure to the clinic and the refusal to the pantry, each of the patient
    auto found = http.get("/fhir/AuditEvent?patient=" + ann + "&subtype=operation&_count=200", auditor).body;
    return found.find("\"outcome\":\"0\"") != std::string::npos && found.find("\"outcome\":\"4\"") != std::string::npos;
  }));
}

TEST_CASE("$everything start and end keep the records whose care is dated within them", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("everything-dates"));
  auto c = server.client();
  std::string ann = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}]})");
  std::string subject = R"("subject":{"reference":"Patient/)" + ann + R"("})";
  auto observation = [&](const std::string& when) {
    return created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)" + subject +
                                         R"(,"effectiveDateTime":")" + when + R"("})");
  };
  auto condition = [&](const std::string& onset) {  // dated by its onset: Condition has no `date`
    return created_id(*c, "Condition", R"({"resourceType":"Condition","code":{"text":"asthma"},)" + subject +
                                       R"(,"onsetDateTime":")" + onset + R"("})");
  };
  std::string old_pulse = observation("2020-05-01"), new_pulse = observation("2024-03-01T10:00:00Z");
  std::string old_asthma = condition("2019-01-01"), new_asthma = condition("2024-02-01");
  // A BodyStructure has no care date: dates do not narrow it.
  std::string site = created_id(*c, "BodyStructure", R"({"resourceType":"BodyStructure","patient":{"reference":"Patient/)" + ann + R"("}})");

  auto since_2023 = everything(*c, "/fhir/Patient/" + ann + "/$everything?start=2023-01-01");
  CHECK(since_2023 == std::map<std::string, std::string>{{"Patient/" + ann, "match"},
                                                         {"Observation/" + new_pulse, "match"},
                                                         {"Condition/" + new_asthma, "match"},
                                                         {"BodyStructure/" + site, "match"}});
  auto until_2021 = everything(*c, "/fhir/Patient/" + ann + "/$everything?end=2020-12-31");
  CHECK(until_2021.count("Observation/" + old_pulse) == 1);
  CHECK(until_2021.count("Condition/" + old_asthma) == 1);
  CHECK(until_2021.count("Observation/" + new_pulse) == 0);
  auto in_2024 = everything(*c, "/fhir/Patient/" + ann + "/$everything?start=2024-02-15&end=2024-12-31&_type=Observation,Condition");
  CHECK(in_2024 == std::map<std::string, std::string>{{"Patient/" + ann, "match"}, {"Observation/" + new_pulse, "match"}});

  // Page by page (the links carry start), and in a POST's Parameters.
  CHECK(everything(*c, "/fhir/Patient/" + ann + "/$everything?start=2023-01-01&_count=1") == since_2023);
  auto posted = c->post("/fhir/Patient/" + ann + "/$everything",
                        R"({"resourceType":"Parameters","parameter":[{"name":"start","valueDate":"2023-01-01"}]})", json_headers());
  REQUIRE(posted.status == 200);
  CHECK(parse_json(posted.body)["entry"].Size() == since_2023.size());
  // A prescription is dated by when it was written, not by its dosage's timing (its `date`).
  std::string inhaler = created_id(*c, "MedicationRequest", R"({"resourceType":"MedicationRequest","status":"active","intent":"order",)"
                                                        R"("medicationCodeableConcept":{"text":"albuterol"},)" + subject +
                                                        R"(,"authoredOn":"2024-05-01"})");
  CHECK(everything(*c, "/fhir/Patient/" + ann + "/$everything?start=2024-01-01").count("MedicationRequest/" + inhaler) == 1);
  CHECK(everything(*c, "/fhir/Patient/" + ann + "/$everything?end=2023-12-31").count("MedicationRequest/" + inhaler) == 0);

  auto bad = c->get("/fhir/Patient/" + ann + "/$everything?start=last-tuesday");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("start") != std::string::npos);
}

TEST_CASE("$everything includes no record of the compartment's types: each of the patient's is a match of some page",
          "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("everything-no-repeats"));
  auto c = server.client();
  std::string ann = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}]})");
  std::string doctor = created_id(*c, "Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Doe"}]})");
  std::string subject = R"("subject":{"reference":"Patient/)" + ann + R"("})";
  std::vector<std::string> targets;
  for (int i = 0; i < 4; ++i)
    targets.push_back("Observation/" + created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)" +
                                                                        subject + "}"));
  std::string target_list;
  for (const auto& t : targets) target_list += R"({"reference":")" + t + R"("},)";
  // What a hospital's import writes: one Provenance naming every record it brought.
  std::string provenance = created_id(*c, "Provenance", R"({"resourceType":"Provenance","target":[)" + target_list +
                                                            R"({"reference":"Patient/)" + ann + R"("}],"recorded":"2026-11-28T10:00:00Z",)"
                                                            R"("agent":[{"who":{"reference":"Practitioner/)" + doctor + R"("}}]})");
  std::map<std::string, std::string> expected{{"Patient/" + ann, "match"}, {"Provenance/" + provenance, "match"},
                                              {"Practitioner/" + doctor, "include"}};
  for (const auto& t : targets) expected[t] = "match";
  CHECK(everything(*c, "/fhir/Patient/" + ann + "/$everything?_count=2&_sort=-_lastUpdated") == expected);
}
