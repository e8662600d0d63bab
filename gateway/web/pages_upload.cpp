// /upload: a file checked row by row, previewed in plain words, then saved on confirmation
// with a receipt. The form pages (pages_forms.cpp) share the preview and the receipt.
#include <ctime>

#include <rapidjson/document.h>

#include "fhir/time/fhir_time.h"
#include "gateway/web/web_app.h"

namespace carebridge::gateway::web {
namespace {

namespace agency = mappings::agency;

// The column a problem's place names: `... column "Date of Birth"`, or a cell ("Client!C14").
std::string column_of(const std::string& where) {
  size_t at = where.find("column \"");
  if (at != std::string::npos) {
    size_t end = where.find('"', at + 8);
    return where.substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8);
  }
  size_t bang = where.find('!');
  return bang == std::string::npos ? std::string() : where.substr(bang + 1);
}

std::string counts_list(const Visit& v, const std::map<std::string, size_t>& resources, const char* id) {
  std::string s = "<ul id=\"" + std::string(id) + "\">";
  for (const auto& [type, n] : resources) s += "<li>" + escape(count_of(v.lang, type, n)) + "</li>";
  return s + "</ul>";
}

// When an upload was saved, as a person reads it: "2026-11-30 15:30 UTC".
std::string readable_time(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

// The rows that cannot be saved, after `help`: what to do about them.
std::string rejected_table(const Visit& v, const agency::AgencyConversion& c, std::string_view help) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  std::string s = "<h2 id=\"rejected-title\">" + t("rejected") + "</h2><p>" + t(help) + "</p>";
  s += R"(<table id="rejected" aria-labelledby="rejected-title"><thead><tr><th scope="col">)" + t("row") +
       R"(</th><th scope="col">)" + t("column") + R"(</th><th scope="col">)" + t("what-is-wrong") + "</th></tr></thead><tbody>";
  for (const agency::RowProblem& p : c.mapped.rejected) {
    std::string row = p.row.second ? std::to_string(p.row.second) : "";
    s += "<tr><td data-label=\"" + t("row") + "\">" + escape(row) + "</td><td data-label=\"" + t("column") + "\">" +
         escape(column_of(p.where)) + "</td><td data-label=\"" + t("what-is-wrong") + "\">" + escape(reason_in(v.lang, p.message)) + "</td></tr>";
  }
  return s + "</tbody></table>";
}

// What the volunteer should know although nothing was refused for it (values left out,
// dates read day first, deleted records kept): the first few, and how many more.
std::string notes_list(const Visit& v, const std::vector<std::string>& warnings) {
  constexpr size_t kShown = 20;
  if (warnings.empty()) return {};
  std::string s = "<h2>" + escape(v.t("notes")) + "</h2><ul id=\"notes\">";
  for (size_t i = 0; i < warnings.size() && i < kShown; ++i) s += "<li>" + escape(reason_in(v.lang, warnings[i])) + "</li>";
  if (warnings.size() > kShown) s += "<li>" + std::to_string(warnings.size() - kShown) + " " + escape(v.t("more-notes")) + "</li>";
  return s + "</ul>";
}

std::string mapping_options(const Visit& v, const ingest::AgencyIngest& ingest, const std::string& chosen) {
  std::string s;
  for (const std::string& name : ingest.mappings()) {
    if (!ingest.may_use(v.caller(), name)) continue;
    const agency::Spec* spec = ingest.spec(name);
    std::string title = spec && !spec->title.empty() ? spec->title : name;
    s += "<option value=\"" + escape(name) + "\"" + (name == chosen ? " selected" : "") + ">" + escape(title) + "</option>";
  }
  return s;
}

struct Receipt {
  std::map<std::string, size_t> added, changed, unchanged;
  size_t entries = 0;
};

// What a transaction-response says was saved: created (201), changed, or unchanged (an
// update that said what was stored: its lastModified is older than the save).
Receipt read_receipt(const std::string& response, int64_t started_ms) {
  Receipt r;
  rapidjson::Document d;
  d.Parse(response.c_str());
  if (!d.IsObject() || !d.HasMember("entry") || !d["entry"].IsArray()) return r;
  std::string started = fhir::time::format_instant(started_ms);
  for (const auto& e : d["entry"].GetArray()) {
    if (!e.HasMember("response") || !e["response"].IsObject()) continue;
    const auto& resp = e["response"];
    auto text = [&](const char* name) {
      return resp.HasMember(name) && resp[name].IsString() ? std::string(resp[name].GetString()) : std::string();
    };
    std::string status = text("status"), location = text("location"), modified = text("lastModified");
    if (location.empty()) continue;  // a deletion (counted from the upload's own report)
    std::string type = location.substr(0, location.find('/'));
    ++r.entries;
    if (status.starts_with("201")) ++r.added[type];
    else if (!modified.empty() && modified < started) ++r.unchanged[type];
    else ++r.changed[type];
  }
  return r;
}

}  // namespace

http::Response WebApp::upload_page(Visit& v, std::string_view error, std::string_view field) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  std::string s;
  if (!error.empty())
    s += R"(<div class="summary" role="alert" id="errors"><h2>)" + t("errors-title") + "</h2><p><a href=\"#" + std::string(field) + "\">" +
         escape(error) + "</a></p></div>";
  s += R"(<form id="upload" method="post" action="/upload" enctype="multipart/form-data">)" + v.csrf_field() +
       R"(<label for="mapping">)" + t("format") + R"(</label><select id="mapping" name="mapping" required>)" +
       mapping_options(v, ingest_, std::string(rest::param(v.query, "mapping"))) + "</select>" +
       R"(<label for="file">)" + t("file") + R"(</label><span class="help" id="file-help">)" + t("upload-help") +
       R"(</span><input type="file" id="file" name="file" required aria-describedby="file-help" accept=".csv,.tsv,.txt,.xlsx,.zip,.json">)" +
       R"(<button type="submit">)" + t("check-file") + "</button></form>";
  return html(v, error.empty() ? 200 : 400, std::string(v.t("upload")), s);
}

http::Response WebApp::upload_check(Visit& v) {
  std::string mapping = v.form->field("mapping");
  const FormPart* file = v.form->file("file");
  if (!ingest_.knows(mapping) || !ingest_.may_use(v.caller(), mapping)) return upload_page(v, v.t("choose-format"), "mapping");
  if (!file || file->value.empty()) return upload_page(v, v.t("choose-file"));
  std::vector<std::pair<std::string, std::string>> files{{file->filename, file->value}};
  // Converted as it will be saved: in parts when it is larger than one transaction, none stored.
  auto checked = ingest_.store_in_parts(mapping, files, v.caller(), v.request, true);
  return preview(v, mapping, std::move(files), checked.conversion);
}

http::Response WebApp::preview(Visit& v, const std::string& mapping, std::vector<std::pair<std::string, std::string>> files,
                               const mappings::agency::AgencyConversion& checked) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  std::string s;
  for (const std::string& e : checked.file_errors)
    s += R"(<div class="summary" role="alert"><h2>)" + t(checked.too_large ? "file-too-large" : "file-problem") + "</h2><p>" +
         escape(e) + "</p></div>";
  auto rows = [&](size_t n, std::string_view one, std::string_view many) { return std::to_string(n) + " " + t(n == 1 ? one : many); };
  s += "<p>" + rows(checked.mapped.rows, "row-read", "rows-read") + ": " + rows(checked.accepted_rows(), "row-taken", "rows-taken") +
       ", " + rows(checked.mapped.rejected_rows.size(), "row-not-taken", "rows-not-taken") + ".</p>";
  if (checked.parts > 1)
    s += "<p class=\"notice\" id=\"parts\">" + t("saved-in-parts") + " " + std::to_string(checked.parts) + "</p>";
  if (checked.anything()) s += "<h2>" + t("will-save") + "</h2>" + counts_list(v, checked.mapped.resources, "will-save");
  if (checked.anything() && !checked.mapped.deleted.empty())  // records the agency's system deleted since an earlier upload
    s += "<h2>" + t("will-delete") + "</h2>" + counts_list(v, checked.mapped.deleted, "will-delete");
  if (!checked.mapped.rejected.empty()) s += rejected_table(v, checked, checked.anything() ? "rejected-help" : "rejected-help-none");
  s += notes_list(v, checked.mapped.warnings);
  if (checked.anything()) {
    PendingUpload upload{mapping, std::move(files), 0};
    std::string id = sessions_.keep(v.token, std::move(upload), fhir::time::now_ms());
    s += R"(<form id="confirm" method="post" action="/upload/confirm">)" + v.csrf_field() +
         R"(<input type="hidden" name="upload" value=")" + escape(id) + R"("><button type="submit">)" + t("save") +
         "</button></form>";
  } else {
    s += "<p class=\"error\">" + t("nothing-to-save") + "</p>";
  }
  s += "<p><a href=\"/upload\">" + t("upload-another") + "</a></p>";
  return html(v, 200, std::string(v.t("preview")), s);
}

http::Response WebApp::confirm(Visit& v) {
  auto t = [&](std::string_view key) { return escape(v.t(key)); };
  auto upload = sessions_.take(v.token, v.form->field("upload"), fhir::time::now_ms());
  if (!upload) return html(v, 410, std::string(v.t("not-saved")), "<p>" + t("expired") + "</p>");
  // Checked again as it is stored: what is stored may have changed since the preview.
  int64_t started = fhir::time::now_ms();
  auto stored = ingest_.store_in_parts(upload->mapping, upload->files, v.caller(), v.request, false);
  const auto& checked = stored.conversion;
  if (!checked.anything()) return preview(v, upload->mapping, std::move(upload->files), checked);
  if (stored.status >= 300) {
    std::string said = stored.responses.empty() ? std::string() : stored.responses.back().substr(0, 2000);
    for (const std::string& e : checked.file_errors) said = e + "\n" + said;
    return html(v, 422, std::string(v.t("not-saved")), "<p class=\"error\">" + escape(said) + "</p>");
  }
  Receipt r = read_receipt(stored.transaction(), started);
  std::string s = "<div id=\"receipt\"><p><time datetime=\"" + escape(fhir::time::format_instant(started)) + "\">" +
                  escape(readable_time(started)) + "</time></p>";
  if (r.added.empty() && r.changed.empty() && checked.mapped.deleted.empty()) s += "<p class=\"notice\" id=\"nothing-changed\">" + t("nothing-changed") + "</p>";
  auto section = [&](const std::map<std::string, size_t>& counts, std::string_view key, const char* id) {
    if (!counts.empty()) s += "<h2>" + t(key) + "</h2>" + counts_list(v, counts, id);
  };
  section(r.added, "added", "added");
  section(r.changed, "changed", "changed");
  section(r.unchanged, "unchanged", "unchanged");
  section(checked.mapped.deleted, "deleted", "deleted");
  if (!checked.mapped.rejected.empty()) s += rejected_table(v, checked, "rejected-help-saved");
  s += "<p class=\"no-print\" data-print=\"" + t("print") + "\">" + t("print-hint") + "</p></div>";
  s += "<p class=\"no-print\"><a href=\"/upload\">" + t("upload-another") + "</a></p>";
  return html(v, 200, std::string(v.t("saved")), s);
}

}  // namespace carebridge::gateway::web
