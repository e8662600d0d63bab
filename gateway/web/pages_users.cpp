// /users: an organization's administrator adds the staff who sign in, and disables them.
// Only their own organization's people, and never the gateway's other organizations.
#include "gateway/web/web_app.h"

namespace carebridge::gateway::web {

http::Response WebApp::users(Visit& v, std::string_view notice, std::string_view error) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  if (!v.session->user.admin) return html(v, 403, std::string(v.t("users")), "<p>" + t("admins-only") + "</p>");
  const std::string& org = v.session->user.organization;
  std::string s = "<p>" + t("users-intro") + "</p>";
  if (!notice.empty()) s += "<p class=\"notice\" role=\"status\">" + escape(notice) + "</p>";
  if (!error.empty())
    s += "<div class=\"summary\" role=\"alert\" id=\"errors\"><h2>" + t("errors-title") + "</h2><p><a href=\"#new-name\">" +
         escape(error) + "</a></p></div>";
  s += "<table id=\"users\"><thead><tr><th scope=\"col\">" + t("name") + "</th><th scope=\"col\">" + t("administrator") +
       "</th><th scope=\"col\">" + t("status") + "</th><th scope=\"col\">" + t("actions") + "</th></tr></thead><tbody>";
  for (const security::User& u : users_.list()) {
    if (u.organization != org) continue;
    s += "<tr><td data-label=\"" + t("name") + "\">" + escape(u.name) + "</td><td data-label=\"" + t("administrator") + "\">" +
         (u.admin ? "✓" : "") + "</td><td data-label=\"" + t("status") + "\">" + t(u.disabled ? "disabled" : "active") + "</td><td>";
    if (!u.disabled && u.name != v.session->user.name)
      s += "<form method=\"post\" action=\"/users/disable\">" + v.csrf_field() + "<input type=\"hidden\" name=\"name\" value=\"" +
           escape(u.name) + "\"><button type=\"submit\" class=\"secondary\" aria-label=\"" + t("disable") + " " + escape(u.name) +
           "\">" + t("disable") + "</button></form>";
    s += "</td></tr>";
  }
  s += "</tbody></table><h2>" + t("add-user") + "</h2><form id=\"add-user\" method=\"post\" action=\"/users/add\">" + v.csrf_field() +
       "<label for=\"new-name\">" + t("username") + "</label><input type=\"text\" id=\"new-name\" name=\"name\" required autocomplete=\"off\">" +
       "<label for=\"new-password\">" + t("new-password") +
       "</label><input type=\"password\" id=\"new-password\" name=\"password\" required minlength=\"12\" autocomplete=\"new-password\">" +
       "<button type=\"submit\">" + t("add-user") + "</button></form>";
  return html(v, error.empty() ? 200 : 422, std::string(v.t("users")), s);
}

http::Response WebApp::user_action(Visit& v, const std::string& action) {
  if (!v.session->user.admin) return html(v, 403, std::string(v.t("users")), "<p>" + escape(v.t("admins-only")) + "</p>");
  const std::string& org = v.session->user.organization;
  std::string name = v.form->field("name");
  if (action == "add") {
    auto added = users_.add({name, org, false, false, 0}, v.form->field("password"));
    if (!added) return users(v, {}, added.issues().front().message);
    return users(v, v.t("user-added"));
  }
  for (const security::User& u : users_.list())  // only a person of the administrator's own organization
    if (u.name == name && u.organization == org && u.name != v.session->user.name) {
      (void)users_.disable(name);
      sessions_.end_all(name);  // signed out now, not in 8 hours
      return users(v, v.t("user-disabled"));
    }
  return html(v, 404, std::string(v.t("not-found")), "");
}

}  // namespace carebridge::gateway::web
