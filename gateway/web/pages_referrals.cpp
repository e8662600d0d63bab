// /referrals: for a community organization, the referrals addressed to it (Gravity Tasks)
// with Accept, Decline (with a reason) and Complete (with the service date) — each the
// referral-status mapping's change of the Task, so only the allowed transitions — and, for
// the sender, where the referrals it sent stand. Read as the person's organization.
#include <rapidjson/document.h>

#include "gateway/web/web_app.h"

namespace carebridge::gateway::web {
namespace {

const char* member(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

const char* reference(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) ? member(v[name], "reference") : "";
}

struct Referral {
  std::string id, status, client, need, date, owner, requester;
};

std::string person_name(const rapidjson::Value& patient) {
  if (!patient.HasMember("name") || !patient["name"].IsArray() || patient["name"].Empty()) return "";
  const auto& n = patient["name"][0];
  std::string out = member(n, "text");
  if (!out.empty()) return out;
  if (n.HasMember("given") && n["given"].IsArray())
    for (const auto& g : n["given"].GetArray())
      if (g.IsString()) out += std::string(g.GetString()) + " ";
  return out + member(n, "family");
}

std::string need_of(const rapidjson::Value& request) {
  std::string need = request.HasMember("code") ? member(request["code"], "text") : "";
  if (request.HasMember("category") && request["category"].IsArray())
    for (const auto& c : request["category"].GetArray())
      if (c.HasMember("coding") && c["coding"].IsArray() && !c["coding"].Empty()) {
        std::string display = member(c["coding"][0], "display");
        if (!display.empty() && display != "Social service procedure") need = display + (need.empty() ? "" : ": " + need);
      }
  return need;
}

// The Tasks of a searchset with their included patients and requests, as rows.
std::vector<Referral> referrals_of(const std::string& searchset) {
  rapidjson::Document d;
  d.Parse(searchset.c_str());
  std::vector<Referral> out;
  if (!d.IsObject() || !d.HasMember("entry") || !d["entry"].IsArray()) return out;
  std::map<std::string, const rapidjson::Value*> included;
  for (const auto& e : d["entry"].GetArray())
    if (e.HasMember("resource")) included[std::string(member(e["resource"], "resourceType")) + "/" + member(e["resource"], "id")] = &e["resource"];
  for (const auto& e : d["entry"].GetArray()) {
    if (!e.HasMember("resource") || std::string(member(e["resource"], "resourceType")) != "Task") continue;
    const auto& task = e["resource"];
    Referral r{member(task, "id"), member(task, "status"), "", "", member(task, "authoredOn"),
               reference(task, "owner"), reference(task, "requester")};
    if (auto p = included.find(reference(task, "for")); p != included.end()) r.client = person_name(*p->second);
    if (auto f = included.find(reference(task, "focus")); f != included.end()) r.need = need_of(*f->second);
    out.push_back(std::move(r));
  }
  return out;
}

bool open(const std::string& status) { return status == "requested" || status == "received" || status == "accepted" ||
                                              status == "in-progress" || status == "on-hold" || status == "ready"; }

std::string action_forms(const Visit& v, const Referral& r) {
  if (!open(r.status)) return "";
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  std::string id = escape(r.id), s = "<div class=\"actions\">";
  auto form = [&](const char* action, std::string inside, std::string_view label) {
    s += "<form method=\"post\" action=\"/referrals/" + id + "/" + action + "\">" + v.csrf_field() + inside +
         "<button type=\"submit\">" + escape(label) + "</button></form>";
  };
  if (r.status == "requested" || r.status == "received") {
    form("accept", "", v.t("accept"));
    form("decline", "<label for=\"reason-" + id + "\">" + t("reason") + "</label><input type=\"text\" id=\"reason-" + id +
                        "\" name=\"reason\" required>", v.t("decline"));
  }
  form("complete", "<label for=\"date-" + id + "\">" + t("service-date") + "</label><input type=\"date\" id=\"date-" + id +
                       "\" name=\"date\" required>", v.t("complete"));
  return s + "</div>";
}

std::string table(const Visit& v, const std::vector<Referral>& rows, bool received) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  if (rows.empty()) return "<p>" + t("none") + "</p>";
  std::string s = "<table><thead><tr><th scope=\"col\">" + t("client") + "</th><th scope=\"col\">" + t("need") +
                  "</th><th scope=\"col\">" + t("date") + "</th><th scope=\"col\">" + t(received ? "from" : "to") +
                  "</th><th scope=\"col\">" + t("status") + "</th>" +
                  (received ? "<th scope=\"col\">" + t("actions") + "</th>" : "") + "</tr></thead><tbody>";
  for (const Referral& r : rows) {
    std::string party = received ? r.requester : r.owner;
    if (party.starts_with("Organization/")) party = party.substr(13);
    s += "<tr id=\"referral-" + escape(r.id) + "\"><td data-label=\"" + t("client") + "\">" + escape(r.client) +
         "</td><td data-label=\"" + t("need") + "\">" + escape(r.need) + "</td><td data-label=\"" + t("date") + "\">" +
         escape(r.date) + "</td><td data-label=\"" + t(received ? "from" : "to") + "\">" + escape(party) +
         "</td><td data-label=\"" + t("status") + "\" class=\"status\">" + t("st-" + r.status) + "</td>";
    if (received) s += "<td data-label=\"" + t("actions") + "\">" + action_forms(v, r) + "</td>";
    s += "</tr>";
  }
  return s + "</tbody></table>";
}

// A one-row referral status file: Task ID, Status, Reason, Service Date (quoted as CSV).
std::string status_row(const std::string& id, const std::string& status, const std::string& reason, const std::string& date) {
  auto quoted = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c == '\r' || c == '\n' ? ' ' : c);
    return out + "\"";
  };
  return "Task ID,Status,Reason,Service Date\r\n" + quoted(id) + "," + status + "," + quoted(reason) + "," + quoted(date) + "\r\n";
}

}  // namespace

http::Response WebApp::referrals(Visit& v, std::string_view notice, std::string_view error) {
  std::string org = "Organization/" + v.session->user.organization;
  const char* include = "&_include=Task:patient&_include=Task:focus&_count=100&_sort=-_lastUpdated";
  auto received = fhir(v, "GET", "Task?owner=" + org + include);
  auto sent = fhir(v, "GET", "Task?requester=" + org + include);
  std::string s;
  if (!notice.empty() || rest::param(v.query, "updated") == "1")
    s += "<p class=\"notice\" role=\"status\">" + escape(notice.empty() ? v.t("referral-updated") : notice) + "</p>";
  if (!error.empty())
    s += "<div class=\"summary\" role=\"alert\" id=\"errors\"><h2>" + escape(v.t("referral-not-updated")) + "</h2><p>" +
         escape(reason_in(v.lang, std::string(error))) + "</p></div>";
  s += "<section id=\"received\" aria-labelledby=\"received-title\"><h2 id=\"received-title\">" + escape(v.t("received")) +
       "</h2>" + table(v, received.status == 200 ? referrals_of(received.body) : std::vector<Referral>{}, true) + "</section>";
  s += "<section id=\"sent\" aria-labelledby=\"sent-title\"><h2 id=\"sent-title\">" + escape(v.t("sent")) + "</h2>" +
       table(v, sent.status == 200 ? referrals_of(sent.body) : std::vector<Referral>{}, false) + "</section>";
  return html(v, error.empty() ? 200 : 422, std::string(v.t("referrals")), s);
}

http::Response WebApp::referral_action(Visit& v, const std::string& id, const std::string& action) {
  static const std::map<std::string, std::string> kStatus = {{"accept", "Accepted"}, {"decline", "Declined"}, {"complete", "Completed"}};
  auto status = kStatus.find(action);
  if (status == kStatus.end() || !ingest_.knows("referral-status")) return html(v, 404, std::string(v.t("not-found")), "");
  // Issue 14: a decline with a reason, a completion with the service date.
  bool blank_reason = v.form->field("reason").find_first_not_of(" \t") == std::string::npos;
  if (action == "decline" && blank_reason) return referrals(v, {}, v.t("decline-needs-reason"));
  if (action == "complete" && v.form->field("date").empty()) return referrals(v, {}, v.t("complete-needs-date"));
  std::string file = status_row(id, status->second, v.form->field("reason"), v.form->field("date"));
  auto checked = ingest_.check("referral-status", {{"referral.csv", file}}, v.caller(), v.request);
  std::string problem;
  for (const auto& p : checked.mapped.rejected) problem += (problem.empty() ? "" : " ") + p.message;
  for (const auto& e : checked.file_errors) problem += (problem.empty() ? "" : " ") + e;
  if (!checked.bundle || !problem.empty()) return referrals(v, {}, problem.empty() ? v.t("referral-not-updated") : problem);
  auto saved = ingest_.save(checked, v.caller(), v.request);
  if (saved.status >= 300) return referrals(v, {}, v.t("referral-not-updated"));
  return redirect(v, "/referrals?updated=1");
}

}  // namespace carebridge::gateway::web
