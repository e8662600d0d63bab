// The conformance report in three forms: a text summary table, a self-contained
// HTML page and JSON.
#include <cstdio>
#include <map>

#include "conformance/conformance_run.h"
#include "fhir/json/json_writer.h"

namespace carebridge::conformance {
namespace {

using fhir::model::Issue;

void escape_html(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

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
  return out;
}

std::string html_report(const Report& report) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Carebridge conformance report</title>\n"
      "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
      ".fatal,.error{color:#b00020}.warning{color:#8a6d00}.information{color:#555}.ok{color:#1b7f3b}"
      "h2{margin-top:2em;font-size:1.1em}code{font-size:.95em}</style></head><body>\n";
  out += "<h1>Conformance report</h1>\n<p>Folder: <code>";
  escape_html(out, report.folder);
  out += "</code></p>\n";
  if (!report.packages.empty()) {
    out += "<p>FHIR packages loaded:</p><ul>";
    for (const auto& p : report.packages) {
      out += "<li><code>";
      escape_html(out, p);
      out += "</code></li>";
    }
    out += "</ul>\n";
  }
  out += "<table><tr><th>type</th><th>files</th><th>resources</th><th>errors</th><th>warnings</th></tr>\n";
  for (const auto& [kind, t] : by_kind(report)) {
    out += "<tr><td>";
    escape_html(out, kind);
    out += "</td><td>" + std::to_string(t.files) + "</td><td>" + std::to_string(t.resources) + "</td><td>" +
           std::to_string(t.errors) + "</td><td>" + std::to_string(t.warnings) + "</td></tr>\n";
  }
  out += "</table>\n";
  for (const auto& f : report.files) {
    out += "<h2>";
    escape_html(out, f.path);
    out += f.errors ? " <span class=\"error\">" : " <span class=\"ok\">";
    out += std::to_string(f.errors) + " errors, " + std::to_string(f.warnings) + " warnings</span></h2>\n";
    if (f.issues.empty()) continue;
    out += "<table><tr><th>severity</th><th>location</th><th>code</th><th>message</th></tr>\n";
    for (const auto& i : f.issues) {
      std::string severity(fhir::model::to_string(i.severity));
      out += "<tr><td class=\"" + severity + "\">" + severity + "</td><td><code>";
      escape_html(out, location(i));
      out += "</code></td><td>";
      escape_html(out, i.code);
      out += "</td><td>";
      escape_html(out, i.message);
      out += "</td></tr>\n";
    }
    out += "</table>\n";
  }
  out += "</body></html>\n";
  return out;
}

std::string json_report(const Report& report) {
  using fhir::json::append_json_string;
  std::string out = "{\"folder\":";
  append_json_string(out, report.folder);
  out += ",\"errors\":" + std::to_string(report.errors()) + ",\"warnings\":" + std::to_string(report.warnings());
  out += ",\"packages\":[";
  for (size_t k = 0; k < report.packages.size(); ++k) {
    if (k) out += ',';
    append_json_string(out, report.packages[k]);
  }
  out += "],\"files\":[";
  for (size_t k = 0; k < report.files.size(); ++k) {
    const auto& f = report.files[k];
    out += k ? ",\n" : "\n";
    out += "{\"file\":";
    append_json_string(out, f.path);
    out += ",\"type\":";
    append_json_string(out, f.kind);
    out += ",\"resources\":" + std::to_string(f.resources) + ",\"errors\":" + std::to_string(f.errors) +
           ",\"warnings\":" + std::to_string(f.warnings) + ",\"issues\":[";
    for (size_t n = 0; n < f.issues.size(); ++n) {
      const auto& i = f.issues[n];
      if (n) out += ',';
      out += "{\"severity\":";
      append_json_string(out, fhir::model::to_string(i.severity));
      out += ",\"code\":";
      append_json_string(out, i.code);
      out += ",\"message\":";
      append_json_string(out, i.message);
      out += ",\"expression\":";
      append_json_string(out, i.expression);
      if (i.position.line) {
        out += ",\"line\":" + std::to_string(i.position.line) + ",\"column\":" + std::to_string(i.position.column);
      }
      out += '}';
    }
    out += "]}";
  }
  out += "\n]}\n";
  return out;
}

}  // namespace carebridge::conformance
