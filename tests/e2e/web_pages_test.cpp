// The pages for people over HTTP, as a browser uses them (the browser tests in tests/web
// drive Chromium through the same flows): sign-in with its lockout, the session cookie's
// flags, CSRF on every form, an upload previewed then saved, the same file again saying
// nothing changed, and another organization not seeing the first one's referrals.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <chrono>
#include <regex>
#include <set>

#include <rapidjson/document.h>
#include <thread>

#include "gateway/rest/negotiation.h"
#include "routing_subscription.h"
#include "security_support.h"
#include "fhir_client.h"
#include "server_process.h"
#include "webhook_receiver.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Headers;
using carebridge::gateway::http::Response;

namespace {

int add_user(const std::filesystem::path& data, const std::string& name, const std::string& org, bool admin = false) {
  std::string command = "echo 'correct horse battery' | " + std::string(CAREBRIDGE_BINARY) + " users add " + name +
                        " --organization " + org + (admin ? " --admin" : "") + " --data-dir '" + data.string() + "' >/dev/null";
  return std::system(command.c_str());
}


// A browser's memory of one site: its cookies, sent back with each request.
struct Browser {
  carebridge::gateway::http::Client& http;
  std::map<std::string, std::string> cookies;

  Headers headers(Headers more = {}) const {
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) more.emplace_back("Cookie", jar);
    return more;
  }
  Response keep(Response r) {
    for (const auto& [k, v] : r.headers) {
      if (!carebridge::gateway::http::iequals(k, "Set-Cookie")) continue;
      std::string pair = v.substr(0, v.find(';'));
      cookies[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
    }
    return r;
  }
  Response get(const std::string& path) { return keep(http.get(path, headers())); }
  Response post(const std::string& path, const std::string& form) {
    return keep(http.post(path, form, headers({{"Content-Type", "application/x-www-form-urlencoded"}})));
  }
  Response upload(const std::string& csrf, const std::string& mapping, const std::string& csv,
                  const std::string& filename = "intake.csv") {
    std::string b = "----cbBoundary7", body;
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n";
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n" + mapping + "\r\n";
    body += "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
            "\"\r\nContent-Type: text/csv\r\n\r\n" + csv + "\r\n--" + b + "--\r\n";
    return keep(http.post("/upload", body, headers({{"Content-Type", "multipart/form-data; boundary=" + b}})));
  }
};

std::string csrf_of(const std::string& page) {
  std::smatch m;
  return std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([^\"]+)\"")) ? m[1].str() : "";
}

std::string encoded(const std::string& text) { return carebridge::gateway::rest::url_encode(text); }

Response sign_in(Browser& b, const std::string& user, const std::string& password) {
  std::string csrf = csrf_of(b.get("/signin").body);
  return b.post("/signin", "csrf=" + csrf + "&username=" + user + "&password=" + encoded(password));
}

constexpr const char* kIntake =
    "Client ID,First Name,Last Name,Date of Birth,Gender,Household ID,Household Size,TEFAP Eligible,Visit Date\r\n"
    "W1,Rosa,Castillo,3/4/1990,F,H1,2,yes,11/5/2026\r\n"
    "W2,Ana,Castillo,13/45/2020,F,H1,2,yes,11/5/2026\r\n"
    "W3,Ben,Ito,1/2/1975,M,H2,1,no,11/5/2026\r\n";

}  // namespace

TEST_CASE("web: sign-in sets a session cookie only it can read, locks after five failures, and every form needs its CSRF token",
          "[e2e][web]") {
  auto dir = temp_dir("web-signin");
  REQUIRE(add_user(dir / "data", "ana", "org-pantry") == 0);
  REQUIRE(add_user(dir / "data", "eve", "org-pantry") == 0);
  ServerProcess server(dir / "data", R"({"auth":{"required":true}})");
  auto http = server.client();
  Browser b{*http, {}};
  CHECK(b.get("/").body.find("href=\"/signin\"") != std::string::npos);
  CHECK(b.get("/upload").status == 303);  // signed out: to sign-in
  auto wrong = sign_in(b, "ana", "not the password");
  CHECK(wrong.status == 401);
  CHECK(wrong.body.find("not right") != std::string::npos);
  // A `next` that a browser could read as another site leads home, not away.
  std::string csrf_before = csrf_of(b.get("/signin").body);
  auto away = b.post("/signin", "csrf=" + csrf_before + "&username=ana&password=" + encoded("correct horse battery") +
                                    "&next=" + encoded("/\r/evil.example"));
  CHECK(header(away, "Location") == "/");
  auto in = sign_in(b, "ana", "correct horse battery");
  REQUIRE(in.status == 303);
  std::string cookie = header(in, "Set-Cookie");
  CHECK(cookie.find("cb_session=") == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  auto page = b.get("/upload");
  REQUIRE(page.status == 200);
  CHECK(header(page, "Content-Security-Policy").find("default-src 'self'") != std::string::npos);
  // A form without its token, or with another session's, is refused.
  CHECK(b.post("/upload/confirm", "upload=x").status == 403);
  CHECK(b.post("/upload/confirm", "csrf=" + csrf_of(wrong.body) + "&upload=x").status == 403);
  CHECK(b.post("/signout", "csrf=" + csrf_of(page.body)).status == 303);
  CHECK(b.get("/upload").status == 303);  // the session is over

  Browser other{*http, {}};
  for (int i = 0; i < 5; ++i) sign_in(other, "eve", "guessing " + std::to_string(i));
  auto locked = sign_in(other, "eve", "correct horse battery");
  CHECK(locked.status == 401);
  CHECK(locked.body.find("locked") != std::string::npos);
  // A name no one has is answered as a locked account is: the lock does not tell who is staff.
  Browser guesser{*http, {}};
  Response nobody;
  for (int i = 0; i < 6; ++i) nobody = sign_in(guesser, "nobody-here", "guessing " + std::to_string(i));
  auto without_form_values = [](const std::string& answer) { return std::regex_replace(answer, std::regex("value=\"[^\"]*\""), ""); };
  CHECK(nobody.status == locked.status);
  CHECK(without_form_values(nobody.body) == without_form_values(locked.body));
}

TEST_CASE("web: an upload is previewed row by row, saved on confirmation, and the same file again changes nothing",
          "[e2e][web]") {
  // The pantry's own system (a registered client) reads over REST what its people saved on the pages.
  SecuredGateway g("web-upload", {{"pantry-system", "org-pantry", "system/*.rs"}, {"auditor", "org-pantry", "system/*.rs", true}});
  REQUIRE(add_user(g.dir() / "data", "ana", "org-pantry") == 0);
  REQUIRE(add_user(g.dir() / "data", "oscar", "org-other") == 0);
  auto http = g.server().client();
  Browser b{*http, {}};
  REQUIRE(sign_in(b, "ana", "correct horse battery").status == 303);
  std::string csrf = csrf_of(b.get("/upload").body);
  auto empty = b.upload(csrf, "foodbank-intake", "");  // no file chosen: said so, linked to the field
  CHECK(empty.status == 400);
  CHECK(empty.body.find("<a href=\"#file\">Choose the file to check") != std::string::npos);
  CHECK(b.upload(csrf, "no-such-format", kIntake).body.find("<a href=\"#mapping\">Choose one of the formats") != std::string::npos);
  auto preview = b.upload(csrf, "foodbank-intake", kIntake);
  REQUIRE(preview.status == 200);
  CHECK(preview.body.find("2 people") != std::string::npos);
  CHECK(std::regex_search(preview.body, std::regex("<td[^>]*>3</td><td[^>]*>Date of Birth</td><td[^>]*>&quot;13/45/2020&quot; is not a date")));
  std::smatch id;
  REQUIRE(std::regex_search(preview.body, id, std::regex("name=\"upload\" value=\"([^\"]+)\"")));
  auto saved = b.post("/upload/confirm", "csrf=" + csrf + "&upload=" + id[1].str());
  REQUIRE(saved.status == 200);
  CHECK(saved.body.find("<ul id=\"added\"><li>2 households</li>") != std::string::npos);
  CHECK(b.post("/upload/confirm", "csrf=" + csrf + "&upload=" + id[1].str()).status == 410);  // saved once only
  auto rest = SecuredGateway::as(g.token("pantry-system", "system/*.rs"));
  auto total = [&](const std::string& client) {
    auto found = http->get("/fhir/Patient?_summary=count&identifier=urn:carebridge:agency:org-pantry:foodbank-client|" + client, rest);
    std::smatch m;
    return std::regex_search(found.body, m, std::regex("\"total\":(\\d+)")) ? std::stoi(m[1].str()) : -1;
  };
  CHECK(total("W1") == 1);  // the good rows, readable over REST
  CHECK(total("W3") == 1);
  CHECK(total("W2") == 0);  // the row with the bad date was not saved
  // What the person saved and looked at on the pages is in the audit trail as theirs, like any client's.
  REQUIRE(b.get("/referrals").status == 200);
  // A referral is declined with a reason and completed with the day of the service (issue 14).
  auto unexplained = b.post("/referrals/any-task/decline", "csrf=" + csrf + "&reason=+");
  CHECK(unexplained.status == 422);
  CHECK(unexplained.body.find("Say why the referral is declined") != std::string::npos);
  auto undated = b.post("/referrals/any-task/complete", "csrf=" + csrf + "&date=");
  CHECK(undated.status == 422);
  CHECK(undated.body.find("Give the day the service was given") != std::string::npos);
  auto auditor = SecuredGateway::as(g.token("auditor", "system/*.rs"));
  // Each AuditEvent's interaction (subtype) and who (the client's identifier).
  auto interactions_of = [&](const std::string& who) {
    std::set<std::string> found;
    rapidjson::Document trail;
    trail.Parse(http->get("/fhir/AuditEvent?_count=500", auditor).body.c_str());
    if (!trail.IsObject() || !trail.HasMember("entry")) return found;
    for (const auto& e : trail["entry"].GetArray()) {
      const auto& event = e["resource"];
      bool theirs = false;
      for (const auto& agent : event["agent"].GetArray())
        if (agent.HasMember("who") && agent["who"].HasMember("identifier") && agent["who"]["identifier"].HasMember("value"))
          theirs = theirs || agent["who"]["identifier"]["value"].GetString() == who;
      if (theirs && event.HasMember("subtype"))
        for (const auto& subtype : event["subtype"].GetArray())
          if (subtype.HasMember("code")) found.insert(subtype["code"].GetString());
    }
    return found;
  };
  std::set<std::string> ana;
  for (int i = 0; i < 50 && !(ana.count("transaction") && ana.count("search-type")); ++i) {
    ana = interactions_of("user:ana");
    if (!(ana.count("transaction") && ana.count("search-type"))) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  bool saved_by_ana = ana.count("transaction") > 0, read_by_ana = ana.count("search-type") > 0;
  INFO("user:ana's interactions in the audit trail: " << [&] {
    std::string all;
    for (const auto& i : ana) all += i + " ";
    return all;
  }());
  CHECK(saved_by_ana);
  CHECK(read_by_ana);

  auto again = b.upload(csrf, "foodbank-intake", kIntake);
  REQUIRE(std::regex_search(again.body, id, std::regex("name=\"upload\" value=\"([^\"]+)\"")));
  auto second = b.post("/upload/confirm", "csrf=" + csrf + "&upload=" + id[1].str());
  CHECK(second.body.find("id=\"nothing-changed\"") != std::string::npos);
  CHECK(second.body.find("id=\"added\"") == std::string::npos);

  // Spanish, chosen by the link and remembered.
  CHECK(b.get("/upload?lang=es").body.find("Revisar el archivo") != std::string::npos);
  CHECK(b.get("/").body.find("<html lang=\"es\">") != std::string::npos);
  auto spanish = b.upload(csrf, "foodbank-intake", kIntake);  // the reasons too, the values as written
  CHECK(spanish.body.find("&quot;13/45/2020&quot; no es una fecha") != std::string::npos);

  Browser o{*http, {}};
  REQUIRE(sign_in(o, "oscar", "correct horse battery").status == 303);
  auto theirs = o.get("/referrals");
  CHECK(theirs.body.find("Castillo") == std::string::npos);
  CHECK(o.get("/subscriptions").status == 403);  // administrators only
}

TEST_CASE("web: an organization's administrator adds and disables its own staff, and a disabled person is signed out",
          "[e2e][web]") {
  auto dir = temp_dir("web-users");
  REQUIRE(add_user(dir / "data", "boss", "org-pantry", true) == 0);
  REQUIRE(add_user(dir / "data", "ana", "org-pantry") == 0);
  REQUIRE(add_user(dir / "data", "zed", "org-other") == 0);
  ServerProcess server(dir / "data", R"({"auth":{"required":true},"agency_formats":{"org-pantry":["foodbank-intake"]}})");
  auto http = server.client();
  Browser boss{*http, {}}, ana{*http, {}};
  REQUIRE(sign_in(boss, "boss", "correct horse battery").status == 303);
  REQUIRE(sign_in(ana, "ana", "correct horse battery").status == 303);
  // The pantry may send only its intake sheet: the only format offered, the only form.
  auto upload = boss.get("/upload");
  CHECK(upload.body.find("value=\"foodbank-intake\"") != std::string::npos);
  CHECK(upload.body.find("value=\"hmis\"") == std::string::npos);
  CHECK(boss.get("/forms/referral-request").status == 404);
  CHECK(boss.get("/forms/foodbank-intake").status == 200);
  auto page = boss.get("/users");
  REQUIRE(page.status == 200);
  CHECK(page.body.find(">ana<") != std::string::npos);
  CHECK(page.body.find(">zed<") == std::string::npos);  // another organization's people are not listed
  std::string csrf = csrf_of(page.body);
  CHECK(boss.post("/users/add", "csrf=" + csrf + "&name=newbie&password=short").status == 422);
  CHECK(boss.post("/users/add", "csrf=" + csrf + "&name=newbie&password=" + encoded("a long enough pass")).status == 200);
  Browser newbie{*http, {}};
  CHECK(sign_in(newbie, "newbie", "a long enough pass").status == 303);
  CHECK(boss.post("/users/disable", "csrf=" + csrf + "&name=zed").status == 404);  // not theirs
  CHECK(boss.post("/users/disable", "csrf=" + csrf + "&name=ana").status == 200);
  CHECK(ana.get("/upload").status == 303);  // signed out at once
  Browser again{*http, {}};
  CHECK(sign_in(again, "ana", "correct horse battery").status == 401);
  CHECK(ana.get("/users").status == 303);
  Browser staff{*http, {}};
  REQUIRE(sign_in(staff, "newbie", "a long enough pass").status == 303);
  CHECK(staff.get("/users").status == 403);  // administrators only
  // Disabled on the command line: signed out at the next request too.
  std::string disable = std::string(CAREBRIDGE_BINARY) + " users disable newbie --data-dir '" + (dir / "data").string() + "' >/dev/null";
  REQUIRE(std::system(disable.c_str()) == 0);
  CHECK(staff.get("/upload").status == 303);
}

TEST_CASE("web: an administrator sees the organization's subscriptions, what waits and why, and retries, another organization's do not show",
          "[e2e][web][routing]") {
  WebhookReceiver receiver;
  SecuredGateway g("web-subscriptions", {{"clinic-system", "org-clinic", "system/*.cruds"}}, "", kLoopbackReceivers);
  REQUIRE(add_user(g.dir() / "data", "boss", "org-clinic", true) == 0);
  REQUIRE(add_user(g.dir() / "data", "other-boss", "org-other", true) == 0);
  auto system = SecuredGateway::as(g.token("clinic-system"));
  std::string subscription = R"({"resourceType":"Subscription","status":"requested","reason":"results",)"
                             R"("criteria":"Observation?code=http://loinc.org|2345-7","channel":{"type":"rest-hook",)"
                             R"("endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json"}})";
  auto created = g.http().post("/fhir/Subscription", subscription, system);
  REQUIRE(created.status == 201);
  std::smatch id;
  REQUIRE(std::regex_search(created.body, id, std::regex("\"id\":\"([^\"]+)\"")));
  REQUIRE(receiver.wait_for(1));  // the handshake
  receiver.set_down(true);       // then the receiver fails: the page says what waits and why
  std::string patient = R"({"resourceType":"Patient","name":[{"family":"Okafor"}]})";
  std::smatch pid;
  auto made = g.http().post("/fhir/Patient", patient, system);
  REQUIRE(std::regex_search(made.body, pid, std::regex("\"id\":\"([^\"]+)\"")));
  std::string lab = R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},)"
                    R"("subject":{"reference":"Patient/)" + pid[1].str() + R"("},"valueQuantity":{"value":99,"unit":"mg/dL"}})";
  REQUIRE(g.http().post("/fhir/Observation", lab, system).status == 201);

  auto http = g.server().client();
  Browser boss{*http, {}};
  REQUIRE(sign_in(boss, "boss", "correct horse battery").status == 303);
  // The last error as delivery saw it, in its own cell (ids, ports and tokens on the page
  // may hold "503" too).
  const std::regex failed("data-label=\"Last error\">[^<]*503");
  std::string page;
  for (int i = 0; i < 50 && !std::regex_search(page, failed); ++i) {  // until delivery has failed once
    page = boss.get("/subscriptions").body;
    if (!std::regex_search(page, failed)) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  INFO(page);
  CHECK(page.find(id[1].str()) != std::string::npos);
  CHECK(page.find(receiver.url()) != std::string::npos);
  CHECK(std::regex_search(page, failed));
  CHECK(std::regex_search(page, std::regex("data-label=\"Waiting to be sent\">1<")));
  CHECK(std::regex_search(page, std::regex("data-label=\"Oldest waiting since\">\\d{4}-\\d\\d-\\d\\dT")));
  receiver.set_down(false);
  auto retried = boss.post("/subscriptions/" + id[1].str() + "/retry", "csrf=" + csrf_of(page));
  CHECK(retried.status == 303);
  CHECK(receiver.wait_for(2, 30));  // the waiting event, sent again

  Browser other{*http, {}};
  REQUIRE(sign_in(other, "other-boss", "correct horse battery").status == 303);
  auto theirs = other.get("/subscriptions");
  CHECK(theirs.body.find(id[1].str()) == std::string::npos);
  CHECK(other.post("/subscriptions/" + id[1].str() + "/retry", "csrf=" + csrf_of(theirs.body)).status == 404);
}

TEST_CASE("web: a subscription's page tells its organization nothing of the records its client may not read",
          "[e2e][web][routing][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("web-subscriptions-withheld", {{"clinic-system", "org-clinic", "system/*.cruds"}, {"hospital", "org-hosp", "system/*.cruds"}},
                   "", kLoopbackReceivers);
  REQUIRE(add_user(g.dir() / "data", "boss", "org-clinic", true) == 0);
  auto clinic = SecuredGateway::as(g.token("clinic-system"));
  auto hospital = SecuredGateway::as(g.token("hospital"));
  std::string subscription = R"({"resourceType":"Subscription","status":"requested","reason":"HIV results",)"
                             R"("criteria":"Observation?code=http://loinc.org|7917-8","channel":{"type":"rest-hook",)"
                             R"("endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json"}})";
  REQUIRE(g.http().post("/fhir/Subscription", subscription, clinic).status == 201);
  REQUIRE(receiver.wait_for(1));  // the handshake
  auto http = g.server().client();
  Browser boss{*http, {}};
  REQUIRE(sign_in(boss, "boss", "correct horse battery").status == 303);
  auto table = [&] {
    std::string page = boss.get("/subscriptions").body;
    size_t from = page.find("<table id=\"subscriptions\""), to = page.find("</table>");
    return from == std::string::npos || to == std::string::npos ? page : page.substr(from, to - from);
  };
  std::string before = table();
  // The hospital's patient, whom the clinic does not care for, gets an HIV result: it matches
  // the clinic's criteria and is withheld from it.
  std::smatch pid;
  auto made = g.http().post("/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"Adeyemi"}]})", hospital);
  REQUIRE(std::regex_search(made.body, pid, std::regex("\"id\":\"([^\"]+)\"")));
  std::string hiv = R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"7917-8"}]},)"
                    R"("subject":{"reference":"Patient/)" + pid[1].str() + R"("},"valueString":"reactive"})";
  REQUIRE(g.http().post("/fhir/Observation", hiv, hospital).status == 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  INFO(before);
  CHECK(table() == before);  // no count of withheld events: it would tell such a result exists
  CHECK(receiver.bodies().size() == 1);
}

// A delta export whose rows were deleted in the agency's system: a person's access lets them
// save records, not delete them, so the deleted client's record stays, and the preview says so.
TEST_CASE("web: an HMIS delta's deleted client stays when the person may not delete and the preview says so", "[e2e][web]") {
  SecuredGateway g("web-delete", {});
  REQUIRE(add_user(g.dir() / "data", "ana", "org-shelter") == 0);
  auto http = g.server().client();
  Browser b{*http, {}};
  REQUIRE(sign_in(b, "ana", "correct horse battery").status == 303);
  std::string csrf = csrf_of(b.get("/upload").body);
  auto save = [&](const std::string& zip) {
    auto preview = b.upload(csrf, "hmis", zip, "export.zip");
    std::smatch id;
    REQUIRE(std::regex_search(preview.body, id, std::regex("name=\"upload\" value=\"([^\"]+)\"")));
    return std::make_pair(preview, b.post("/upload/confirm", "csrf=" + csrf + "&upload=" + id[1].str()));
  };
  auto full = folder_files(project_sample("agency/hmis/FY2024"));
  auto [first_preview, first] = save(zip_of(full));
  REQUIRE(first.status == 200);
  CHECK(first_preview.body.find("<ul id=\"notes\"><li>Client.csv row 3, column &quot;SSN&quot;") != std::string::npos);
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : full) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name != "Client.csv") continue;
    size_t row = text.find("\nC-1002,") + 1;
    std::string line = text.substr(row, text.find('\n', row) + 1 - row);
    size_t kept = line.rfind(",U-12,,EXP-20241001");
    REQUIRE(kept != std::string::npos);
    delta.emplace_back(name, text.substr(0, text.find('\n') + 1) + line.replace(kept, 19, ",U-12,2024-10-02 08:00:00,EXP-20241001"));
  }
  auto [preview, saved] = save(zip_of(delta));
  CHECK(preview.body.find("id=\"will-delete\"") == std::string::npos);
  CHECK(preview.body.find("records deleted in your system stay stored here (1 Observation, 1 Patient)") != std::string::npos);
  REQUIRE(saved.status == 200);
  CHECK(saved.body.find("id=\"deleted\"") == std::string::npos);
}

TEST_CASE("web: a file larger than one save holds is previewed and saved in parts", "[e2e][web]") {
  SecuredGateway g("web-parts", {{"pantry-system", "org-pantry", "system/*.rs"}}, "", R"("limits": {"max_transaction_entries": 40})");
  REQUIRE(add_user(g.dir() / "data", "ana", "org-pantry") == 0);
  auto http = g.server().client();
  Browser b{*http, {}};
  REQUIRE(sign_in(b, "ana", "correct horse battery").status == 303);
  std::string sheet = "Client ID,First Name,Last Name,Date of Birth,Gender,Household ID,Household Size,TEFAP Eligible,Visit Date\r\n";
  for (int i = 0; i < 20; ++i) sheet += "T" + std::to_string(i) + ",Ana,Lee,1/2/1980,F,HT" + std::to_string(i) + ",1,yes,11/5/2026\r\n";
  std::string csrf = csrf_of(b.get("/upload").body);
  auto preview = b.upload(csrf, "foodbank-intake", sheet);
  INFO(preview.body.substr(0, 3000));
  CHECK(preview.body.find("id=\"parts\">The file is larger than one save holds") != std::string::npos);
  CHECK(preview.body.find("<h2>The file is too large") == std::string::npos);
  std::smatch id;
  REQUIRE(std::regex_search(preview.body, id, std::regex("name=\"upload\" value=\"([^\"]+)\"")));
  auto saved = b.post("/upload/confirm", "csrf=" + csrf + "&upload=" + id[1].str());
  INFO(saved.body.substr(0, 3000));
  REQUIRE(saved.status == 200);
  CHECK(std::regex_search(saved.body, std::regex("<ul id=\"added\">.*<li>20 people</li>")));
  auto found = http->get("/fhir/Patient?_summary=count", SecuredGateway::as(g.token("pantry-system", "system/*.rs")));
  CHECK(found.body.find("\"total\":20") != std::string::npos);
}
