// _include and _revinclude (FHIR R4 search 3.1.1.5.4): literal references followed by the
// Type/id they name, canonical references by the url (and version) of the resource they name.
#include "gateway/rest/inclusion.h"

#include <algorithm>
#include <iterator>
#include <map>

namespace carebridge::gateway::rest {
namespace {

using fhir::search::Include;
using fhir::search::SearchParam;
using fhir::search::SearchRegistry;

// How many rounds of _include/_revinclude a search runs: the first, then up to
// three more for the :iterate ones.
constexpr int kIncludeRounds = 4;

// The parameters whose rows an _include or _revinclude of `type` follows: the
// named one's (with the one target type it reads, if any), or every reference
// parameter's for "*".
std::vector<std::string> include_codes(const SearchRegistry& registry, const std::string& type, const std::string& param,
                                       std::string& only_type) {
  only_type.clear();
  if (param != "*") {
    const SearchParam* found = registry.find(type, param);
    if (!found) return {param};
    only_type = found->only_type;
    return found->index_codes();
  }
  std::vector<std::string> codes;
  for (const auto& [code, p] : registry.of(type)) {
    if (p.type == "reference" && p.has_own_rows()) codes.push_back(code);
  }
  return codes;
}

// The reference parameters of every type, each code once (_revinclude=*, a system search by them).
std::vector<std::string> every_reference_code(const SearchRegistry& registry) {
  std::set<std::string> codes;
  for (const std::string& type : registry.types())
    for (const auto& [code, p] : registry.of(type))
      if (p.type == "reference" && p.has_own_rows()) codes.insert(code);
  return {codes.begin(), codes.end()};
}

// The types a canonical of `code` on `type` may name, that are found by url.
std::vector<std::string> canonical_targets(const SearchRegistry& registry, const std::string& type, const std::string& code,
                                           const std::string& target_type, const std::set<std::string>& left_out) {
  std::vector<std::string> out;
  const SearchParam* param = registry.find(type, code);
  if (!param) return out;
  for (const std::string& target : param->targets) {
    if (!target_type.empty() && target != target_type) continue;
    if (left_out.contains(target)) continue;
    if (registry.find(target, "url")) out.push_back(target);
  }
  return out;
}

// A canonical naming a version is indexed twice, with it and without (index_values.cpp); the
// row without stands for the versioned one and is left out.
void drop_unversioned_twins(std::vector<std::string>& texts) {
  std::sort(texts.begin(), texts.end());
  std::erase_if(texts, [&](const std::string& t) {
    auto next = std::upper_bound(texts.begin(), texts.end(), t);
    return next != texts.end() && next->size() > t.size() && next->starts_with(t) && (*next)[t.size()] == '|';
  });
}

// A canonical's url, without the version it may name (url|1.0).
std::string url_of(const std::string& canonical) {
  auto bar = canonical.rfind('|');
  return bar == std::string::npos || bar == 0 ? canonical : canonical.substr(0, bar);
}

store::ValueMatch reference_match(std::string text) {
  store::ValueMatch m;
  m.kind = store::ValueMatch::Kind::Reference;
  m.code = fhir::search::reference_key(text);
  if (m.code.empty()) m.code = text;
  m.text = std::move(text);
  return m;
}

}  // namespace

// _include: the targets of the page's references; _revinclude: what refers to the
// page. Then, for the :iterate ones, the same from what the last round included,
// until a round adds nothing (or the rounds or the included resources run out).
carebridge::Result<void> Inclusion::run(const fhir::search::ParsedSearch& parsed, const std::vector<store::ResourceRecord>& page) {
  Sources sources;
  for (const auto& r : page) {
    seen_.insert(r.type + "/" + r.id);
    sources.push_back(&r);
  }
  for (int round = 0; round < kIncludeRounds && !sources.empty() && included_.size() < limit_; ++round) {
    size_t before = included_.size();
    for (const auto& inc : parsed.includes) {
      if (round == 0 || inc.iterate) include(inc, sources);
    }
    for (const auto& inc : parsed.revincludes) {
      if (round > 0 && !inc.iterate) continue;
      if (auto done = revinclude(inc, sources); !done) return done;
    }
    sources.clear();
    for (size_t i = before; i < included_.size(); ++i) sources.push_back(&included_[i]);
  }
  return {};
}

void Inclusion::include(const Include& inc, const Sources& sources) {
  std::map<std::string, std::vector<std::string>> ids_by_type;
  for (const auto* r : sources) {
    if (inc.source_type == r->type || inc.source_type == "*") ids_by_type[r->type].push_back(r->id);
  }
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [type, ids] : ids_by_type) {
    std::string only_type;
    for (const auto& code : include_codes(registry_, type, inc.param, only_type)) {
      std::map<std::string, std::vector<std::string>> canonicals_by_source;
      for (const auto& [id, row] : runner_.store.index_rows(type, ids, code)) {
        if (!runner_.is_local(row.text)) {
          canonicals_by_source[id].push_back(row.text);
          continue;
        }
        auto slash = row.code.find('/');
        if (slash == std::string::npos) continue;
        std::string target_type = row.code.substr(0, slash);
        if (!inc.target_type.empty() && target_type != inc.target_type) continue;
        if (!only_type.empty() && target_type != only_type) continue;
        if (types_left_out_.contains(target_type)) continue;
        if (seen_.insert(row.code).second) keys.emplace_back(target_type, row.code.substr(slash + 1));
      }
      std::set<std::string> canonicals;
      for (auto& [id, texts] : canonicals_by_source) {
        drop_unversioned_twins(texts);
        canonicals.insert(texts.begin(), texts.end());
      }
      if (!canonicals.empty()) include_canonical(canonical_targets(registry_, type, code, inc.target_type, types_left_out_), canonicals);
    }
  }
  for (auto& r : runner_.store.read_many(keys)) add(std::move(r));
}

// The resources of `targets` whose url (and version, when the canonical names one) a
// canonical names. A reference to another server's resource names no url stored here.
void Inclusion::include_canonical(const std::vector<std::string>& targets, const std::set<std::string>& canonicals) {
  for (const std::string& target : targets) {
    store::SearchQuery q;
    q.type = target;
    q.count = static_cast<uint32_t>(limit_);
    q.want_total = false;
    store::Clause clause;
    clause.param = "url";
    for (const std::string& canonical : canonicals) {
      store::ValueMatch m;
      m.kind = store::ValueMatch::Kind::Uri;
      m.text = url_of(canonical);
      clause.any_of.push_back(std::move(m));
    }
    q.clauses.push_back(std::move(clause));
    auto found = runner_.run(q);
    if (!found || found->page.empty()) continue;
    std::vector<std::string> ids;
    for (const auto& r : found->page) ids.push_back(r.id);
    std::map<std::string, std::string> url_by_id, version_by_id;
    for (const auto& [id, row] : runner_.store.index_rows(target, ids, "url")) url_by_id[id] = row.text;
    for (const auto& [id, row] : runner_.store.index_rows(target, ids, "version")) version_by_id[id] = row.code;
    for (auto& r : found->page) {
      const std::string& url = url_by_id[r.id];
      bool named = canonicals.contains(url) || canonicals.contains(url + "|" + version_by_id[r.id]);
      if (named && seen_.insert(r.type + "/" + r.id).second) add(std::move(r));
    }
  }
}

// What refers to the page: by Type/id, and for a page of resources with a url, by that url.
// A canonical naming a version is found through its row without the version
// (index_values.cpp), so one naming another version of the same url is found too.
carebridge::Result<void> Inclusion::revinclude(const Include& inc, const Sources& sources) {
  store::SearchQuery rq;
  bool every_type = inc.source_type == "*";
  rq.type = every_type ? std::string() : inc.source_type;
  if (every_type)  // the audit trail, which names every record read, is asked for by its type
    std::copy_if(registry_.types().begin(), registry_.types().end(), std::back_inserter(rq.types),
                 [](const std::string& t) { return t != "AuditEvent"; });
  rq.count = static_cast<uint32_t>(limit_);
  rq.want_total = false;
  std::string only_type;
  auto codes = every_type ? every_reference_code(registry_) : include_codes(registry_, inc.source_type, inc.param, only_type);
  if (codes.empty()) return {};
  store::Clause clause;
  clause.param = codes.front();
  clause.also.assign(codes.begin() + 1, codes.end());
  std::map<std::string, std::vector<std::string>> ids_by_type;
  for (const auto* r : sources) {
    store::ValueMatch m;
    m.kind = store::ValueMatch::Kind::Reference;
    m.code = r->type + "/" + r->id;
    clause.any_of.push_back(std::move(m));
    if (registry_.find(r->type, "url")) ids_by_type[r->type].push_back(r->id);
  }
  for (const auto& [type, ids] : ids_by_type) {
    for (const auto& [id, row] : runner_.store.index_rows(type, ids, "url"))
      if (!row.text.empty()) clause.any_of.push_back(reference_match(row.text));
  }
  rq.clauses.push_back(std::move(clause));
  auto referring = runner_.run(rq);
  if (!referring) return referring.issues();
  for (auto& r : referring->page) {
    if (seen_.insert(r.type + "/" + r.id).second) included_.push_back(std::move(r));
  }
  return {};
}

void Inclusion::add(store::ResourceRecord r) {
  if (runner_.sees(r)) included_.push_back(std::move(r));
}

}  // namespace carebridge::gateway::rest
