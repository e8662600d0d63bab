// /subscriptions: for an organization's administrator, each of its subscriptions with its
// status, what waits to be sent and since when, the last error, and a button to retry now.
// Not the events withheld from it: they are records its organization may not read, and
// their count would tell that they exist (a subscription to one patient's HIV results
// counted them); the operator has it in /metrics (carebridge_subscription_events_withheld).
#include <rapidjson/document.h>

#include <algorithm>

#include "fhir/model/resource_id.h"
#include "fhir/time/fhir_time.h"
#include "gateway/routing/delivery.h"
#include "gateway/routing/events.h"
#include "gateway/routing/operations.h"
#include "gateway/web/web_app.h"

namespace carebridge::gateway::web {
namespace {

const char* member(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

}  // namespace

http::Response WebApp::subscriptions(Visit& v, std::string_view notice) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  if (!v.session->user.admin) return html(v, 403, std::string(v.t("subscriptions")), "<p>" + t("admins-only") + "</p>");
  std::string s = "<p>" + t("subs-intro") + "</p>";
  if (!notice.empty() || rest::param(v.query, "retried") == "1")
    s += "<p class=\"notice\" role=\"status\">" + t("retried") + "</p>";
  if (!options_.events || !options_.delivery || !options_.store) return html(v, 200, std::string(v.t("subscriptions")), s + "<p>" + t("no-routing") + "</p>");
  auto found = fhir(v, "GET", "Subscription?_count=200");
  rapidjson::Document d;
  d.Parse(found.body.c_str());
  std::string rows;
  if (d.IsObject() && d.HasMember("entry") && d["entry"].IsArray())
    for (const auto& e : d["entry"].GetArray()) {
      if (!e.HasMember("resource")) continue;
      const auto& sub = e["resource"];
      std::string id = member(sub, "id");
      auto delivered = options_.events->find(id);
      routing::DeliveryState state = delivered ? options_.delivery->state(*delivered) : options_.delivery->state(id);
      routing::Backlog waits = routing::backlog(*options_.store, delivered ? delivered->log() : routing::event_log(id), state.delivered);
      std::string oldest = waits.oldest_ms ? fhir::time::format_instant(waits.oldest_ms) : "—";
      std::string endpoint = sub.HasMember("channel") ? member(sub["channel"], "endpoint") : "";
      std::string error = !state.last_error.empty() ? state.last_error : member(sub, "error");
      rows += "<tr><td data-label=\"Id\">" + escape(id) + "</td><td data-label=\"" + t("status") + "\">" + escape(member(sub, "status")) +
              "</td><td data-label=\"" + t("endpoint") + "\">" + escape(endpoint) + "</td><td data-label=\"" + t("backlog") + "\">" +
              std::to_string(waits.waiting) + "</td><td data-label=\"" + t("oldest") + "\">" + escape(oldest) + "</td><td data-label=\"" +
              t("last-error") + "\">" + escape(error.empty() ? "—" : error) + "</td><td><form method=\"post\" action=\"/subscriptions/" +
              escape(id) + "/retry\">" + v.csrf_field() + "<button type=\"submit\" aria-label=\"" + t("retry") + " " + escape(id) +
              "\">" + t("retry") + "</button></form></td></tr>";
    }
  if (rows.empty()) return html(v, 200, std::string(v.t("subscriptions")), s + "<p>" + t("none") + "</p>");
  s += "<table id=\"subscriptions\"><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">" + t("status") + "</th><th scope=\"col\">" +
       t("endpoint") + "</th><th scope=\"col\">" + t("backlog") + "</th><th scope=\"col\">" + t("oldest") + "</th><th scope=\"col\">" +
       t("last-error") + "</th><th scope=\"col\">" + t("actions") + "</th></tr></thead><tbody>" +
       rows + "</tbody></table>";
  return html(v, 200, std::string(v.t("subscriptions")), s);
}

http::Response WebApp::retry(Visit& v, const std::string& id) {
  if (!v.session->user.admin) return html(v, 403, std::string(v.t("subscriptions")), "<p>" + escape(v.t("admins-only")) + "</p>");
  // Only a subscription the person's organization may read (its own), named by a well-formed id.
  if (!fhir::model::is_resource_id(id) || !options_.delivery || fhir(v, "GET", "Subscription/" + id).status != 200)
    return html(v, 404, std::string(v.t("not-found")), "");
  options_.delivery->wake({id});
  return redirect(v, "/subscriptions?retried=1");
}

}  // namespace carebridge::gateway::web
