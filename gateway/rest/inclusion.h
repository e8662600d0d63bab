// A search's _include and _revinclude rounds: what the page's references name, what refers
// to the page, and, for :iterate, the same from what the last round added. Literal references
// name a Type/id; canonical ones (QuestionnaireResponse.questionnaire) a resource's url and
// version.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fhir/model/result.h"
#include "fhir/search/index.h"
#include "fhir/search/parse.h"
#include "fhir/search/registry.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::rest {

// The searches of one request against the store, under one deadline and what the caller may see.
struct SearchRunner {
  store::Store& store;
  std::chrono::steady_clock::time_point deadline;
  std::shared_ptr<const fhir::search::Visibility> visible;
  std::string local_base;  // this server's base and '/': absolute references elsewhere are not its resources

  carebridge::Result<store::SearchResult> run(store::SearchQuery& query) const {
    query.deadline = deadline;
    query.visible = visible;
    query.local_base = local_base;
    return store.search(query);
  }
  bool sees(const store::ResourceRecord& r) const { return !visible || visible->accepts(r.type, r.access); }
  // Whether a reference as written is to one of this server's resources (relative, or under its base).
  bool is_local(std::string_view reference) const { return fhir::search::is_local_reference(reference, local_base); }
};

// What _include and _revinclude add to a page, each resource once.
class Inclusion {
 public:
  Inclusion(const fhir::search::SearchRegistry& registry, const SearchRunner& runner, size_t limit)
      : registry_(registry), runner_(runner), limit_(limit) {}

  // Runs the rounds for the page; fails when a _revinclude search does.
  carebridge::Result<void> run(const fhir::search::ParsedSearch& parsed, const std::vector<store::ResourceRecord>& page);
  std::deque<store::ResourceRecord>& included() { return included_; }
  // A record never to include ("Type/id"): one every page stands for (the patient of $everything).
  void leave_out(std::string key) { seen_.insert(std::move(key)); }
  // Types whose records are never included, whatever refers to them.
  void leave_out_types(const std::vector<std::string>& types) { types_left_out_.insert(types.begin(), types.end()); }

 private:
  using Sources = std::vector<const store::ResourceRecord*>;
  const fhir::search::SearchRegistry& registry_;
  const SearchRunner& runner_;
  const size_t limit_;
  std::deque<store::ResourceRecord> included_;  // stable addresses for the rounds
  std::set<std::string> seen_;
  std::set<std::string> types_left_out_;

  void include(const fhir::search::Include& inc, const Sources& sources);
  void include_canonical(const std::vector<std::string>& targets, const std::set<std::string>& canonicals);
  carebridge::Result<void> revinclude(const fhir::search::Include& inc, const Sources& sources);
  void add(store::ResourceRecord r);
};

}  // namespace carebridge::gateway::rest
