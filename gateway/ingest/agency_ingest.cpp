#include "gateway/ingest/agency_ingest.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>

#include "fhir/json/json_writer.h"
#include "fhir/model/resource_id.h"
#include "gateway/ingest/stored_updates.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/rest/json_patch.h"
#include "gateway/rest/negotiation.h"
#include "gateway/rest/service.h"
#include "gateway/security/scopes.h"
#include "gateway/web/form_data.h"
#include "mappings/agency/parts.h"

namespace carebridge::gateway::ingest {

namespace {

using fhir::json::append_json_string;
namespace agency = mappings::agency;

// The uploaded file's name: ?file=NAME, else Content-Disposition's filename, else by content.
std::string file_name(const http::Request& request, const rest::Params& params) {
  for (const auto& [name, value] : params)
    if (name == "file" && !value.empty() && value.find('/') == std::string::npos) return value;
  std::string_view disposition = request.header("Content-Disposition");
  if (size_t at = disposition.find("filename=\""); at != std::string_view::npos) {
    std::string_view rest = disposition.substr(at + 10);
    std::string name(rest.substr(0, rest.find('"')));
    if (!name.empty() && name.find('/') == std::string::npos) return name;
  }
  // A zip is an export's files when its Content-Type says so, else a workbook.
  std::string_view type = request.header("Content-Type");
  if (http::iequals(type.substr(0, 15), "application/zip") || http::iequals(type.substr(0, 17), "application/x-zip"))
    return "upload.zip";
  if (request.body.starts_with("PK")) return "upload.xlsx";
  return request.body.find_first_not_of(" \t\r\n") != std::string::npos &&
                 (request.body[request.body.find_first_not_of(" \t\r\n")] == '{' ||
                  request.body[request.body.find_first_not_of(" \t\r\n")] == '[')
             ? "form"
             : "upload.csv";
}

// The files of the upload: each file of a multipart/form-data body (a browser's form, or the
// several CSV files of one export sent at once), else the body as one file.
std::vector<std::pair<std::string, std::string>> uploaded_files(const http::Request& request, const rest::Params& params) {
  std::string_view type = request.header("Content-Type");
  if (http::iequals(type.substr(0, 19), "multipart/form-data")) {
    std::vector<std::pair<std::string, std::string>> files;
    if (auto form = web::read_form(type, request.body)) {
      for (web::FormPart& part : form->parts) {
        if (part.filename.empty()) continue;
        std::string name = part.filename.substr(part.filename.find_last_of("/\\") + 1);  // a path's last part
        files.emplace_back(std::move(name), std::move(part.value));
      }
    }
    if (!files.empty()) return files;
  }
  return {{file_name(request, params), request.body}};
}

// Whether the upload is only checked (?dry-run, =true, =1, =yes, any case; dryRun too), from
// the query: a parameter the endpoint does not take (dry_run=true, a typo) or a dry-run value
// that is neither yes nor no is an error, never a write the sender did not mean.
std::optional<bool> dry_run_of(const rest::Params& params, std::string& error) {
  bool dry_run = false;
  for (const auto& [name, value] : params) {
    if (name == "file") continue;
    if (name != "dry-run" && name != "dryRun") {
      error = "unknown parameter '" + name + "': /ingest takes dry-run (true or false) and file (the file's name)";
      return std::nullopt;
    }
    auto is = [&](std::string_view word) { return http::iequals(value, word); };
    if (value.empty() || is("true") || is("1") || is("yes")) dry_run = true;  // one asking for a dry run is enough
    else if (!is("false") && !is("0") && !is("no")) {
      error = "dry-run is true or false, not '" + value + "': nothing was stored";
      return std::nullopt;
    }
  }
  return dry_run;
}

// {"Patient":2,...}
void append_counts(std::string& out, const std::map<std::string, size_t>& by_type) {
  out += "{";
  for (const auto& [type, n] : by_type) {
    if (out.back() != '{') out += ",";
    append_json_string(out, type);
    out += ":" + std::to_string(n);
  }
  out += "}";
}

void append_report(std::string& out, const std::string& mapping, const agency::AgencyConversion& c, bool dry_run) {
  out += R"({"mapping":)";
  append_json_string(out, mapping);
  out += R"(,"dryRun":)" + std::string(dry_run ? "true" : "false");
  out += R"(,"rows":)" + std::to_string(c.mapped.rows) + R"(,"accepted":)" + std::to_string(c.accepted_rows()) +
         R"(,"skipped":)" + std::to_string(c.mapped.skipped) + R"(,"rejectedRows":)" +
         std::to_string(c.mapped.rejected_rows.size()) + R"(,"rejected":[)";
  bool first = true;
  for (const agency::RowProblem& p : c.mapped.rejected) {
    out += first ? "" : ",";
    first = false;
    out += R"({"file":)";
    append_json_string(out, p.row.first);
    out += R"(,"row":)" + std::to_string(p.row.second) + R"(,"where":)";
    append_json_string(out, p.where);
    out += R"(,"reason":)";
    append_json_string(out, p.message);
    out += "}";
  }
  out += R"(],"errors":[)";
  first = true;
  for (const std::string& e : c.file_errors) {
    out += first ? "" : ",";
    first = false;
    append_json_string(out, e);
  }
  out += R"(],"warnings":[)";
  first = true;
  for (const std::string& w : c.mapped.warnings) {
    out += first ? "" : ",";
    first = false;
    append_json_string(out, w);
  }
  out += R"(],"resources":)";
  append_counts(out, c.anything() ? c.mapped.resources : std::map<std::string, size_t>{});
  out += R"(,"deleted":)";
  append_counts(out, c.anything() ? c.mapped.deleted : std::map<std::string, size_t>{});
}

// The stored records a status file changes, read through the FHIR service as the caller: a
// record the caller may not see is not there for it.
class ServiceRecords : public agency::Records {
 public:
  ServiceRecords(rest::FhirService& service, const rest::Caller& who, const http::Request& request, const std::string& base,
                 const std::function<bool(const std::string&)>& organizations)
      : service_(service), who_(who), request_(request), base_(base), organizations_(organizations) {}

  std::optional<std::string> read(const std::string& type, const std::string& id) const override {
    auto [it, added] = read_.try_emplace(type + "/" + id);
    if (!added) return it->second;
    http::Request get;
    get.method = "GET";
    get.target = base_ + "/" + type + "/" + id;
    get.headers = {{"Accept", "application/fhir+json"}};
    get.remote = request_.remote;
    get.tls = request_.tls;
    http::Response found = service_.handle(get, who_);
    if (found.status == 200) it->second = std::move(found.body);
    return it->second;
  }

  // As the transaction will resolve it, as the caller: a record the caller may not see is not there.
  std::optional<bool> resolves(const std::string& conditional_reference) const override {
    rest::Result failure;
    return service_.writes().resolve_conditional(who_, conditional_reference, failure).has_value();
  }

  std::optional<std::string> find(const std::string& conditional_reference) const override {
    rest::Result failure;
    auto found = service_.writes().resolve_conditional(who_, conditional_reference, failure);
    size_t slash = found ? found->find('/') : std::string::npos;
    if (slash == std::string::npos) return std::nullopt;
    return read(found->substr(0, slash), found->substr(slash + 1));
  }

  // As a search of the caller's: what the caller may not see is not found.
  std::optional<std::string> search(const std::string& query) const override {
    http::Request get;
    get.method = "GET";
    get.target = base_ + "/" + query;
    get.headers = {{"Accept", "application/fhir+json"}};
    get.remote = request_.remote;
    get.tls = request_.tls;
    http::Response found = service_.handle(get, who_);
    if (found.status != 200) return std::nullopt;
    return std::move(found.body);
  }

  // As the access policy will judge the DELETE: by the caller's scopes (none: the open server).
  std::optional<bool> may_delete(const std::string& type) const override {
    return !who_ || security::allows(who_->scopes, security::Interaction::Delete, type);
  }

  // A record the caller can read, or an organization someone registered to send belongs to.
  std::optional<bool> knows(const std::string& type, const std::string& id) const override {
    if (!fhir::model::is_resource_id(id)) return false;
    if (type == "Organization" && organizations_) {
      auto [it, added] = registered_.try_emplace(id, false);
      if (added) it->second = organizations_(id);
      if (it->second) return true;
    }
    return read(type, id).has_value();
  }

 private:
  rest::FhirService& service_;
  const rest::Caller& who_;
  const http::Request& request_;
  std::string base_;
  const std::function<bool(const std::string&)>& organizations_;
  mutable std::map<std::string, std::optional<std::string>> read_;
  mutable std::map<std::string, bool> registered_;  // organization id → registered
};

http::Response json_response(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.set_header("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

}  // namespace

std::string AgencyIngest::Stored::transaction() const {
  const std::vector<std::string>& bodies = responses;
  if (bodies.size() == 1) return bodies.front();
  std::string out = R"({"resourceType":"Bundle","type":"transaction-response","entry":[)";
  bool first = true;
  for (const std::string& body : bodies) {
    rapidjson::Document part;
    if (!rest::parse_json_keeping_numbers(body, kIngestJsonDepth, part) || !part.IsObject() || !part.HasMember("entry") ||
        !part["entry"].IsArray())
      continue;
    for (const rapidjson::Value& entry : part["entry"].GetArray()) {
      out += first ? "" : ",";
      first = false;
      out += rest::write_json_keeping_numbers(entry);
    }
  }
  return out + "]}";
}

namespace {

// Why the parts after a failed one were not stored, and what to do.
std::string parts_left(size_t stored, size_t count) {
  return "part " + std::to_string(stored + 1) + " of the " + std::to_string(count) +
         " the upload was stored in could not be stored, and nothing after it was; the " + std::to_string(stored) +
         " parts before it were: sending the file again stores the rest and changes nothing that is stored";
}

// Conversions at once: each is CPU-bound and may hold a few GB at its row limit
// (csv::ReadLimits), so more than the cores would only add memory, never speed.
std::counting_semaphore<2> converting(2);

std::string agency_of(const rest::Caller& who) { return who && !who->organization.empty() ? who->organization : "local"; }

// Why the gateway refused a part's transaction, in the upload's terms: each problem at a
// Bundle entry names the rows that made its record ("nothing was stored: two or more stored
// Patient records have its identifier ... (intake.csv row 3)").
std::vector<std::string> refusal_in_rows(const http::Response& saved, const agency::MappedExport& mapped) {
  std::vector<std::string> said;
  for (const Refusal& r : refusals(saved)) {
    std::string rows;
    if (r.entry < mapped.entry_rows.size())
      for (const agency::RowRef& row : mapped.entry_rows[r.entry])
        rows += (rows.empty() ? " (" : ", ") + row.first + " row " + std::to_string(row.second);
    said.push_back("nothing was stored: " + r.message + (rows.empty() ? "" : rows + ")"));
  }
  return said;
}

// One upload at a time per agency: an upload reads the records it extends (a household's
// members) and writes them back, so two at once would each write what it read, and the later
// would drop the other's member. Agencies' records never overlap (their identifiers name them).
std::unique_lock<std::mutex> upload_lock(const std::string& agency) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;
  std::mutex* mine;
  {
    std::lock_guard<std::mutex> lock(guard);
    auto& slot = locks[agency];
    if (!slot) slot = std::make_unique<std::mutex>();
    mine = slot.get();
  }
  return std::unique_lock<std::mutex>(*mine);
}

}  // namespace

AgencyIngest::AgencyIngest(rest::FhirService& service,
                           std::map<std::string, std::shared_ptr<const agency::AgencyConverter>> converters,
                           std::string base_path)
    : service_(service), converters_(std::move(converters)), base_path_(std::move(base_path)) {}

std::vector<std::string> AgencyIngest::mappings() const {
  std::vector<std::string> out;
  for (const auto& [name, c] : converters_) out.push_back(name);
  return out;
}

http::Response AgencyIngest::ingest(const std::string& mapping, const http::Request& request, const rest::Caller& who) const {
  auto params = rest::parse_query(request.target.find('?') == std::string::npos
                                      ? std::string_view()
                                      : std::string_view(request.target).substr(request.target.find('?') + 1));
  std::string bad_parameter;
  std::optional<bool> dry = dry_run_of(params, bad_parameter);
  if (!dry) {
    std::string m;
    append_json_string(m, bad_parameter);
    return json_response(400, R"({"error":)" + m + "}");
  }
  bool dry_run = *dry;
  if (!may_use(who, mapping))
    return json_response(403, R"({"error":)" + [&] {
      std::string m;
      append_json_string(m, "Organization/" + who->organization + " may not send the format \"" + mapping +
                                "\" (the gateway's agency_formats setting)");
      return m;
    }() + "}");
  Stored stored = store_in_parts(mapping, uploaded_files(request, params), who, request, dry_run);
  const agency::AgencyConversion& c = stored.conversion;
  std::string body;
  append_report(body, mapping, c, dry_run);
  if (stored.count > 1) body += R"(,"parts":{"count":)" + std::to_string(stored.count) + R"(,"stored":)" + std::to_string(stored.stored) + "}";
  // Every row taken or skipped and nothing to write (a delta's deleted rows whose records are
  // gone already, sent again): done, not unprocessable.
  bool nothing_to_do = !c.anything() && !c.too_large && c.file_errors.empty() && c.mapped.rows > 0 &&
                       c.mapped.rejected_rows.empty() && c.mapped.rejected.empty() && c.mapped.dangling.empty();
  if (!c.anything() && !nothing_to_do) return json_response(c.too_large ? 413 : c.file_errors.empty() ? 422 : 400, body + "}");
  if (dry_run || nothing_to_do) return json_response(200, body + "}");
  std::string transaction = stored.transaction();
  body += R"(,"status":)" + std::to_string(stored.status) + R"(,"transaction":)" + (transaction.empty() ? "null" : transaction);
  return json_response(stored.status >= 300 ? stored.status : 200, body + "}");
}

agency::AgencyConversion AgencyIngest::converted(const std::function<agency::AgencyConversion(const agency::Records&)>& convert,
                                                 const rest::Caller& who, const http::Request& context) const {
  converting.acquire();
  struct Release {
    ~Release() { converting.release(); }
  } release;
  ServiceRecords records(service_, who, context, base_path_, organizations_);
  return convert(records);
}

agency::AgencyConversion AgencyIngest::check(const std::string& mapping,
                                            const std::vector<std::pair<std::string, std::string>>& files,
                                            const rest::Caller& who, const http::Request& context) const {
  const auto& converter = *converters_.at(mapping);
  mappings::csv::ReadLimits limits;
  limits.max_records = service_.limits().max_transaction_entries;  // stored in one transaction
  // Nearly every row makes a record or more, so twice as many rows as records could never be
  // stored: refused before mapping them (about 40 KB a row), not after.
  if (limits.max_records) limits.max_total_rows = std::min(limits.max_total_rows, 2 * limits.max_records);
  return converted([&](const agency::Records& records) { return converter.convert_files(files, agency_of(who), limits, &records); },
                   who, context);
}

// Each part is converted, then stored, before the next is converted: the later parts find the
// records the earlier ones stored, and one part's records at a time are held.
AgencyIngest::Stored AgencyIngest::store_in_parts(const std::string& mapping,
                                                  const std::vector<std::pair<std::string, std::string>>& files,
                                                  const rest::Caller& who, const http::Request& context, bool dry_run) const {
  const auto& converter = *converters_.at(mapping);
  mappings::csv::ReadLimits limits;
  limits.max_records = service_.limits().max_transaction_entries;  // each part is stored in one transaction
  agency::ReadExport read = converter.read_files(files, limits);
  Stored out;
  out.conversion.file_errors = std::move(read.errors);
  out.conversion.mapped.warnings = std::move(read.unread);
  if (std::string too_many = read.too_many(limits); !too_many.empty()) {
    out.conversion.file_errors.push_back(std::move(too_many));
    return out;
  }
  auto parts = agency::split_into_parts(converter.spec(), read.tables, limits.max_records);
  out.count = parts.size();
  std::unique_lock<std::mutex> writing;
  if (!dry_run) writing = upload_lock(agency_of(who));
  std::set<agency::RowRef> not_taken;  // rows an earlier part did not take: later parts read them so
  for (auto& part : parts) {
    part.excluded = not_taken;
    agency::AgencyConversion c;
    // A record another client changed since the part read it (412: each record it extends is
    // pinned to the version read) is read again and the part converted again.
    for (int attempt = 0;; ++attempt) {
      c = converted(
          [&](const agency::Records& records) {
            return converter.convert(read.tables, agency_of(who), &records, limits.max_records, parts.size() > 1 ? &part : nullptr);
          },
          who, context);
      if (!c.bundle || dry_run) break;
      http::Response saved = save(c, who, context, parts.size() > 1);
      bool changed_meanwhile = saved.status == 412 && saved.body.find("\"multiple-matches\"") == std::string::npos;
      if (changed_meanwhile && attempt < 2) continue;
      out.status = saved.status;
      if (saved.status >= 300)
        for (std::string& why : refusal_in_rows(saved, c.mapped)) c.file_errors.push_back(std::move(why));
      out.responses.push_back(std::move(saved.body));
      break;
    }
    not_taken.insert(c.mapped.rejected_rows.begin(), c.mapped.rejected_rows.end());
    bool saving = c.bundle && !dry_run;
    out.conversion.add(std::move(c));
    if (out.status >= 300) {
      if (parts.size() > 1) out.conversion.file_errors.push_back(parts_left(out.stored, parts.size()));
      break;
    }
    if (saving) ++out.stored;
  }
  return out;
}

http::Response AgencyIngest::save(const agency::AgencyConversion& checked, const rest::Caller& who,
                                  const http::Request& context, bool minimal) const {
  http::Request transaction;
  transaction.target = base_path_.empty() ? "/" : base_path_;
  transaction.remote = context.remote;
  transaction.tls = context.tls;
  // The upload's Host gives the base of the transaction-response's fullUrls, as a transaction
  // posted to /fhir has them (unless public_base_url is set).
  if (std::string_view host = context.header("Host"); !host.empty()) transaction.headers.emplace_back("Host", std::string(host));
  if (minimal) transaction.headers.emplace_back("Prefer", "return=minimal");
  std::string written = fhir::json::write(*checked.bundle->root());
  return post_transaction(service_, who, std::move(transaction), [&] {
    // What the records it updates are labelled stays labelled (stored_updates.h).
    rapidjson::Document bundle;
    if (!rest::parse_json_keeping_numbers(written, kIngestJsonDepth, bundle)) return written;
    with_stored_records(bundle, service_, who, [&](rapidjson::Value& entry, const rapidjson::Value& stored) {
      keep_security_labels(entry["resource"], stored, bundle.GetAllocator());
      return true;
    });
    return rest::write_json_keeping_numbers(bundle);
  }, 1);  // a record changed meanwhile: store_in_parts reads and converts the part again
}

bool AgencyIngest::may_use(const rest::Caller& who, const std::string& mapping) const {
  if (!who || who->organization.empty()) return true;  // the open server, or an administrator's tool
  auto it = formats_.find(who->organization);
  return it == formats_.end() || std::find(it->second.begin(), it->second.end(), mapping) != it->second.end();
}

const agency::Spec* AgencyIngest::spec(const std::string& mapping) const {
  auto it = converters_.find(mapping);
  return it == converters_.end() ? nullptr : &it->second->spec();
}

}  // namespace carebridge::gateway::ingest
