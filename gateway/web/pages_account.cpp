// The home page, sign-in and sign-out.
#include "fhir/time/fhir_time.h"
#include "gateway/rest/negotiation.h"
#include "gateway/web/web_app.h"

namespace carebridge::gateway::web {
namespace {

// `next` when it is a path of this site ("/upload"), else "/": never another site.
std::string local_path(std::string_view next) {
  if (next.empty() || next[0] != '/' || next.starts_with("//")) return "/";
  for (unsigned char c : next) {
    bool plain = std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '?' || c == '=' || c == '&' || c == '%';
    if (!plain) return "/";  // no control character, backslash or space a browser might read as another site
  }
  return std::string(next);
}

std::string session_cookie(const std::string& token, bool tls, bool end) {
  std::string out = "cb_session=" + (end ? std::string() : token) + "; Path=/; HttpOnly; SameSite=Strict";
  if (tls) out += "; Secure";
  out += end ? "; Max-Age=0" : "; Max-Age=" + std::to_string(Sessions::kLifetimeMs / 1000);
  return out;
}

}  // namespace

http::Response WebApp::home(Visit& v) {
  std::string s;
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  std::string integrators = "<h2>" + t("integrators") + "</h2><ul><li><a href=\"" + escape(options_.fhir_base) +
                            "/metadata\">" + t("fhir-api") + "</a> (FHIR R4, <code>" + escape(options_.fhir_base) +
                            "</code>)</li><li><a href=\"/healthz\">" + t("health") + "</a></li><li><a href=\"/metrics\">" +
                            t("metrics") + "</a></li></ul>";
  if (!v.session) {
    s += "<p>" + t("home-signed-out") + "</p><p><a href=\"/signin\">" + t("signin") + "</a></p>" + integrators;
    return html(v, 200, "Carebridge", s);
  }
  s += "<p>" + t("home-intro") + "</p><ul class=\"choices\">";
  s += "<li><a href=\"/upload\">" + t("upload") + "</a></li>";
  s += "<li><a href=\"/forms\">" + t("forms") + "</a></li>";
  s += "<li><a href=\"/referrals\">" + t("referrals") + "</a></li>";
  if (v.session->user.admin) s += "<li><a href=\"/subscriptions\">" + t("subscriptions") + "</a></li>";
  if (v.session->user.admin) s += "<li><a href=\"/users\">" + t("users") + "</a></li>";
  s += "</ul>" + integrators;
  return html(v, 200, "Carebridge", s);
}

http::Response WebApp::signin_page(Visit& v, std::string_view error, unsigned status) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  std::string next = local_path(v.form ? v.form->field("next") : std::string(rest::param(v.query, "next")));
  std::string s;
  if (!error.empty())
    s += R"(<div class="summary" role="alert" id="errors" tabindex="-1"><h2>)" + t("errors-title") + "</h2><p><a href=\"#username\">" +
         escape(error) + "</a></p></div>";
  std::string name = v.form ? escape(v.form->field("username")) : std::string();
  s += R"(<form id="signin" method="post" action="/signin">)" + v.csrf_field() +
       R"(<input type="hidden" name="next" value=")" + escape(next) + R"(">)" +
       R"(<label for="username">)" + t("username") + R"(</label><input type="text" id="username" name="username" value=")" + name +
       R"(" autocomplete="username" required)" + (error.empty() ? "" : R"( aria-invalid="true")") + ">" +
       R"(<label for="password">)" + t("password") +
       R"(</label><input type="password" id="password" name="password" autocomplete="current-password" required>)" +
       R"(<button type="submit">)" + t("signin") + "</button></form>";
  return html(v, status, std::string(v.t("signin")), s);
}

http::Response WebApp::signin(Visit& v) {
  auto user = users_.verify(v.form->field("username"), v.form->field("password"), fhir::time::now_ms());
  // Locked or wrong, one answer: only a real account locks, so telling them apart names the staff.
  if (!user) return signin_page(v, v.t("signin-wrong"), 401);
  if (!v.token.empty()) sessions_.end(v.token);  // a new session at each sign-in: none can be fixed in advance
  std::string token = sessions_.start(*user, staff_principal(*user), fhir::time::now_ms());
  v.set_cookies.push_back(session_cookie(token, v.request.tls, false));
  return redirect(v, local_path(v.form->field("next")));
}

http::Response WebApp::signout(Visit& v) {
  if (!v.token.empty()) sessions_.end(v.token);
  v.set_cookies.push_back(session_cookie({}, v.request.tls, true));
  return redirect(v, "/signin");
}

}  // namespace carebridge::gateway::web
