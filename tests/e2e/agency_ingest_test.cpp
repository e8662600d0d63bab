// An agency's file into a running gateway over POST /ingest/{mapping}, as a food bank's
// page or script sends it: the report names each bad row with its row, column and reason;
// the good rows are stored and readable over REST; the same file again changes nothing; a
// dry run stores nothing; a broken spec keeps the gateway from starting, saying where.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "security_support.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

constexpr const char* kHeader =
    "Client ID,First Name,Last Name,Date of Birth,Gender,Phone,Email,Street Address,City,State,ZIP,Household ID,"
    "Household Size,TEFAP Eligible,Eligibility Basis,Worried Food Would Run Out,Food Did Not Last,Visit Date,"
    "Pounds Distributed,Site\r\n";

std::string sheet() {
  return std::string(kHeader) +
         "E1,Rosa,Castillo,3/4/1990,F,(617) 555-0100,,1 Main St,Boston,MA,2134,H1,2,yes,WIC,Often true,Never true,11/5/2026,10,\r\n"
         "E2,Ana,Castillo,13/45/2020,F,,,1 Main St,Boston,MA,02134,H1,2,yes,WIC,,,11/5/2026,,\r\n"
         "E3,Ben,Ito,1/2/1975,M,,,,,,,H2,1,no,,Maybe,,11/5/2026,,\r\n"
         "E4,Carl,Ito,1/2/1977,M,,,,,,,H2,1,no,,,,11/5/2026,,\r\n";
}

carebridge::gateway::http::Headers csv_headers() { return {{"Content-Type", "text/csv"}}; }

rapidjson::Document json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  REQUIRE(d.IsObject());
  return d;
}

long total(carebridge::gateway::http::Client& c, const std::string& query) {
  auto d = json(c.get("/fhir/" + query).body);
  return d.HasMember("total") ? d["total"].GetInt64() : -1;
}

}  // namespace

TEST_CASE("ingest: a food bank's sheet — bad rows reported by row and column, good rows stored, the same file twice changes nothing",
          "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-ingest"));
  auto c = server.client();
  // A dry run first: the report, nothing stored.
  auto dry = c->post("/ingest/foodbank-intake?dry-run=true&file=intake.csv", sheet(), csv_headers());
  REQUIRE(dry.status == 200);
  CHECK(json(dry.body)["dryRun"].GetBool());
  CHECK(total(*c, "Patient?_summary=count") == 0);

  // However a preview is spelled, it stores nothing; a misspelt parameter or an unclear value
  // is refused (an upload stored for real can notify subscribers), never taken as a write.
  for (const char* query : {"dry-run", "dry-run=1", "dry-run=YES", "dryRun=true", "dry-run=true&dry-run=false"}) {
    auto preview = c->post(std::string("/ingest/foodbank-intake?file=intake.csv&") + query, sheet(), csv_headers());
    INFO(query);
    CHECK(preview.status == 200);
    CHECK(json(preview.body)["dryRun"].GetBool());
  }
  for (const char* query : {"dry_run=true", "dry-run=maybe", "dry-run=true%20"}) {
    auto refused = c->post(std::string("/ingest/foodbank-intake?file=intake.csv&") + query, sheet(), csv_headers());
    INFO(query << ": " << refused.body);
    CHECK(refused.status == 400);
  }
  CHECK(total(*c, "Patient?_summary=count") == 0);

  auto first = c->post("/ingest/foodbank-intake?file=intake.csv", sheet(), csv_headers());
  REQUIRE(first.status == 200);
  auto report = json(first.body);
  CHECK(report["rows"].GetInt() == 4);
  CHECK(report["accepted"].GetInt() == 2);
  CHECK(report["rejectedRows"].GetInt() == 2);
  std::string reasons;
  for (const auto& r : report["rejected"].GetArray())
    reasons += std::string(r["where"].GetString()) + ": " + r["reason"].GetString() + "\n";
  INFO(reasons);
  CHECK(reasons.find("intake.csv row 3, column \"Date of Birth\": \"13/45/2020\" is not a date") != std::string::npos);
  CHECK(reasons.find("intake.csv row 4, column \"Worried Food Would Run Out\": \"Maybe\" is not one of the allowed values") !=
        std::string::npos);
  CHECK(std::string(report["transaction"]["type"].GetString()) == "transaction-response");
  // Its records are named under the base the upload was sent to (its Host), as a transaction
  // posted to /fhir names them, not under a made-up localhost.
  for (const auto& entry : report["transaction"]["entry"].GetArray()) {
    std::string location = entry["response"].HasMember("location") ? entry["response"]["location"].GetString() : "";
    std::string full_url = entry.HasMember("fullUrl") ? entry["fullUrl"].GetString() : "";
    CHECK(location.find("localhost") == std::string::npos);
    CHECK(full_url.find("localhost") == std::string::npos);
  }
  // The good rows are readable over REST, on the agency's identifiers.
  CHECK(total(*c, "Patient?identifier=urn:carebridge:agency:local:foodbank-client|E1") == 1);
  CHECK(total(*c, "Patient?identifier=urn:carebridge:agency:local:foodbank-client|E4") == 1);
  CHECK(total(*c, "Patient?identifier=urn:carebridge:agency:local:foodbank-client|E2") == 0);
  CHECK(total(*c, "Observation?code=http://loinc.org|88122-7") == 1);
  long versions = total(*c, "_history?_summary=count");

  // The same file again: every record is as it was, no new version.
  auto again = c->post("/ingest/foodbank-intake?file=intake.csv", sheet(), csv_headers());
  REQUIRE(again.status == 200);
  CHECK(total(*c, "Patient?_summary=count") == 2);
  CHECK(total(*c, "_history?_summary=count") == versions);
}

TEST_CASE("ingest: a food bank's monthly sheets add to a household's members and sending one again changes nothing",
          "[e2e][agency]") {
  // November's sheet had Rosa and Ana; December's has Rosa and a newborn, Luz. The household
  // is all three: each month's sheet lists who came, not who left.
  ServerProcess server(temp_dir("agency-ingest-months"));
  auto c = server.client();
  std::string november = std::string(kHeader) +
                         "E1,Rosa,Castillo,3/4/1990,F,,,1 Main St,Boston,MA,02134,H1,2,yes,WIC,,,11/5/2026,,\r\n"
                         "E2,Ana,Castillo,5/6/2016,F,,,1 Main St,Boston,MA,02134,H1,2,yes,WIC,,,11/5/2026,,\r\n";
  std::string december = std::string(kHeader) +
                         "E1,Rosa,Castillo,3/4/1990,F,,,1 Main St,Boston,MA,02134,H1,3,yes,WIC,,,12/3/2026,,\r\n"
                         "E5,Luz,Castillo,10/1/2026,F,,,1 Main St,Boston,MA,02134,H1,3,yes,WIC,,,12/3/2026,,\r\n";
  REQUIRE(c->post("/ingest/foodbank-intake?file=nov.csv", november, csv_headers()).status == 200);
  REQUIRE(c->post("/ingest/foodbank-intake?file=dec.csv", december, csv_headers()).status == 200);
  auto group = json(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:foodbank-household|H1").body);
  REQUIRE(group["entry"].Size() == 1);
  const auto& household = group["entry"][0]["resource"];
  CHECK(household["quantity"].GetInt() == 3);
  std::set<std::string> members;
  for (const auto& m : household["member"].GetArray()) members.insert(m["entity"]["reference"].GetString());
  CHECK(household["member"].Size() == 3);
  CHECK(members.size() == 3);
  long versions = total(*c, "_history?_summary=count");
  REQUIRE(c->post("/ingest/foodbank-intake?file=dec.csv", december, csv_headers()).status == 200);
  CHECK(total(*c, "_history?_summary=count") == versions);
}

// A repeat visit's row leaves the birth date, phone and address blank, as intake workers do
// once the client is known: the stored Patient lost them (it was replaced whole). A blank cell
// says nothing; a value given again replaces the stored one.
TEST_CASE("ingest: a later sheet's blank cells keep what the client's record holds", "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-ingest-sparse"));
  auto c = server.client();
  std::string first = std::string(kHeader) + "E1,Rosa,Castillo,3/4/1990,F,(617) 555-0100,,1 Main St,Boston,MA,02134,H1,1,yes,WIC,,,11/5/2026,,\r\n";
  std::string repeat = std::string(kHeader) + "E1,Rosa,Castillo-Ruiz,,,,,,,,,H1,1,yes,WIC,,,12/3/2026,,\r\n";
  REQUIRE(c->post("/ingest/foodbank-intake?file=nov.csv", first, csv_headers()).status == 200);
  REQUIRE(c->post("/ingest/foodbank-intake?file=dec.csv", repeat, csv_headers()).status == 200);
  auto found = json(c->get("/fhir/Patient?identifier=urn:carebridge:agency:local:foodbank-client|E1").body);
  REQUIRE(found["entry"].Size() == 1);
  const auto& patient = found["entry"][0]["resource"];
  CHECK(std::string(patient["birthDate"].GetString()) == "1990-03-04");
  CHECK(std::string(patient["telecom"][0]["value"].GetString()) == "+16175550100");
  CHECK(std::string(patient["address"][0]["city"].GetString()) == "Boston");
  CHECK(std::string(patient["name"][0]["family"].GetString()) == "Castillo-Ruiz");  // given again: replaced
  CHECK(patient["name"].Size() == 1);
  CHECK(patient["name"][0]["given"].Size() == 1);
}

TEST_CASE("ingest: an unknown mapping and a file that is not a sheet get clear answers", "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-ingest-bad"));
  auto c = server.client();
  auto unknown = c->post("/ingest/no-such-format", "a,b\r\n1,2\r\n", csv_headers());
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("foodbank-intake") != std::string::npos);  // says which mappings there are
  std::string garbage("\x00\x01\x02\xff\xfe binary", 13);
  auto bad = c->post("/ingest/foodbank-intake", garbage, csv_headers());
  CHECK(bad.status == 400);
  auto missing = c->post("/ingest/foodbank-intake", "First Name,Last Name\r\nAda,Lovelace\r\n", csv_headers());
  CHECK(missing.status == 422);
  CHECK(missing.body.find("the file has no column \\\"Client ID\\\"") != std::string::npos);
  CHECK(c->get("/fhir/metadata").status == 200);  // and it keeps serving
}

TEST_CASE("serve: a mapping spec with a mistake keeps the gateway from starting, saying file and line", "[e2e][agency]") {
  auto dir = temp_dir("agency-bad-spec");
  std::filesystem::create_directories(dir / "specs" / "broken");
  std::ofstream(dir / "specs" / "broken" / "spec.json")
      << "{\n  \"name\": \"broken\",\n  \"identifierSystems\": {\"c\": \"urn:x\"},\n  \"columns\": [{\"name\": \"Id\", \"key\": \"id\"}],\n"
         "  \"resources\": [{\"id\": \"p\", \"type\": \"Patient\", \"identity\": {\"system\": \"c\", \"value\": \"{id}\"},\n"
         "    \"set\": {\"birthdate\": \"{id}\"}}]\n}\n";
  ::setenv("CAREBRIDGE_SPECS", (dir / "specs").string().c_str(), 1);  // this test's process only
  auto run = run_carebridge({"serve", "--listen", "127.0.0.1:0", "--data-dir", (dir / "data").string()});
  ::unsetenv("CAREBRIDGE_SPECS");
  CHECK(run.exit_code != 0);
  CHECK(run.err.find("spec.json line 6: \"birthdate\": Patient has no element \"birthdate\"") != std::string::npos);
}

namespace {

// The files of a folder zipped together, as an export is sent.
std::string zip_folder(const std::filesystem::path& folder) { return zip_of(folder_files(folder)); }

}  // namespace

TEST_CASE("ingest: a community directory (HSDS, zipped) becomes services a case manager finds by need and by distance",
          "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-hsds"));
  auto c = server.client();
  auto stored = c->post("/ingest/hsds?file=directory.zip", zip_folder(project_sample("agency/hsds/directory-2026-11")),
                        {{"Content-Type", "application/zip"}});
  INFO(stored.body.substr(0, 2000));
  REQUIRE(stored.status == 200);
  CHECK(json(stored.body)["rejectedRows"].GetInt() == 0);
  // Pantries by need...
  auto pantries = c->get("/fhir/HealthcareService?service-category=food-insecurity");
  CHECK(json(pantries.body)["total"].GetInt() >= 1);
  // ... and places within 2 km of a client at the north pantry: not the clinic (3.8 km east)
  // nor the south pantry (7 km south); within 20 km, all four.
  auto near = c->get("/fhir/Location?near=43.0647|-87.9362|2|km");
  REQUIRE(near.status == 200);
  CHECK(near.body.find("Lakeshore Food Bank North Pantry") != std::string::npos);
  CHECK(near.body.find("South Side Pantry") == std::string::npos);
  CHECK(near.body.find("Eastside Family Health Clinic") == std::string::npos);
  CHECK(json(c->get("/fhir/Location?near=43.0647|-87.9362|20|km").body)["total"].GetInt() == 4);
  // Sorted by distance, closest first (as HAPI does), from a client east of them all: the
  // clinic (3 km), then downtown (6.5), the north pantry (7), the south one (9).
  auto by_distance = json(c->get("/fhir/Location?near=43.06|-87.85|20|km&_sort=near").body);
  std::vector<std::string> names;
  for (const auto& e : by_distance["entry"].GetArray()) names.push_back(e["resource"]["name"].GetString());
  CHECK(names == std::vector<std::string>{"Eastside Family Health Clinic", "Harbor House Downtown",
                                          "Lakeshore Food Bank North Pantry", "South Side Pantry at St. Casimir Hall"});
  auto farthest = json(c->get("/fhir/Location?near=43.06|-87.85|20|km&_sort=-near").body);
  CHECK(std::string(farthest["entry"][0]["resource"]["name"].GetString()) == "South Side Pantry at St. Casimir Hall");
}

namespace {

std::string warnings_of(const rapidjson::Document& report) {
  std::string out;
  for (const auto& w : report["warnings"].GetArray()) out += std::string(w.GetString()) + "\n";
  return out;
}

}  // namespace

TEST_CASE("ingest: a directory whose ids name records it does not have is stored without those links, each one told",
          "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-hsds-dangling"));
  auto c = server.client();
  std::string directory = zip_of({
      {"organizations.csv", "id,name,parent_organization_id\r\nO1,Riverside Network,P-GONE\r\n"},
      {"locations.csv", "id,name,organization_id\r\nL1,North Pantry,O-GONE\r\n"},
      {"services.csv", "id,name,organization_id,status\r\nS1,Pantry,O1,active\r\nS2,Meals,O-GONE,active\r\n"},
      {"service_at_location.csv", "id,service_id,location_id\r\nSL1,S1,L1\r\nSL2,S1,L-GONE\r\n"},
  });
  const carebridge::gateway::http::Headers zip{{"Content-Type", "application/zip"}};
  // A dry run says what the upload will say, before anything is stored.
  auto dry = json(c->post("/ingest/hsds?file=directory.zip&dry-run=true", directory, zip).body);
  auto stored = c->post("/ingest/hsds?file=directory.zip", directory, zip);
  INFO(stored.body.substr(0, 3000));
  REQUIRE(stored.status == 200);  // not a 412 from the store after every row was reported taken
  auto report = json(stored.body);
  std::string told = warnings_of(report);
  CHECK(warnings_of(dry) == told);
  CHECK(report["rejectedRows"].GetInt() == 0);
  CHECK(told.find("organizations.csv row 2, column \"parent_organization_id\": there is no Organization \"P-GONE\" in the export "
                  "or on the gateway, so the reference to it is left out") != std::string::npos);
  CHECK(told.find("locations.csv row 2, column \"organization_id\": there is no Organization \"O-GONE\"") != std::string::npos);
  CHECK(told.find("(and 1 more row)") != std::string::npos);  // the service S2 names it too
  CHECK(told.find("service_at_location.csv row 3, column \"location_id\": there is no Location \"L-GONE\"") != std::string::npos);
  auto meals = json(c->get("/fhir/HealthcareService?identifier=urn:carebridge:agency:local:hsds-service|S2").body);
  REQUIRE(meals["total"].GetInt() == 1);
  CHECK(!meals["entry"][0]["resource"].HasMember("providedBy"));
  auto pantry = json(c->get("/fhir/HealthcareService?identifier=urn:carebridge:agency:local:hsds-service|S1").body);
  REQUIRE(pantry["total"].GetInt() == 1);
  CHECK(pantry["entry"][0]["resource"]["location"].Size() == 1);
  CHECK(pantry["entry"][0]["resource"].HasMember("providedBy"));

  // An organization stored by the first upload is there for the next one: no warning.
  auto next = c->post("/ingest/hsds?file=more.zip", zip_of({{"services.csv", "id,name,organization_id\r\nS3,Rides,O1\r\n"}}), zip);
  INFO(next.body.substr(0, 2000));
  REQUIRE(next.status == 200);
  CHECK(warnings_of(json(next.body)).find("there is no") == std::string::npos);
}

TEST_CASE("ingest: hostile and odd files get clear answers and the gateway keeps serving", "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-hostile"));
  auto c = server.client();
  // One field of 2 MB: past the field limit, said as such.
  std::string huge_field = std::string(kHeader) + "H1,\"" + std::string(2 << 20, 'x') + "\",Doe,,,,,,,,,HH1,1,yes,,,,11/5/2026,,\r\n";
  auto field = c->post("/ingest/foodbank-intake?file=big.csv", huge_field, csv_headers());
  CHECK(field.status == 400);
  CHECK(field.body.find("big.csv") != std::string::npos);
  // A file past the request size limit (64 MB).
  auto too_big = c->post("/ingest/foodbank-intake?file=huge.csv", std::string(kHeader) + std::string(70 << 20, 'a'), csv_headers());
  CHECK(too_big.status == 413);
  // Excel's Windows-1252 export: the accents arrive as they were written.
  std::string latin1 = std::string(kHeader) + "W1,Jos\xe9,Pe\xf1" "a,1/2/1980,M,,,,,,,HW,1,yes,,,,11/5/2026,,\r\n";
  auto accents = c->post("/ingest/foodbank-intake?file=excel.csv", latin1, csv_headers());
  REQUIRE(accents.status == 200);
  auto found = c->get("/fhir/Patient?identifier=urn:carebridge:agency:local:foodbank-client|W1");
  CHECK(found.body.find("Jos\xc3\xa9") != std::string::npos);
  CHECK(found.body.find("Pe\xc3\xb1" "a") != std::string::npos);
  // A cell that would be a formula in a spreadsheet is data here, kept as written.
  std::string formula = std::string(kHeader) + "F1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",Doe,,,,,,,,,HF,1,yes,,,,11/5/2026,,\r\n";
  CHECK(c->post("/ingest/foodbank-intake?file=f.csv", formula, csv_headers()).status == 200);
  // An empty body is said to be empty; a broken zip sent as one is called a zip, not a workbook.
  auto empty = c->post("/ingest/hmis", "", csv_headers());
  CHECK(empty.status == 422);
  CHECK(empty.body.find("the file is empty") != std::string::npos);
  auto broken = c->post("/ingest/hmis", "PK\x03\x04 not really a zip", {{"Content-Type", "application/zip"}});
  CHECK(broken.status >= 400);
  CHECK(broken.body.find("upload.zip") != std::string::npos);
  CHECK(c->get("/fhir/metadata").status == 200);
}

TEST_CASE("ingest: an upload keeps the security labels of the records it updates", "[e2e][agency][security]") {
  ServerProcess server(temp_dir("agency-labels"));
  auto c = server.client();
  // A client's record another system labelled (HIV-related), then the agency's export of her.
  std::string patient = R"({"resourceType":"Patient","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]},)"
                        R"("identifier":[{"system":"urn:carebridge:agency:local:hmis-client","value":"C-1001"}],"name":[{"family":"Delgado"}]})";
  REQUIRE(c->put("/fhir/Patient?identifier=urn:carebridge:agency:local:hmis-client%7CC-1001", patient,
                 {{"Content-Type", "application/fhir+json"}}).status == 201);
  auto uploaded = c->post("/ingest/hmis?file=export.zip", zip_folder(project_sample("agency/hmis/FY2024")),
                          {{"Content-Type", "application/zip"}});
  INFO(uploaded.body.substr(0, 600));
  REQUIRE(uploaded.status == 200);
  auto found = json(c->get("/fhir/Patient?identifier=urn:carebridge:agency:local:hmis-client%7CC-1001").body);
  REQUIRE(found["total"].GetInt() == 1);
  const auto& record = found["entry"][0]["resource"];
  CHECK(std::string(record["meta"]["versionId"].GetString()) == "2");  // the export updated it
  std::string labels;
  for (const auto& l : record["meta"]["security"].GetArray()) labels += std::string(l["code"].GetString()) + " ";
  CHECK(labels.find("HIV") != std::string::npos);
}

TEST_CASE("ingest: a victim service provider's HMIS export stays with it, even for a partner the client consented to",
          "[e2e][agency][security]") {
  SecuredGateway g("agency-vsp", {{"vsp", "org-vsp", "system/*.cruds"}, {"partner", "org-partner", "system/*.cruds"}});
  auto& http = g.http();
  auto vsp = SecuredGateway::as(g.token("vsp"));
  auto partner = SecuredGateway::as(g.token("partner"));
  auto zipped = vsp;
  for (auto& [name, value] : zipped)
    if (name == "Content-Type") value = "application/zip";
  auto stored = http.post("/ingest/hmis?file=export.zip", zip_folder(project_sample("agency/hmis/FY2024")), zipped);
  INFO(stored.body.substr(0, 1500));
  REQUIRE(stored.status == 200);
  auto id_of = [&](const std::string& personal_id) {
    auto found = json(http.get("/fhir/Patient?identifier=" + personal_id, vsp).body);
    REQUIRE(found["total"].GetInt() == 1);
    return std::string(found["entry"][0]["resource"]["id"].GetString());
  };
  std::string survivor = id_of("C-1003"), other = id_of("C-1001");  // C-1003 is enrolled at the victim service provider
  for (const std::string& patient : {survivor, other}) {
    REQUIRE(http.post("/fhir/Consent", permit_consent(patient, "org-partner", {"SDV"}), vsp).status == 201);
    std::string task = R"({"resourceType":"Task","status":"requested","intent":"order","for":{"reference":"Patient/)" + patient +
                       R"("},"owner":{"reference":"Organization/org-partner"}})";
    REQUIRE(http.post("/fhir/Task", task, vsp).status == 201);
  }
  CHECK(http.get("/fhir/Patient/" + other, partner).status == 200);     // a referral makes the partner one of the client's carers
  CHECK(http.get("/fhir/Patient/" + survivor, partner).status == 404);  // ORCON: never leaves the provider
  CHECK(http.get("/fhir/Patient/" + survivor, vsp).status == 200);

  // A delta export with the survivor's Client row alone (no enrollment says whose client she
  // is): her record is updated and stays the provider's, as everything the provider sends is
  // (the label union for uploads is tested on its own above).
  std::vector<std::pair<std::string, std::string>> delta;
  for (auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv") delta.emplace_back(name, text);
    if (name != "Client.csv") continue;
    std::string header = text.substr(0, text.find('\n') + 1);
    size_t row = text.find("\nC-1003,") + 1;
    std::string client = text.substr(row, text.find('\n', row) + 1 - row);
    client.replace(client.find("Aisha"), 5, "Aysha");  // her first name corrected
    delta.emplace_back(name, header + client);
  }
  auto updated = http.post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(updated.body.substr(0, 1500));
  REQUIRE(updated.status == 200);
  auto record = json(http.get("/fhir/Patient/" + survivor, vsp).body);
  CHECK(std::string(record["name"][0]["given"][0].GetString()) == "Aysha");
  CHECK(http.get("/fhir/Patient/" + survivor, partner).status == 404);
}

TEST_CASE("ingest: an upload whose Bundle is larger than a client's request may be is still stored", "[e2e][agency]") {
  // A Continuum of Care's export of 800 clients is a few hundred KB zipped and 18 MB of FHIR:
  // here the limit on a client's request is cut to 64 KB and the sample export (a few KB
  // zipped) makes a Bundle larger than that. The gateway's own transaction is not a client's.
  ServerProcess server(temp_dir("agency-large"), R"({"limits":{"max_body_bytes":65536}})");
  auto c = server.client();
  std::string upload = zip_folder(project_sample("agency/hmis/FY2024"));
  REQUIRE(upload.size() < 65536);
  auto stored = c->post("/ingest/hmis?file=export.zip", upload, {{"Content-Type", "application/zip"}});
  INFO(stored.body.substr(0, 1500));
  REQUIRE(stored.status == 200);
  CHECK(json(stored.body)["rejectedRows"].GetInt() == 0);
  CHECK(json(c->get("/fhir/Patient?_summary=count").body)["total"].GetInt() > 0);
  // A client's own Bundle of that size is still refused.
  auto big = c->post("/fhir", std::string(70000, ' '), {{"Content-Type", "application/fhir+json"}});
  CHECK(big.status == 413);
}

// An upload whose rows make more records than one transaction may hold is stored in parts,
// each its own transaction, a household's rows in one part however far apart they are in the
// file: every row is taken, each household holds all its members, and sending the file again
// changes nothing.
TEST_CASE("ingest: an upload too large for one transaction is stored in parts", "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-parts"), R"({"limits": {"max_transaction_entries": 40}})");
  auto c = server.client();
  std::string sheet = kHeader;
  for (int day = 1; day <= 2; ++day)
    for (int i = 0; i < 10; ++i)  // each row: a Patient, a Group, a Procedure and two Observations
      sheet += "L" + std::to_string(i) + ",Ana,Lee,1/2/1980,F,,,,,,,HL" + std::to_string(i / 2) + ",2,yes,,Often true,,11/" +
               std::to_string(day) + "/2026,,\r\n";
  auto stored = c->post("/ingest/foodbank-intake?file=big.csv", sheet, csv_headers());
  INFO(stored.body.substr(0, 3000));
  REQUIRE(stored.status == 200);
  auto report = json(stored.body);
  CHECK(report["accepted"].GetInt() == 20);
  CHECK(report["rejectedRows"].GetInt() == 0);
  int parts = report["parts"]["count"].GetInt();
  CHECK(parts > 1);
  CHECK(report["parts"]["stored"].GetInt() == parts);
  int records = 0;
  for (const auto& [type, n] : report["resources"].GetObject()) records += n.GetInt();
  CHECK(records > 40);
  CHECK(static_cast<int>(report["transaction"]["entry"].Size()) == records);
  auto patients = json(c->get("/fhir/Patient?identifier=urn:carebridge:agency:local:foodbank-client|&_summary=count").body);
  CHECK(patients["total"].GetInt() == 10);
  for (int h = 0; h < 5; ++h) {
    auto group = json(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:foodbank-household|HL" + std::to_string(h)).body);
    REQUIRE(group["total"].GetInt() == 1);
    CHECK(group["entry"][0]["resource"]["member"].Size() == 2);
  }

  auto again = c->post("/ingest/foodbank-intake?file=big.csv", sheet, csv_headers());
  REQUIRE(again.status == 200);
  auto l0 = json(c->get("/fhir/Patient?identifier=urn:carebridge:agency:local:foodbank-client|L0").body);
  CHECK(std::string(l0["entry"][0]["resource"]["meta"]["versionId"].GetString()) == "1");
}

// An HMIS export stored in parts stores what it stores whole: each part a client's records with
// her household's, the organizations and projects stored with the first and named by the
// others; the episodes of the later parts are managed by the projects the first part stored.
TEST_CASE("ingest: an HMIS export stored in parts stores what it stores whole", "[e2e][agency]") {
  std::string upload = zip_folder(project_sample("agency/hmis/FY2024"));
  ServerProcess whole_server(temp_dir("agency-hmis-whole"));
  auto whole = json(whole_server.client()->post("/ingest/hmis?file=export.zip", upload, {{"Content-Type", "application/zip"}}).body);
  ServerProcess server(temp_dir("agency-hmis-parts"), R"({"limits": {"max_transaction_entries": 60}})");
  auto c = server.client();
  auto stored = c->post("/ingest/hmis?file=export.zip", upload, {{"Content-Type", "application/zip"}});
  INFO(stored.body.substr(0, 3000));
  REQUIRE(stored.status == 200);
  auto report = json(stored.body);
  CHECK(report["parts"]["count"].GetInt() > 1);
  CHECK(report["parts"]["stored"].GetInt() == report["parts"]["count"].GetInt());
  CHECK(report["accepted"].GetInt() == whole["accepted"].GetInt());
  CHECK(report["rejectedRows"].GetInt() == 0);
  for (const auto& [type, n] : whole["resources"].GetObject()) {
    INFO(type.GetString());
    CHECK(report["resources"][type.GetString()].GetInt() == n.GetInt());
    auto count = json(c->get("/fhir/" + std::string(type.GetString()) + "?_summary=count").body);
    CHECK(count["total"].GetInt() == n.GetInt());
  }
  auto episodes = json(c->get("/fhir/EpisodeOfCare?_include=EpisodeOfCare:organization&_count=100").body);
  int managed = 0, organizations = 0;
  for (const auto& e : episodes["entry"].GetArray()) {
    const auto& r = e["resource"];
    if (std::string(r["resourceType"].GetString()) == "Organization") ++organizations;
    else if (r.HasMember("managingOrganization")) ++managed;
  }
  CHECK(managed > 0);
  CHECK(organizations > 0);
}

TEST_CASE("ingest: an export's files sent together as multipart/form-data are read as one export", "[e2e][agency]") {
  ServerProcess server(temp_dir("agency-multipart"));
  auto c = server.client();
  const std::string boundary = "----carebridge-export-7f3a";
  std::string body;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024")))
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + name +
            "\"\r\nContent-Type: text/csv\r\n\r\n" + text + "\r\n";
  body += "--" + boundary + "--\r\n";
  auto uploaded = c->post("/ingest/hmis", body, {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  INFO(uploaded.body.substr(0, 600));
  REQUIRE(uploaded.status == 200);
  long patients = total(*c, "Patient"), episodes = total(*c, "EpisodeOfCare"), versions = total(*c, "Patient/_history");
  CHECK(patients > 0);
  CHECK(episodes > 0);
  // The same export zipped changes nothing: the files were read as the export they are.
  auto again = c->post("/ingest/hmis?file=export.zip", zip_folder(project_sample("agency/hmis/FY2024")),
                       {{"Content-Type", "application/zip"}});
  INFO(again.body.substr(0, 600));
  CHECK(again.status == 200);
  CHECK(total(*c, "Patient") == patients);
  CHECK(total(*c, "EpisodeOfCare") == episodes);
  CHECK(total(*c, "Patient/_history") == versions);
}

TEST_CASE("ingest: two sheets adding members to one household at once keep both members", "[e2e][agency]") {
  // Two volunteers upload at the same moment: each sheet names a new member of H1. Each upload
  // reads the household and writes it back with its member; neither may write over the other.
  ServerProcess server(temp_dir("agency-ingest-race"));
  auto row = [](const std::string& id, const std::string& name) {
    return std::string(kHeader) + id + "," + name + ",Castillo,3/4/1990,F,,,1 Main St,Boston,MA,02134,H1,3,yes,WIC,,,11/5/2026,,\r\n";
  };
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    std::string household = "H-race-" + std::to_string(round);
    auto sheet_of = [&](const std::string& id, const std::string& name) {
      std::string text = row(id + "-" + std::to_string(round), name);
      text.replace(text.find(",H1,"), 4, "," + household + ",");
      return text;
    };
    if (round > 0) REQUIRE(server.client()->post("/ingest/foodbank-intake?file=a.csv", sheet_of("A", "Rosa"), csv_headers()).status == 200);
    int status_b = 0, status_c = 0;
    std::thread b([&] { status_b = server.client()->post("/ingest/foodbank-intake?file=b.csv", sheet_of("B", "Ana"), csv_headers()).status; });
    std::thread c([&] { status_c = server.client()->post("/ingest/foodbank-intake?file=c.csv", sheet_of("C", "Luz"), csv_headers()).status; });
    b.join();
    c.join();
    CHECK(status_b == 200);
    CHECK(status_c == 200);
    auto group = json(server.client()->get("/fhir/Group?identifier=urn:carebridge:agency:local:foodbank-household|" + household).body);
    REQUIRE(group["entry"].Size() == 1);
    CHECK(group["entry"][0]["resource"]["member"].Size() == (round > 0 ? 3u : 2u));
  }
}

TEST_CASE("ingest: a client number two stored records share is told at its row, and nothing is said stored", "[e2e][agency]") {
  // Someone created two Patients with the food bank's number FB-DUP over the API: which one a
  // sheet's row is about cannot be told. The gateway refuses the transaction (412); the report
  // says so at the row, not only "the criteria match more than one Patient".
  ServerProcess server(temp_dir("agency-ingest-duplicate"));
  auto c = server.client();
  std::string patient =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:carebridge:agency:local:foodbank-client","value":"FB-DUP"}]})";
  for (int i = 0; i < 2; ++i) REQUIRE(c->post("/fhir/Patient", patient, {{"Content-Type", "application/fhir+json"}}).status == 201);
  std::string sheet = std::string(kHeader) +
                      "FB-OK1,Rosa,Castillo,3/4/1990,F,,,1 Main St,Boston,MA,02134,H9,2,yes,WIC,,,11/5/2026,,\r\n"
                      "FB-DUP,Ana,Castillo,5/6/2016,F,,,1 Main St,Boston,MA,02134,H9,2,yes,WIC,,,11/5/2026,,\r\n";
  auto answer = c->post("/ingest/foodbank-intake?file=intake.csv", sheet, csv_headers());
  CHECK(answer.status == 412);
  auto report = json(answer.body);
  std::string errors;
  for (const auto& e : report["errors"].GetArray()) errors += std::string(e.GetString()) + "\n";
  INFO(errors);
  CHECK(errors.find("nothing was stored: two or more stored Patient records have its identifier") != std::string::npos);
  CHECK(errors.find("intake.csv row 3") != std::string::npos);
  CHECK(total(*c, "Patient?identifier=urn:carebridge:agency:local:foodbank-client|FB-OK1&_summary=count") == 0);
}
