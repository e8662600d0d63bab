// The in-memory search matcher: whether one resource matches a search in its parsed
// form (query.h), decided on the resource's own index rows (the rows the write path
// extracts and the store keeps, index.h) with the comparisons the SQL store makes
// (gateway/store/sqlite_search.cpp), so that the two agree by construction. Chains
// and _has reach other resources through a Resolver. Subscriptions match each
// written resource against their criteria with it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/element.h"
#include "fhir/search/index.h"
#include "fhir/search/index_row.h"
#include "fhir/search/query.h"

namespace carebridge::fhir::search {

// One current resource as the matcher reads it. A view: what it points to must
// outlive the call.
struct IndexedView {
  std::string_view type;
  std::string_view id;
  int64_t updated_ms = 0;  // _lastUpdated, milliseconds since the epoch
  std::span<const IndexEntry> rows;
};

// The same, owning its rows.
struct IndexedResource {
  std::string type;
  std::string id;
  int64_t updated_ms = 0;
  std::vector<IndexEntry> rows;

  IndexedView view() const { return {type, id, updated_ms, rows}; }
};

// A resource tree's identity (type, id, meta.lastUpdated) and its rows from
// `extractor`, which must be the write path's so that the rows are the stored ones.
IndexedResource index_resource(const IndexExtractor& extractor, const fhir::model::Element& resource);

// How chains and _has reach other resources: current versions only (a deleted
// resource is unknown). Without a callback, chains or _has match nothing.
struct Resolver {
  // The resource a reference key ("Patient/1") names, or nullopt.
  std::function<std::optional<IndexedView>(std::string_view reference)> resolve;
  // Calls `visit` with the resources of `type` that may refer to `reference` through
  // the reference parameter `param` (whose rows hold the reference) until it returns
  // false. A superset is fine (every resource of the type): the matcher checks each
  // one's rows.
  using Visit = std::function<bool(const IndexedView&)>;
  std::function<void(std::string_view type, std::string_view param, std::string_view reference, const Visit& visit)>
      referrers;
};

// The great-circle distance in km between two points (degrees), on the mean Earth
// radius: what `near` compares, in the matcher and in the SQL store alike.
double distance_km(double latitude1, double longitude1, double latitude2, double longitude2);

// Whether `resource` is of the query's type (any type when it names none) and
// matches every clause. Sort, paging and includes play no part.
bool matches(const SearchQuery& query, const IndexedView& resource, const Resolver& resolver = {});

// Whether `resource` (of the type the clause was parsed for) matches one clause.
bool matches(const Clause& clause, const IndexedView& resource, const Resolver& resolver = {});

}  // namespace carebridge::fhir::search
