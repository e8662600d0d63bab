// The FHIR REST API under the base path (FHIR R4 http.html): instance, type and
// system interactions, batch and transaction Bundles, search, history,
// $validate and the CapabilityStatement. Every resource is parsed once,
// validated before it is stored, and written with its history and search index
// in one store commit.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/model/result.h"
#include "fhir/search/compartments.h"
#include "fhir/search/index.h"
#include "fhir/search/parse.h"
#include "fhir/search/registry.h"
#include "fhir/time/fhir_time.h"
#include "fhir/validation/validator.h"
#include "gateway/config/config.h"
#include "gateway/http/message.h"
#include "gateway/rest/large_requests.h"
#include "gateway/rest/negotiation.h"
#include "gateway/rest/write_path.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::rest {

struct PatchRequest;  // patch.h

// The search core (fhir/search) and the FHIR clock (fhir/time) the REST layer uses.
using fhir::search::Include;
using fhir::search::IndexExtractor;
using fhir::search::SearchLimits;
using fhir::search::ParsedSearch;
using fhir::search::SearchParam;
using fhir::search::SearchRegistry;
using fhir::time::date_range;
using fhir::time::format_instant;
using fhir::time::http_date;
using fhir::time::now_ms;


struct ServiceOptions {
  std::string base_path = "/fhir";
  std::string public_base_url;  // config::Config::public_base_url; empty: each request's Host
  config::Limits limits;
  std::map<std::string, std::vector<std::string>> profiles;  // per resource type
  ValidateFunction validate;  // null: only what the parser checks
  // How writes are judged: `write_policy`, unless `write_policies` names the type.
  // $validate is always strict.
  Policy write_policy = Policy::Ingest;
  std::map<std::string, Policy, std::less<>> write_policies;
  // Told of every write's validation (for /metrics); may be null.
  std::function<void(Policy policy, std::string_view type, const Issues& issues)> observe_validation;
  // Evaluates SearchParameter expressions for the index; null: the path extractor.
  const fhir::fhirpath::Engine* engine = nullptr;
  // Who may do and see what (scopes, organizations, consent); null: everyone everything.
  const security::AccessPolicy* access = nullptr;
  // The audit trail of every interaction; null: none kept.
  security::AuditTrail* audit = nullptr;
};

// What the CapabilityStatement says of topic-based subscriptions (the Backport IG's R4 server
// statement): the topics served, and whether $get-ws-binding-token is (a websocket channel).
struct SubscriptionCapability {
  std::vector<std::string> topics;  // canonical URLs
  bool websocket = false;
};

struct BundleEntry;  // an entry of a batch or transaction Bundle (bundle_entries.h)

class FhirService {
 public:
  FhirService(const fhir::definitions::Definitions& definitions, store::Store& store, ServiceOptions options);
  ~FhirService();

  // Answers a request whose path starts with the base path, for `who` (null: the
  // open server's caller). Never throws for client input.
  http::Response handle(const http::Request& request, Caller who = nullptr);
  // The same for a request the gateway makes itself (an agency upload's transaction, built
  // from rows the upload's own limits bound), whose body may be up to `max_body_bytes`.
  http::Response handle_own(const http::Request& request, Caller who, size_t max_body_bytes);
  // The same as an http::Handler, on an I/O thread (async_write.cpp): reads by id
  // answered at once, creates, updates and deletes by id replying once the store
  // has committed them without a thread waiting, the rest on the worker pool.
  void handle(std::shared_ptr<const http::Request> request, Caller who, http::Responder responder);

  const SearchRegistry& registry() const { return registry_; }
  // The FHIR base a request reached ("https://host:port/fhir"): the configured public base, else
  // the one its Host names (request_base_url).
  std::string base_url(const http::Request& request) const;
  std::string request_base_url(const http::Request& request) const;
  // Turns on the access policy and the audit trail (before serving; null: off).
  void set_security(const security::AccessPolicy* access, security::AuditTrail* audit);
  // Topic-based subscriptions are served (before serving): the CapabilityStatement says so.
  void set_subscriptions(SubscriptionCapability subscriptions) {
    subscriptions_ = std::move(subscriptions);
    std::lock_guard lock(capability_mutex_);
    resource_capabilities_.reset();  // they name the topics
  }
  // A bounded label of a path under the base for metrics: "/fhir/Patient/{id}/_history/{vid}".
  std::string route_label(std::string_view path) const;
  // The limits on a search's page sizes and size, from the configuration.
  SearchLimits search_limits() const;
  // The configured limits on requests (sizes, entries, time).
  const config::Limits& limits() const { return options_.limits; }
  // Whether `type` answers the terminology operation (ValueSet $expand, ...; terminology_operations.cpp).
  static bool is_terminology_operation(const std::string& type, const std::string& operation);
  // The one write path (its conditional matching, for ingest that reads what it updates).
  WritePath& writes() { return writes_; }
  const fhir::definitions::Definitions& definitions() const { return definitions_; }
  // A FHIR JSON answer made beside the service (an operation of its own, such as a
  // Subscription's $status) in the format the request asks for with _format or Accept, as the
  // service's own answers are: XML when asked, 406 when nothing asked for can be written.
  http::Response as_negotiated(const http::Request& request, http::Response json_answer);
  // The extractor the write path indexes resources with (the in-memory matcher needs its rows).
  const IndexExtractor& extractor() const { return *extractor_; }
  // Whether `who` may read a record of a type its scopes restrict ("Observation.rs?category=
  // vital-signs"): the record meets the restrictions, matched on the record itself (no
  // store query: a commit's hooks ask it of the record being written), and the rest of the
  // access policy lets `who` see it. False when the type is not restricted for `who`.
  bool meets_restrictions(const security::Principal* who, const store::ResourceRecord& record) const;

 private:
  struct Call;     // one request: target, negotiation, prefer
  using Planned = PlannedWrite;
  struct AsyncWrite;  // a write whose response waits for its commit (async_write.cpp)

  Call make_call(const http::Request& request, Caller who) const;
  // The refusal when the caller's scopes do not allow `interaction` on `type`.
  std::optional<http::Response> refused(const Call& call, security::Interaction interaction, const std::string& type);
  // The same for an interaction the method on a path makes (see dispatch).
  std::optional<Result> refused_entry(const Caller& who, security::Interaction interaction, const std::string& type);
  // Whether the caller may see a stored version.
  bool sees(const Call& call, const store::ResourceRecord& record) const;
  bool within_restrictions(const Call& call, const store::ResourceRecord& record);
  // Whether the caller may read a stored version: it sees it, or its scopes' restrictions find it.
  bool reads(const Call& call, const store::ResourceRecord& record);
  // The versions the caller sees in a search or history of `type` (empty: system-wide).
  std::shared_ptr<const fhir::search::Visibility> visibility(const Call& call, std::string_view type,
                                                             std::string_view restricted_type = {}) const;
  bool is_async_write(const Call& call) const;
  bool is_read_by_id(const Call& call) const;
  void start_write(const std::shared_ptr<AsyncWrite>& write);
  http::Response answer(Call& call);
  // Queues the AuditEvent of a read, search or refusal (writes are audited in their commit).
  void audit_answer(const Call& call, unsigned status);
  bool prepare_async_write(AsyncWrite& write);
  void commit_then_reply(const std::shared_ptr<AsyncWrite>& write);  // never throws
  void plan_and_commit(const std::shared_ptr<AsyncWrite>& write);
  void reply_failure(const std::shared_ptr<AsyncWrite>& write, const std::string& what);  // never throws

  http::Response dispatch(Call& call);
  http::Response dispatch_type(Call& call, const std::string& type);
  http::Response dispatch_instance(Call& call, const std::string& type, const std::string& id);
  http::Response render_read(const Call& call, const Result& result);
  // 405 with the methods the path allows ("GET, HEAD").
  http::Response not_allowed(const Call& call, const char* allow);
  // A POST _search's parameters: the form body's, then the URL's.
  static Params search_params(const Call& call);
  // POST _search's answer when its body is not a form (application/x-www-form-urlencoded).
  std::optional<http::Response> refused_search_body(Call& call);
  http::Response render(const Call& call, const Result& result);
  // 406: _format or Accept names no format this server writes.
  http::Response not_acceptable(Call& call);
  http::Response outcome(const Call& call, unsigned status, Issues issues);
  std::string to_format(const Call& call, const std::string& json, bool subset);
  // A response carrying `json` (a whole resource) in the format the client negotiated.
  http::Response respond(const Call& call, unsigned status, const std::string& json);

  // Parsing and validation of a request body (status 0 when fine).
  std::unique_ptr<fhir::model::Document> parse_body(const Call& call, unsigned& status, Issues& issues);

  // Reads by id and version (the writes are the write path's, write_path.h).
  Result read(const Call& call, const std::string& type, const std::string& id, std::optional<int64_t> version);
  // PATCH with a JSON Patch or a JSON Merge Patch (patch.cpp).
  Result patch(const Call& call, const std::string& type, const std::string& id, std::optional<int64_t> if_match);
  // PATCH [type]?criteria: the one resource the criteria select, patched (patch.cpp).
  Result conditional_patch(const Call& call, const std::string& type, std::optional<int64_t> if_match);
  // A PATCH request's body read as its kind of patch (nullopt), or the answer refusing it.
  std::optional<Result> read_patch(const http::Request& request, PatchRequest& out) const;
  // The stored version `current` patched and read as FHIR into `out` (nullopt), or the answer
  // saying why not (422: the patch does not apply, or makes no FHIR).
  std::optional<Result> apply_patch(const PatchRequest& patch, const store::ResourceRecord& current,
                                    std::unique_ptr<fhir::model::Document>& out) const;
  // type/id's current version as the caller sees it (`current`), patched into `out` (nullopt),
  // or the answer why not: 404/410 when the caller sees none, 412 when it is not `if_match`, 422.
  std::optional<Result> patch_current(const Call& call, const std::string& type, const std::string& id,
                                      std::optional<int64_t> if_match, const PatchRequest& patch,
                                      std::optional<store::ResourceRecord>& current,
                                      std::unique_ptr<fhir::model::Document>& out) const;

  // Search and history (search_history.cpp). A search in a compartment (Patient/7/Observation)
  // has its path and the clause that keeps it to the compartment's resources.
  struct SearchScope {
    std::string path;
    fhir::search::Clause clause;
    // A record that leads the first page and is never included (the patient of $everything).
    std::optional<store::ResourceRecord> lead = {};
    Issues said = {};  // what the caller has to say in the Bundle besides the search's own issues
    std::vector<fhir::search::Clause> narrowing = {};  // more clauses every match meets ($everything's dates)
    Params in_links = {};  // parameters the paging links carry besides the search's own (start, end)
    // Types never included ($everything's compartment types: each of the patient's records of
    // them is a match of some page, and another patient's is not the patient's).
    std::vector<std::string> not_included = {};
  };
  http::Response search(Call& call, const std::string& type, const Params& params, const SearchScope* scope = nullptr);
  // GET or POST Patient/[id]/$everything (R4 OperationDefinition Patient-everything) and
  // [compartment]/[id]/* (everything.cpp).
  http::Response everything(Call& call, const std::string& id);
  carebridge::Result<std::vector<fhir::search::Clause>> care_date_clauses(const std::vector<std::string>& types,
                                                                           const Params& asked) const;
  // GET (or POST _search) [compartment]/[id]/[type]: the search of `type` in that compartment;
  // `type` "*": of every type in it.
  http::Response compartment_search(Call& call, const std::string& compartment, const std::string& id,
                                    const std::string& type, const Params& params);
  http::Response compartment_search_all(Call& call, const std::string& compartment, const std::string& id, const Params& params);
  // The JSON of a `type` resource (ValueSet, CodeSystem, ConceptMap) a client stored, by canonical URL
  // ("url" or "url|version") or "Type/id", as `call`'s caller sees it (:in, terminology operations).
  std::optional<std::string> stored_canonical(const Call& call, const std::string& type, std::string_view reference);
  // The JSON of the stored `type` resources the caller sees that match `criteria` (a bounded number).
  std::vector<std::string> stored_matches(const Call& call, const std::string& type, const Params& criteria);
  http::Response search_timeout(const Call& call);
  // The answer to a search the store did not run (too costly, too large, failed).
  http::Response search_failure(const Call& call, Issues issues);
  std::vector<std::pair<std::string, std::string>> search_links(const Call& call, const std::string& path,
                                                                const ParsedSearch& parsed, const store::SearchResult& result);
  http::Response searchset(const Call& call, const std::string& path, const ParsedSearch& parsed,
                           const store::SearchResult& result, const std::deque<store::ResourceRecord>& included,
                           const Issues& issues);
  http::Response history(Call& call, const std::string& type, const std::string& id);
  // A paging link; `snapshot` (when set) keeps the pages on what the first one saw.
  std::string bundle_link(const Call& call, const std::string& path, const Params& params, uint32_t offset, uint32_t count,
                          int64_t snapshot = 0);

  // Batch and transaction Bundles (transaction.cpp, batch.cpp). The run_ steps
  // answer a transaction's failure (nullopt: committed) or fill each batch entry's result.
  http::Response bundle(Call& call);
  // One run of a batch or transaction; `stale` (when given) is set when a PATCH entry's version
  // changed before the commit, and the transaction should run again.
  http::Response bundle_once(Call& call, bool* stale);
  std::optional<Result> run_transaction(Call& call, fhir::model::Document& doc, std::vector<BundleEntry>& entries);
  // `gone` ("Type/id") is what the transaction's DELETE entries delete: processed first (R4
  // http.html#trules), it is no match for the conditional creates and references after them.
  std::optional<Result> resolve_entry_id(const Caller& who, BundleEntry& entry, const std::unordered_set<std::string>& gone);
  // A transaction's PATCH entry made the update it amounts to: the current version patched, to be
  // stored if it is still the current one when the transaction commits (else 409: send it again).
  std::optional<Result> patch_entry(const Call& call, BundleEntry& entry);
  std::optional<Result> resolve_references(const Caller& who, fhir::model::Document& doc, std::vector<BundleEntry>& entries,
                                           const std::unordered_map<std::string, std::string>& ids,
                                           const std::unordered_set<std::string>& gone);
  std::optional<Result> commit_transaction(const Caller& who, fhir::model::Document& doc, std::vector<BundleEntry>& entries);
  void run_batch(Call& call, fhir::model::Document& doc, std::vector<BundleEntry>& entries);
  // Validates the resources the entries create or update, side by side on the cores.
  void validate_entries(std::vector<BundleEntry>& entries);
  Planned plan_batch_entry(const Caller& who, fhir::model::Document& doc, BundleEntry& entry);

  // ValueSet $expand and $validate-code, CodeSystem $lookup, $validate-code and $subsumes,
  // ConceptMap $translate (terminology_operations.cpp); `id` empty at the type level.
  http::Response terminology_operation(Call& call, const std::string& type, const std::string& id,
                                       const std::string& operation);

  // metadata (mode=terminology too) and $validate (capability.cpp).
  http::Response capability(Call& call);
  http::Response terminology_capabilities(Call& call);
  // The CapabilityStatement's rest.resource array (JSON), made at the first request.
  std::shared_ptr<const std::string> resource_capabilities();
  http::Response validate_operation(Call& call, const std::string& type, const std::string& id);
  // Binary content as itself (binary_content.cpp): whether `call` reads a Binary asking for no
  // FHIR format, that read's answer, and a create or update of non-FHIR content as a Binary.
  bool is_binary_content_read(const Call& call) const;
  http::Response binary_content(Call& call);
  std::optional<http::Request> binary_resource_request(const http::Request& request) const;
  // $meta, $meta-add and $meta-delete on type/id (meta_operations.cpp).
  http::Response meta_operation(Call& call, const std::string& type, const std::string& id, const std::string& operation);

  const fhir::definitions::Definitions& definitions_;
  store::Store& store_;
  ServiceOptions options_;
  std::optional<SubscriptionCapability> subscriptions_;
  // The per-type part of the CapabilityStatement (most of its 700 KB): it changes only with
  // the configuration, so it is made once, not at every /metadata request.
  std::mutex capability_mutex_;
  std::shared_ptr<const std::string> resource_capabilities_;
  // Bodies of 1 MB and more are answered together up to 8 MB of them (one alone always),
  // 32 more may wait (large_requests.h).
  mutable LargeRequests large_requests_{1u << 20, 8u << 20, 32};
  SearchRegistry registry_;
  fhir::search::Compartments compartments_;
  std::unique_ptr<IndexExtractor> extractor_;
  WritePath writes_;
};

}  // namespace carebridge::gateway::rest
