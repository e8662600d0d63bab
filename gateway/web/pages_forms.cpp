// /forms/{mapping}: a fill-in form made from a spec's columns (label, help, required, a
// choice for coded columns), for agencies with no system at all. What is filled in is sent
// as a form submission (JSON) through the same mapping, so the checks, the preview and the
// receipt are those of an upload; a problem is shown beside its field.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/web/web_app.h"

namespace carebridge::gateway::web {
namespace {

namespace agency = mappings::agency;

// A spec has a form when it reads one table and its columns come from the person.
bool has_form(const agency::Spec& spec) { return spec.tables.size() == 1; }

bool filled_in(const agency::Column& c) { return !c.lookup && !c.stored; }

std::string field_id(const std::string& key) {
  std::string id;
  for (char c : key) id += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  return id.empty() || !std::isalpha(static_cast<unsigned char>(id[0])) ? "f-" + id : id;
}

std::string input_type(agency::ValueType type) {
  switch (type) {
    case agency::ValueType::Date: return "date";
    case agency::ValueType::Phone: return "tel";
    case agency::ValueType::Email: return "email";
    default: return "text";
  }
}

// A choice of the values the column allows, as the agency writes them (one per code).
std::string choice(const Visit& v, const agency::Column& c, const std::string& id, const std::string& value, const std::string& attrs) {
  std::string s = "<select id=\"" + id + "\" name=\"" + escape(c.name) + "\"" + attrs + "><option value=\"\">" +
                  escape(v.t("choose")) + "</option>";
  std::vector<std::pair<std::string, std::string>> options;  // the value the column reads, and its label
  if (c.type == agency::ValueType::Boolean) options = {{"Yes", v.lang == Lang::Es ? "Sí" : "Yes"}, {"No", "No"}};
  else if (c.codes)
    for (const auto& [code, written] : c.codes->written) options.emplace_back(c.codes->word_for(code), c.codes->word_for(code));
  for (const auto& [option, label] : options)
    s += "<option value=\"" + escape(option) + "\"" + std::string(option == value ? " selected" : "") + ">" + escape(label) +
         "</option>";
  return s + "</select>";
}

std::string field(const Visit& v, const agency::Column& c, const std::string& value, const std::string& error) {
  std::string id = field_id(c.key), described;
  std::string s = "<div class=\"field\"><label for=\"" + id + "\">" + escape(c.name) +
                  (c.required ? " <span class=\"req\">(" + escape(v.t("required")) + ")</span>" : "") + "</label>";
  if (!c.help.empty()) {
    s += "<span class=\"help\" id=\"" + id + "-help\">" + escape(c.help) + "</span>";
    described = id + "-help";
  }
  if (!error.empty()) {
    s += "<p class=\"error\" id=\"" + id + "-error\">" + escape(reason_in(v.lang, error)) + "</p>";
    described += (described.empty() ? "" : " ") + id + "-error";
  }
  std::string attrs = (c.required ? " required" : "") + std::string(error.empty() ? "" : " aria-invalid=\"true\"") +
                      (described.empty() ? "" : " aria-describedby=\"" + described + "\"");
  if (c.type == agency::ValueType::Code || c.type == agency::ValueType::Boolean) return s + choice(v, c, id, value, attrs) + "</div>";
  return s + "<input type=\"" + input_type(c.type) + "\" id=\"" + id + "\" name=\"" + escape(c.name) + "\" value=\"" +
         escape(value) + "\"" + attrs + "></div>";
}

// The form's fields as a form submission (a JSON object of field → value).
std::string submission(const agency::TableSpec& table, const FormData& form) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  for (const agency::Column& c : table.columns) {
    if (!filled_in(c)) continue;
    w.Key(c.name.c_str());
    std::string value = form.field(c.name);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  }
  w.EndObject();
  return out.GetString();
}

// The field a problem's place names (`form field "Last Name"`), or "".
std::string field_named(std::string_view where) {
  size_t at = where.find("field \"");
  if (at == std::string_view::npos) return {};
  size_t end = where.find('"', at + 7);
  return std::string(where.substr(at + 7, end == std::string_view::npos ? std::string_view::npos : end - at - 7));
}

// A value the form's rows would leave out (a birth date after today), said beside its field:
// an upload's row is stored without it, but the person at the form can still put it right.
std::map<std::string, std::string> left_out_by_field(const agency::AgencyConversion& c) {
  std::map<std::string, std::string> out;
  for (const std::string& w : c.mapped.warnings) {
    size_t colon = w.find("\": ");
    if (colon == std::string::npos || w.find("left out", colon) == std::string::npos) continue;
    if (std::string name = field_named(std::string_view(w).substr(0, colon + 1)); !name.empty())
      out.try_emplace(name, w.substr(colon + 3));
  }
  return out;
}

// Each problem of a checked form by the field it names; the others in `others`.
std::map<std::string, std::string> problems_by_field(const agency::AgencyConversion& c, std::vector<std::string>& others) {
  std::map<std::string, std::string> out;
  for (const agency::RowProblem& p : c.mapped.rejected) {
    std::string name = field_named(p.where);
    if (name.empty())
      others.push_back(p.message);
    else
      out.try_emplace(name, p.message);
  }
  out.merge(left_out_by_field(c));
  for (const std::string& e : c.file_errors) others.push_back(e);
  return out;
}

std::string form_html(const Visit& v, const std::string& mapping, const agency::TableSpec& table, const FormData* values,
                      const std::map<std::string, std::string>& errors, const std::vector<std::string>& others) {
  std::string s;
  if (!errors.empty() || !others.empty()) {
    s += "<div class=\"summary\" role=\"alert\" id=\"errors\" tabindex=\"-1\"><h2>" + escape(v.t("errors-title")) + "</h2><ul>";
    for (const agency::Column& c : table.columns)
      if (auto e = errors.find(c.name); e != errors.end() && filled_in(c))
        s += "<li><a href=\"#" + field_id(c.key) + "\">" + escape(c.name) + ": " + escape(reason_in(v.lang, e->second)) + "</a></li>";
    for (const std::string& o : others) s += "<li>" + escape(reason_in(v.lang, o)) + "</li>";
    s += "</ul></div>";
  }
  s += "<form id=\"form\" method=\"post\" action=\"/forms/" + escape(mapping) + "\" novalidate>" + v.csrf_field();
  for (const agency::Column& c : table.columns) {
    if (!filled_in(c)) continue;
    auto e = errors.find(c.name);
    s += field(v, c, values ? values->field(c.name) : std::string(), e == errors.end() ? std::string() : e->second);
  }
  return s + "<button type=\"submit\">" + escape(v.t("check")) + "</button></form>";
}

}  // namespace

http::Response WebApp::forms_index(Visit& v) {
  std::string s = "<p>" + escape(v.t("forms-intro")) + "</p><ul>";
  for (const std::string& name : ingest_.mappings()) {
    const agency::Spec* spec = ingest_.spec(name);
    if (!spec || !has_form(*spec) || !ingest_.may_use(v.caller(), name)) continue;
    s += "<li><a href=\"/forms/" + escape(name) + "\">" + escape(spec->title.empty() ? name : spec->title) + "</a></li>";
  }
  return html(v, 200, std::string(v.t("forms")), s + "</ul>");
}

http::Response WebApp::form_page(Visit& v, const std::string& mapping) {
  const agency::Spec* spec = ingest_.knows(mapping) && ingest_.may_use(v.caller(), mapping) ? ingest_.spec(mapping) : nullptr;
  if (!spec || !has_form(*spec)) return html(v, 404, std::string(v.t("not-found")), "");
  const agency::TableSpec& table = spec->tables.front();
  std::string title = spec->title.empty() ? mapping : spec->title;
  if (v.request.method != "POST") return html(v, 200, title, form_html(v, mapping, table, nullptr, {}, {}));
  std::vector<std::pair<std::string, std::string>> files{{"form", submission(table, *v.form)}};
  auto checked = ingest_.check(mapping, files, v.caller(), v.request);
  if (checked.bundle && checked.mapped.rejected.empty() && left_out_by_field(checked).empty())
    return preview(v, mapping, std::move(files), checked);
  std::vector<std::string> others;
  auto errors = problems_by_field(checked, others);
  return html(v, 422, title, form_html(v, mapping, table, &*v.form, errors, others));
}

}  // namespace carebridge::gateway::web
