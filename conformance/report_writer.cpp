// The conformance report in three forms: a text summary table, a self-contained
// HTML page and JSON.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "conformance/conformance_run.h"
#include "fhir/io/html_escape.h"
#include "fhir/json/json_writer.h"

namespace carebridge::conformance {
namespace {

using fhir::model::Issue;

void escape_html(std::string& out, std::string_view text) { fhir::io::append_html_escaped(out, text); }

std::string location(const Issue& i) {
  std::string where = i.expression;
  if (i.position.line) {
    where += where.empty() ? "" : " ";
    where += "line " + std::to_string(i.position.line);
    if (i.position.column) where += ", column " + std::to_string(i.position.column);
  }
  return where;
}

struct Totals {
  size_t files = 0, resources = 0, errors = 0, warnings = 0;
};

std::map<std::string, Totals> by_kind(const Report& report) {
  std::map<std::string, Totals> kinds;
  for (const auto& f : report.files) {
    auto& t = kinds[f.kind];
    ++t.files;
    t.resources += f.resources;
    t.errors += f.errors;
    t.warnings += f.warnings;
  }
  return kinds;
}

std::string row(const std::string& name, const Totals& t) {
  char line[160];
  std::snprintf(line, sizeof line, "%-10s %8zu %10zu %8zu %9zu\n", name.c_str(), t.files, t.resources, t.errors,
                t.warnings);
  return line;
}

// A problem: its element (indexes left out) and its message with the values it quotes left
// out, so that the same problem in different files counts once: "'x' is not a date" and "'y' is not a date" are one. An
// apostrophe within a word (FHIR's) quotes nothing.
std::string problem_key(const Issue& i) {
  std::string key(fhir::model::to_string(i.severity));
  key += ' ';
  // The element it is about, without indexes (Patient.identifier, Bundle.entry.resource.code):
  // "requires at least 1" of two elements is two problems.
  for (size_t at = 0; at < i.expression.size(); ++at) {
    if (i.expression[at] == '[') at = std::min(i.expression.find(']', at), i.expression.size() - 1);
    else key += i.expression[at];
  }
  if (!i.expression.empty()) key += ": ";
  const std::string& m = i.message;
  auto word = [&](size_t at) { return at < m.size() && std::isalnum(static_cast<unsigned char>(m[at])); };
  char quote = 0;
  for (size_t at = 0; at < m.size(); ++at) {
    char c = m[at];
    bool mark = c == '"' || (c == '\'' && (quote ? !word(at + 1) : at == 0 || !word(at - 1)));
    if (quote) {
      if (c == quote && mark) quote = 0, key += "…'";
      continue;
    }
    if (mark) {
      quote = c;
      key += '\'';
      continue;
    }
    key += c;
  }
  return key;
}

struct Problem {
  std::string key;
  size_t count = 0;
  std::vector<std::string> files;
};

// The problems found most often, each with the files it was found in (errors before warnings).
std::vector<Problem> frequent_problems(const Report& report, size_t most) {
  std::map<std::string, Problem> by_key;
  for (const auto& f : report.files)
    for (const auto& i : f.issues) {
      if (i.severity == fhir::model::Severity::Information) continue;
      Problem& p = by_key[problem_key(i)];
      p.key = problem_key(i);
      ++p.count;
      if (p.files.empty() || p.files.back() != f.path) p.files.push_back(f.path);
    }
  std::vector<Problem> out;
  for (auto& [k, p] : by_key) out.push_back(std::move(p));
  std::stable_sort(out.begin(), out.end(), [](const Problem& a, const Problem& b) {
    bool ae = a.key.starts_with("error") || a.key.starts_with("fatal"), be = b.key.starts_with("error") || b.key.starts_with("fatal");
    return ae != be ? ae : a.count > b.count;
  });
  if (out.size() > most) out.resize(most);
  return out;
}

// The files in the order an integrator reads them: with errors, with warnings, clean.
std::vector<const FileResult*> files_by_trouble(const Report& report) {
  std::vector<const FileResult*> out;
  for (const auto& f : report.files) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(), [](const FileResult* a, const FileResult* b) {
    auto rank = [](const FileResult* f) { return f->errors ? 0 : f->warnings ? 1 : 2; };
    return rank(a) < rank(b);
  });
  return out;
}

std::map<std::string, size_t> all_profiles(const Report& report) {
  std::map<std::string, size_t> out;
  for (const auto& f : report.files)
    for (const auto& [key, n] : f.profiles) out[key] += n;
  return out;
}

}  // namespace

std::string summary_table(const Report& report) {
  std::string out = "type          files  resources   errors  warnings\n";
  Totals all;
  for (const auto& [kind, t] : by_kind(report)) {
    out += row(kind, t);
    all.files += t.files;
    all.resources += t.resources;
    all.errors += t.errors;
    all.warnings += t.warnings;
  }
  out += row("total", all);
  if (!report.mappings.empty()) {
    size_t passed = 0;
    for (const auto& m : report.mappings) passed += m.passed();
    out += "golden mappings: " + std::to_string(report.mappings.size()) + " cases, " + std::to_string(passed) + " passed\n";
    for (const auto& m : report.mappings)
      if (!m.passed())
        out += "  FAILED " + m.input + " (" + m.spec + "): " + std::to_string(m.differences.size()) + " differences, " +
               std::to_string(m.errors()) + " errors\n";
  }
  return out;
}

namespace {

void html_head(std::string& out, const Report& report) {
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Carebridge conformance report</title>\n"
      "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
      ".fatal,.error{color:#b00020}.warning{color:#8a6d00}.information{color:#555}.ok{color:#1b7f3b}"
      "h2{margin-top:2em;font-size:1.2em}h3{font-size:1.05em}code{font-size:.95em}"
      "#hide-warning:checked~.report tr.warning,#hide-information:checked~.report tr.information,"
      "#only-errors:checked~.report section.clean{display:none}td,th,code{overflow-wrap:anywhere}"
      "</style></head><body><main>\n";
  out += "<h1>Conformance report</h1>\n<p>Folder: <code>";
  escape_html(out, report.folder);
  size_t differing = std::count_if(report.mappings.begin(), report.mappings.end(), [](const MappingCase& m) { return !m.passed(); });
  out += "</code>: <strong class=\"" + std::string(report.errors() ? "error\">" : "ok\">") + std::to_string(report.errors()) +
         " errors</strong>, " + std::to_string(report.warnings()) + " warnings";
  if (!report.mappings.empty())
    out += "; <strong class=\"" + std::string(differing ? "error\">" : "ok\">") + std::to_string(differing) + " of " +
           std::to_string(report.mappings.size()) + " golden mappings differ</strong> from their expected Bundles";
  out += ".</p>\n";
  if (report.packages.empty()) return;
  out += "<p>FHIR packages loaded:</p><ul>";
  for (const auto& p : report.packages) {
    out += "<li><code>";
    escape_html(out, p);
    out += "</code></li>";
  }
  out += "</ul>\n";
}

void html_counts(std::string& out, const Report& report) {
  out += "<h2>Files by kind</h2><table><tr><th>type</th><th>files</th><th>resources</th><th>errors</th><th>warnings</th></tr>\n";
  for (const auto& [kind, t] : by_kind(report)) {
    out += "<tr><td>";
    escape_html(out, kind);
    out += "</td><td>" + std::to_string(t.files) + "</td><td>" + std::to_string(t.resources) + "</td><td>" +
           std::to_string(t.errors) + "</td><td>" + std::to_string(t.warnings) + "</td></tr>\n";
  }
  out += "</table>\n<h2>Resources by type and profile</h2><table><tr><th>type</th><th>profile</th><th>resources</th></tr>\n";
  for (const auto& [key, n] : all_profiles(report)) {
    size_t space = key.find(' ');
    out += "<tr><td>";
    escape_html(out, key.substr(0, space));
    out += "</td><td><code>";
    if (space != std::string::npos) escape_html(out, key.substr(space + 1));
    out += "</code></td><td>" + std::to_string(n) + "</td></tr>\n";
  }
  out += "</table>\n";
}

// The anchor of a file's section in the report ("file-3"), by its path.
using Anchors = std::map<std::string, std::string, std::less<>>;

void html_problems(std::string& out, const Report& report, const Anchors& anchors) {
  auto problems = frequent_problems(report, 15);
  if (problems.empty()) return;
  out += "<h2>Most frequent problems</h2><table><tr><th>problem</th><th>times</th><th>files</th></tr>\n";
  for (const auto& p : problems) {
    std::string severity = p.key.substr(0, p.key.find(' '));
    out += "<tr class=\"" + severity + "\"><td class=\"" + severity + "\">";
    escape_html(out, p.key);
    out += "</td><td>" + std::to_string(p.count) + "</td><td>";
    for (size_t k = 0; k < p.files.size() && k < 5; ++k) {
      auto anchor = anchors.find(p.files[k]);
      out += k ? ", " : "";
      out += anchor == anchors.end() ? "<code>" : "<a href=\"#" + anchor->second + "\"><code>";
      escape_html(out, p.files[k]);
      out += anchor == anchors.end() ? "</code>" : "</code></a>";
    }
    if (p.files.size() > 5) out += " and " + std::to_string(p.files.size() - 5) + " more";
    out += "</td></tr>\n";
  }
  out += "</table>\n";
}

void html_mapping(std::string& out, const MappingCase& m) {
  out += "<h3><code>";
  escape_html(out, m.input);
  out += "</code> → <code>";
  escape_html(out, m.expected);
  out += "</code> (";
  escape_html(out, m.spec);
  out += m.passed() ? ") <span class=\"ok\">as expected</span></h3>\n" : ") <span class=\"error\">differs</span></h3>\n";
  if (!m.differences.empty()) {
    out += "<table><tr><th>FHIR path</th><th>expected</th><th>mapped</th><th>from</th></tr>\n";
    for (const auto& d : m.differences) {
      for (const std::string* cell : {&d.path, &d.expected, &d.actual, &d.source}) {
        out += cell == &d.path ? "<tr class=\"error\"><td><code>" : "<td><code>";
        escape_html(out, *cell);
        out += "</code></td>";
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  }
  for (const auto& i : m.issues) {
    out += "<p class=\"error\">";
    escape_html(out, i.message);
    out += "</p>\n";
  }
}

void html_file(std::string& out, const FileResult& f, const std::string& anchor) {
  out += "<section id=\"" + anchor + "\" class=\"" + (f.errors ? "has-errors" : "clean") + "\"><h3>";
  escape_html(out, f.path);
  out += f.errors ? " <span class=\"error\">" : " <span class=\"ok\">";
  out += std::to_string(f.errors) + " errors, " + std::to_string(f.warnings) + " warnings</span></h3>\n";
  if (f.issues.empty()) {
    out += "</section>\n";
    return;
  }
  out += "<table><tr><th>severity</th><th>location</th><th>code</th><th>message</th></tr>\n";
  for (const auto& i : f.issues) {
    std::string severity(fhir::model::to_string(i.severity));
    out += "<tr class=\"" + severity + "\"><td class=\"" + severity + "\">" + severity + "</td><td><code>";
    escape_html(out, location(i));
    out += "</code></td><td>";
    escape_html(out, i.code);
    out += "</td><td>";
    escape_html(out, i.message);
    out += "</td></tr>\n";
  }
  out += "</table></section>\n";
}

}  // namespace

// Opens with what an integrator needs first: counts by type and profile, the most frequent
// problems and the files they were found in, the golden mappings, then the files with
// errors before the clean ones; warnings and information can be hidden (CSS, no script).
std::string html_report(const Report& report) {
  std::string out;
  html_head(out, report);
  auto files = files_by_trouble(report);
  Anchors anchors;
  for (size_t i = 0; i < files.size(); ++i) anchors.emplace(files[i]->path, "file-" + std::to_string(i + 1));
  // The severity filter is CSS alone (checkboxes before the report they filter): the page runs no script.
  out += "<input type=\"checkbox\" id=\"hide-warning\"><label for=\"hide-warning\"> hide warnings</label> "
         "<input type=\"checkbox\" id=\"hide-information\"><label for=\"hide-information\"> hide information</label> "
         "<input type=\"checkbox\" id=\"only-errors\"><label for=\"only-errors\"> only files with errors</label>\n"
         "<div class=\"report\">\n";
  html_counts(out, report);
  html_problems(out, report, anchors);
  if (!report.mappings.empty()) {
    out += "<h2>Golden mappings</h2>\n";
    for (const auto& m : report.mappings) html_mapping(out, m);
  }
  out += "<h2>Files, those with errors first</h2>\n";
  for (size_t i = 0; i < files.size(); ++i) html_file(out, *files[i], "file-" + std::to_string(i + 1));
  out += "</div>\n</main></body></html>\n";
  return out;
}

namespace {

using fhir::json::append_json_string;

void json_strings(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t k = 0; k < items.size(); ++k) {
    if (k) out += ',';
    append_json_string(out, items[k]);
  }
  out += ']';
}

// What an integrator reads first: resources by type and by profile, the most frequent problems.
void json_summary(std::string& out, const Report& report) {
  out += ",\"resources\":{";
  bool first = true;
  for (const auto& [key, n] : all_profiles(report)) {
    out += first ? "" : ",";
    first = false;
    append_json_string(out, key);
    out += ':' + std::to_string(n);
  }
  out += "},\"frequentProblems\":[";
  auto problems = frequent_problems(report, 20);
  for (size_t k = 0; k < problems.size(); ++k) {
    out += k ? ",\n{\"problem\":" : "\n{\"problem\":";
    append_json_string(out, problems[k].key);
    out += ",\"count\":" + std::to_string(problems[k].count) + ",\"files\":";
    json_strings(out, problems[k].files);
    out += '}';
  }
  out += ']';
}

void json_issue(std::string& out, const Issue& i) {
  out += "{\"severity\":";
  append_json_string(out, fhir::model::to_string(i.severity));
  out += ",\"code\":";
  append_json_string(out, i.code);
  out += ",\"message\":";
  append_json_string(out, i.message);
  out += ",\"expression\":";
  append_json_string(out, i.expression);
  if (i.position.line) out += ",\"line\":" + std::to_string(i.position.line) + ",\"column\":" + std::to_string(i.position.column);
  out += '}';
}

// The files with errors first, then those with warnings, then the clean ones.
void json_files(std::string& out, const Report& report) {
  out += ",\"files\":[";
  bool first = true;
  for (const FileResult* f : files_by_trouble(report)) {
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"file\":";
    append_json_string(out, f->path);
    out += ",\"type\":";
    append_json_string(out, f->kind);
    out += ",\"resources\":" + std::to_string(f->resources) + ",\"errors\":" + std::to_string(f->errors) +
           ",\"warnings\":" + std::to_string(f->warnings) + ",\"issues\":[";
    for (size_t n = 0; n < f->issues.size(); ++n) {
      if (n) out += ',';
      json_issue(out, f->issues[n]);
    }
    out += "]}";
  }
  out += "\n]";
}

void json_mapping(std::string& out, const MappingCase& m) {
  out += "{\"input\":";
  append_json_string(out, m.input);
  out += ",\"expected\":";
  append_json_string(out, m.expected);
  out += ",\"spec\":";
  append_json_string(out, m.spec);
  out += ",\"passed\":" + std::string(m.passed() ? "true" : "false") + ",\"differences\":[";
  for (size_t n = 0; n < m.differences.size(); ++n) {
    const auto& d = m.differences[n];
    out += n ? ",{\"path\":" : "{\"path\":";
    append_json_string(out, d.path);
    out += ",\"expected\":";
    append_json_string(out, d.expected);
    out += ",\"actual\":";
    append_json_string(out, d.actual);
    out += ",\"source\":";
    append_json_string(out, d.source);
    out += '}';
  }
  out += "],\"errors\":[";
  for (size_t n = 0; n < m.issues.size(); ++n) {
    if (n) out += ',';
    append_json_string(out, m.issues[n].message);
  }
  out += "]}";
}

}  // namespace

std::string json_report(const Report& report) {
  std::string out = "{\"folder\":";
  append_json_string(out, report.folder);
  out += ",\"errors\":" + std::to_string(report.errors()) + ",\"warnings\":" + std::to_string(report.warnings());
  size_t differing = std::count_if(report.mappings.begin(), report.mappings.end(), [](const MappingCase& m) { return !m.passed(); });
  out += ",\"mappingsDiffering\":" + std::to_string(differing);
  out += ",\"packages\":";
  json_strings(out, report.packages);
  json_summary(out, report);
  json_files(out, report);
  out += ",\"mappings\":[";
  for (size_t k = 0; k < report.mappings.size(); ++k) {
    out += k ? ",\n" : "\n";
    json_mapping(out, report.mappings[k]);
  }
  out += "\n]}\n";
  return out;
}

}  // namespace carebridge::conformance
