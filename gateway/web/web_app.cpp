#include "gateway/web/web_app.h"

#include "fhir/time/fhir_time.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/rest/negotiation.h"
#include "gateway/security/scopes.h"

namespace carebridge::gateway::web {
namespace {

// A pooled route: its handler may wait for the store, so it runs on the worker pool.
pipeline::Route page_route(std::string path, bool prefix, WebApp& app) {
  pipeline::Route route{"web", path, prefix, nullptr, [path](std::string_view) { return path; }};
  route.handler = [&app](std::shared_ptr<const http::Request> request, http::Responder responder) {
    responder.defer([&app, request, responder] {
      auto response = std::make_shared<http::Response>(app.answer(*request));
      responder.reply([response] { return std::move(*response); });
    });
  };
  return route;
}

pipeline::Route asset_route(std::string path, std::string_view body, const char* type) {
  pipeline::Route route{"web", path, false, nullptr, nullptr};
  route.handler = http::answer_at_once([body, type](const http::Request& request) {
    http::Response r;
    r.status = request.method == "GET" || request.method == "HEAD" ? 200 : 405;
    if (r.status == 405) r.set_header("Allow", "GET, HEAD");
    else r.body = std::string(body);
    r.set_header("Content-Type", type);
    r.set_header("Cache-Control", "public, max-age=3600");
    return r;
  });
  return route;
}

std::string cookie_header(const std::string& name, const std::string& value, bool tls, int64_t max_age_s) {
  std::string out = name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (tls) out += "; Secure";
  if (max_age_s >= 0) out += "; Max-Age=" + std::to_string(max_age_s);
  return out;
}

const std::vector<security::Scope>& staff_scopes() {
  static const std::vector<security::Scope> scopes = *security::parse_scopes("system/*.crus");  // the pages delete nothing
  return scopes;
}

}  // namespace

rest::Caller Visit::caller() const { return session ? session->principal : nullptr; }

std::shared_ptr<security::Principal> staff_principal(const security::User& user) {
  auto who = std::make_shared<security::Principal>();
  who->client_id = "user:" + user.name;
  who->organization = user.organization;
  who->scopes = staff_scopes();
  who->admin = false;  // an organization's administrator is not the gateway's operator
  return who;
}

Frame Visit::frame(std::string title) const {
  Frame f;
  f.lang = lang;
  f.title = std::move(title);
  // The language switch reloads the page: a POST's answer switches on its section's page.
  f.here = path;
  if (request.method == "POST" && !path.starts_with("/forms/")) f.here = path.substr(0, path.find('/', 1));
  if (session) {
    f.user = session->user.name;
    f.organization = session->user.organization;
    f.admin = session->user.admin;
  }
  f.csrf = csrf;
  return f;
}

std::string Visit::csrf_field() const { return R"(<input type="hidden" name="csrf" value=")" + escape(csrf) + R"(">)"; }

http::Response html(const Visit& v, unsigned status, const std::string& title, std::string_view content) {
  http::Response r;
  r.status = status;
  r.body = page(v.frame(title), content);
  r.set_header("Content-Type", "text/html; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  r.set_header("Content-Language", code(v.lang));
  for (const auto& c : v.set_cookies) r.headers.emplace_back("Set-Cookie", c);
  return r;
}

http::Response redirect(const Visit& v, const std::string& location) {
  http::Response r;
  r.status = 303;
  r.set_header("Location", location);
  r.set_header("Cache-Control", "no-store");
  for (const auto& c : v.set_cookies) r.headers.emplace_back("Set-Cookie", c);
  return r;
}

WebApp::WebApp(rest::FhirService& service, const ingest::AgencyIngest& ingest, security::UserRegistry& users,
               WebOptions options)
    : service_(service), ingest_(ingest), users_(users), options_(std::move(options)) {}

std::vector<pipeline::Route> WebApp::routes() {
  std::vector<pipeline::Route> out;
  for (const char* path : {"/", "/signin", "/signout"}) out.push_back(page_route(path, false, *this));
  for (const char* path : {"/upload", "/forms", "/referrals", "/subscriptions", "/users"}) out.push_back(page_route(path, true, *this));
  out.push_back(asset_route("/web.css", stylesheet(), "text/css; charset=utf-8"));
  out.push_back(asset_route("/web.js", script(), "text/javascript; charset=utf-8"));
  return out;
}

http::Response WebApp::answer(const http::Request& request) {
  auto target = rest::parse_target(request.target);
  Visit v{request, target.path, target.params, Lang::En, {}, nullptr, {}, {}, std::nullopt};
  std::string_view cookies = request.header("Cookie");
  std::string lang_asked(rest::param(target.params, "lang"));
  v.lang = choose_lang(lang_asked, cookie(cookies, "cb_lang"), request.header("Accept-Language"));
  if (!lang_asked.empty() && (lang_asked == "en" || lang_asked == "es"))
    v.set_cookies.push_back(cookie_header("cb_lang", lang_asked, request.tls, 365 * 24 * 3600));
  v.token = cookie(cookies, "cb_session");
  v.session = sessions_.find(v.token, fhir::time::now_ms());
  if (v.session) {  // the account as it is now: disabled or changed (by the command line too) ends the session
    auto now = users_.find(v.session->user.name);
    if (!now || now->disabled || now->organization != v.session->user.organization || now->admin != v.session->user.admin) {
      sessions_.end(v.token);
      v.session.reset();
    }
  }
  if (v.session) {
    v.csrf = v.session->csrf;
  } else {  // before sign-in: a token in its own cookie, for the sign-in form
    v.csrf = cookie(cookies, "cb_csrf");
    if (v.csrf.size() < 20) {
      v.csrf = random_token();
      v.set_cookies.push_back(cookie_header("cb_csrf", v.csrf, request.tls, -1));
    }
  }
  if (request.method == "POST") {
    v.form = read_form(request.header("Content-Type"), request.body);
    if (!v.form) return html(v, 400, std::string(v.t("errors-title")), "<p class=\"error\">" + std::string(v.t("bad-form")) + "</p>");
    if (!same_token(v.form->field("csrf"), v.csrf))
      return html(v, 403, std::string(v.t("errors-title")), "<p class=\"error\">" + std::string(v.t("csrf")) + "</p>");
  } else if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = html(v, 405, std::string(v.t("errors-title")), "");
    r.set_header("Allow", "GET, HEAD, POST");
    return r;
  }
  return route(v);
}

http::Response WebApp::route(Visit& v) {
  const std::string& p = v.path;
  bool post = v.request.method == "POST";
  if (p == "/") return home(v);
  if (p == "/signin") return post ? signin(v) : signin_page(v);
  if (p == "/signout" && post) return signout(v);
  if (!v.session) return redirect(v, "/signin?next=" + rest::url_encode(p));
  if (p == "/upload") return post ? upload_check(v) : upload_page(v);
  if (p == "/upload/confirm" && post) return confirm(v);
  if (p == "/forms") return forms_index(v);
  if (p.starts_with("/forms/") && p.find('/', 7) == std::string::npos) return form_page(v, p.substr(7));
  if (p == "/referrals") return referrals(v);
  if (p.starts_with("/referrals/") && post) {
    std::string rest = p.substr(11);
    size_t slash = rest.find('/');
    if (slash != std::string::npos) return referral_action(v, rest.substr(0, slash), rest.substr(slash + 1));
  }
  if (p == "/subscriptions") return subscriptions(v);
  if (p == "/users") return users(v);
  if ((p == "/users/add" || p == "/users/disable") && post) return user_action(v, p.substr(7));
  if (p.starts_with("/subscriptions/") && p.ends_with("/retry") && post) return retry(v, p.substr(15, p.size() - 21));
  return html(v, 404, std::string(v.t("not-found")), "<p><a href=\"/\">" + std::string(v.t("home")) + "</a></p>");
}

http::Response WebApp::fhir(const Visit& v, const std::string& method, const std::string& target, std::string body) {
  http::Request r;
  r.method = method;
  r.target = options_.fhir_base + "/" + target;
  r.headers = {{"Accept", "application/fhir+json"}, {"Content-Type", "application/fhir+json"}};
  r.body = std::move(body);
  r.remote = v.request.remote;
  r.tls = v.request.tls;
  return service_.handle(r, v.caller());
}

}  // namespace carebridge::gateway::web
