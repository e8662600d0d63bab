// The pages for people (see README.md): sign-in, upload with a row-by-row preview, fill-in
// forms, referrals, subscriptions. Each page runs on the worker pool, reads and writes
// through the FHIR service as the signed-in person's organization, and answers plain HTML.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/ingest/agency_ingest.h"
#include "gateway/pipeline/routes.h"
#include "gateway/rest/service.h"
#include "gateway/security/users.h"
#include "gateway/web/form_data.h"
#include "gateway/web/html.h"
#include "gateway/web/session.h"

namespace carebridge::gateway::store {
class Store;
}  // namespace carebridge::gateway::store

namespace carebridge::gateway::routing {
class SubscriptionEvents;
class Delivery;
}  // namespace carebridge::gateway::routing

namespace carebridge::gateway::web {

struct WebOptions {
  std::string fhir_base = "/fhir";
  routing::SubscriptionEvents* events = nullptr;  // null: no routing (the subscriptions page says so)
  routing::Delivery* delivery = nullptr;
  store::Store* store = nullptr;  // where the subscriptions' events are logged
};

// One page request as the pages see it.
struct Visit {
  const http::Request& request;
  std::string path;  // without the query
  rest::Params query;
  Lang lang = Lang::En;
  std::string token;  // the session cookie's token
  std::shared_ptr<const Session> session;
  std::string csrf;   // what this page's forms carry
  std::vector<std::string> set_cookies;
  std::optional<FormData> form;  // a POST's fields

  rest::Caller caller() const;  // the person's organization, as a client of it would be
  Frame frame(std::string title) const;
  std::string_view t(std::string_view key) const { return text(lang, key); }
  std::string csrf_field() const;
};

class WebApp {
 public:
  WebApp(rest::FhirService& service, const ingest::AgencyIngest& ingest, security::UserRegistry& users,
         WebOptions options);
  // The routes of the pages, their stylesheet and script.
  std::vector<pipeline::Route> routes();

  http::Response answer(const http::Request& request);

 private:
  http::Response route(Visit& v);
  http::Response home(Visit& v);
  http::Response signin_page(Visit& v, std::string_view error = {}, unsigned status = 200);
  http::Response signin(Visit& v);
  http::Response signout(Visit& v);
  // With `error`, linked to the `field` it is about.
  http::Response upload_page(Visit& v, std::string_view error = {}, std::string_view field = "file");
  http::Response upload_check(Visit& v);
  http::Response confirm(Visit& v);
  http::Response forms_index(Visit& v);
  http::Response form_page(Visit& v, const std::string& mapping);
  http::Response referrals(Visit& v, std::string_view notice = {}, std::string_view error = {});
  http::Response referral_action(Visit& v, const std::string& id, const std::string& action);
  http::Response subscriptions(Visit& v, std::string_view notice = {});
  http::Response retry(Visit& v, const std::string& id);
  http::Response users(Visit& v, std::string_view notice = {}, std::string_view error = {});
  http::Response user_action(Visit& v, const std::string& action);

  // The preview of checked files (kept for the person to confirm), or the form again.
  http::Response preview(Visit& v, const std::string& mapping, std::vector<std::pair<std::string, std::string>> files,
                         const mappings::agency::AgencyConversion& checked);
  // A FHIR interaction as the person: GET/POST/PUT on the service.
  http::Response fhir(const Visit& v, const std::string& method, const std::string& target, std::string body = {});

  rest::FhirService& service_;
  const ingest::AgencyIngest& ingest_;
  security::UserRegistry& users_;
  WebOptions options_;
  Sessions sessions_;
};

// The Principal a person of an organization acts as: the organization's, as a client of it
// would be, with `system/*.crus` (the pages delete nothing).
std::shared_ptr<security::Principal> staff_principal(const security::User& user);

// Responses the pages give.
http::Response html(const Visit& v, unsigned status, const std::string& title, std::string_view content);
http::Response redirect(const Visit& v, const std::string& location);

}  // namespace carebridge::gateway::web
