// Turns a SearchQuery into SQL over resource_current and the index tables. Every
// value is bound, never spliced into the SQL text; the SQL shape depends only on
// the query's structure, so prepared statements are reused across requests. The
// SQL grows with the query, never faster: many values of one kind are one bound
// JSON list (json_each), other values and the clauses are joined in balanced
// trees (SQLite refuses expressions deeper than 1000). The in-memory matcher
// (fhir/search/matcher.cpp) makes the same comparisons; keep the two in step.
#include <string_view>

#include "fhir/json/json_writer.h"
#include "fhir/search/index.h"
#include "fhir/search/ucum_canonical.h"
#include "gateway/store/sqlite_index_tables.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::gateway::store {
namespace {

SqlBinding text(std::string value) { return {SqlBinding::Kind::Text, std::move(value)}; }
SqlBinding real(double value) { return {SqlBinding::Kind::Real, {}, 0, value}; }

// `terms` joined by `op` ("OR", "AND") as a balanced tree: its depth grows with the
// logarithm of their number. The terms keep their order (and so their binds').
std::string balanced(const std::vector<std::string>& terms, const char* op, size_t from, size_t to) {
  if (to - from == 1) return terms[from];
  size_t middle = from + (to - from) / 2;
  return "(" + balanced(terms, op, from, middle) + " " + op + " " + balanced(terms, op, middle, to) + ")";
}
std::string balanced(const std::vector<std::string>& terms, const char* op) {
  return terms.empty() ? std::string() : balanced(terms, op, 0, terms.size());
}

// A range comparison between the row range [lo, hi] and the searched range (FHIR search 3.1.1.4.2).
std::string range_sql(const ValueMatch& m, const std::string& lo, const std::string& hi, std::vector<SqlBinding>& b) {
  const std::string& p = m.prefix;
  std::string sql;
  if (p == "ne") {
    sql = "NOT (" + lo + " >= ? AND " + hi + " <= ?)";
    b.push_back(real(m.low));
    b.push_back(real(m.high));
  } else if (p == "gt") {
    sql = hi + " > ?";
    b.push_back(real(m.high));
  } else if (p == "lt") {
    sql = lo + " < ?";
    b.push_back(real(m.low));
  } else if (p == "ge") {
    // ge, le: the row reaches the searched range or past it on that side. The prefix table's
    // "the range above the search value intersects the target, or the search value contains
    // it", read literally, leaves out a period that begins or ends inside the searched day (a
    // care plan starting on 2025-03-01 would not be le2025-03-01); HAPI reads it so too.
    sql = hi + " >= ?";
    b.push_back(real(m.low));
  } else if (p == "le") {
    sql = lo + " <= ?";
    b.push_back(real(m.high));
  } else if (p == "sa") {
    sql = lo + " > ?";
    b.push_back(real(m.high));
  } else if (p == "eb") {
    sql = hi + " < ?";
    b.push_back(real(m.low));
  } else if (p == "ap") {  // overlaps the widened range (parse_clause.cpp)
    sql = lo + " <= ? AND " + hi + " >= ?";
    b.push_back(real(m.high));
    b.push_back(real(m.low));
  } else {  // eq
    sql = lo + " >= ? AND " + hi + " <= ?";
    b.push_back(real(m.low));
    b.push_back(real(m.high));
  }
  return "(" + lo + " IS NOT NULL AND " + sql + ")";
}

// The texts starting with `value`: [value, the least text above every such text),
// a range of the index rather than a scan.
std::string starts_with_sql(const std::string& column, const std::string& value, std::vector<SqlBinding>& b) {
  if (value.empty()) return "1 = 1";
  std::string upper = value;
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
  b.push_back(text(value));
  if (upper.empty()) return "(" + column + " >= ?)";
  upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  b.push_back(text(upper));
  return "(" + column + " >= ? AND " + column + " < ?)";
}

// Whether a reference as written in `column` is to this server's resource: relative, or an
// absolute URL under `base` (an absolute URL elsewhere is another server's).
std::string local_reference_sql(const std::string& column, const std::string& base, std::vector<SqlBinding>& b) {
  b.push_back(text(base));
  b.push_back(text(base));
  return "(instr(" + column + ", '://') = 0 OR substr(" + column + ", 1, length(?)) = ?)";
}

// Whether a searched reference names another server's resource: an absolute URL not under `base`.
bool is_foreign(const ValueMatch& m, const std::string& base) {
  return !base.empty() && m.kind == ValueMatch::Kind::Reference && !fhir::search::is_local_reference(m.text, base);
}

IndexTable table_for(ValueMatch::Kind kind) {
  using K = ValueMatch::Kind;
  switch (kind) {
    case K::Token:
    case K::TokenText: return IndexTable::Token;
    case K::Reference: return IndexTable::Reference;
    case K::Range:
    case K::Near: return IndexTable::Range;
    default: return IndexTable::String;
  }
}

std::string value_sql(const ValueMatch& m, std::vector<SqlBinding>& b);

// The condition on one index row `s` (of table_for(m.kind)) that matches `m`.
std::string match_sql(const ValueMatch& m, std::vector<SqlBinding>& b) {
  std::string sql = value_sql(m, b);
  if (!m.code_prefix.empty()) sql = "(" + sql + " AND " + starts_with_sql("s.code", m.code_prefix, b) + ")";
  if (!m.system_prefix.empty()) sql = "(" + sql + " AND " + starts_with_sql("s.system", m.system_prefix, b) + ")";
  if (!m.system_suffix.empty()) {
    b.push_back(text(m.system_suffix));
    b.push_back(text(m.system_suffix));
    sql = "(" + sql + " AND substr(s.system, length(s.system) - length(?) + 1) = ?)";
  }
  return sql;
}

// The value condition of `m`, without the composite's code and system parts.
std::string value_sql(const ValueMatch& m, std::vector<SqlBinding>& b) {
  using K = ValueMatch::Kind;
  switch (m.kind) {
    case K::StringStarts: return starts_with_sql("s.norm", m.text, b);
    case K::StringContains:
      // instr, not LIKE: the bytes as they are (both sides are folded), and no pattern length limit.
      b.push_back(text(m.text));
      return "instr(s.norm, ?) > 0";
    case K::StringExact:
      b.push_back(text(m.text));
      return "s.text = ?";
    case K::TokenText: {
      // The display, or the concept's text after the separator (index_values.cpp).
      std::string starts = starts_with_sql("s.norm", m.text, b);
      b.push_back(text(std::string(1, fhir::search::kTextSeparator) + m.text));
      return "(" + starts + " OR instr(s.norm, ?) > 0)";
    }
    case K::Token: {
      std::string sql;
      if (!m.code.empty()) {
        b.push_back(text(m.code));
        sql = "s.code = ?";
      }
      if (!m.any_system) {
        b.push_back(text(m.system));
        sql += (sql.empty() ? "" : " AND ") + std::string("s.system = ?");
      }
      return sql.empty() ? "1 = 1" : "(" + sql + ")";
    }
    case K::Reference:
      if (m.code.empty()) return "1 = 1";  // any reference (of the type code_prefix names)
      b.push_back(text(m.code));
      // A bare id matches a reference to that id of any type.
      return m.code.find('/') != std::string::npos ? "s.code = ?" : "substr(s.code, instr(s.code, '/') + 1) = ?";
    case K::Uri:
      b.push_back(text(m.text));
      return "s.norm = ?";
    case K::UriBelow: return starts_with_sql("s.norm", m.text, b);
    case K::UriAbove:  // the row's URI starts the value: a scan of the parameter's rows
      b.push_back(text(m.text));
      return "(s.norm <> '' AND substr(?, 1, length(s.norm)) = s.norm)";
    case K::Range: {
      std::string sql = range_sql(m, "s.low", "s.high", b);
      if (!m.code.empty()) {
        b.push_back(text(m.code));
        sql += " AND s.code = ?";
      }
      if (!m.any_system && !m.system.empty()) {
        b.push_back(text(m.system));
        sql += " AND s.system = ?";
      }
      if (!m.not_system.empty()) {
        b.push_back(text(m.not_system));
        sql += " AND s.system <> ?";
      }
      return "(" + sql + ")";
    }
    case K::Missing: return "1 = 1";
    case K::Near: {
      // The latitudes within reach narrow the rows (a range of the index); the distance decides.
      double reach = m.within_km / 111.0 + 0.01;
      b.push_back(text(std::string(fhir::search::kPositionCode)));
      b.push_back(real(m.low - reach));
      b.push_back(real(m.low + reach));
      b.push_back(real(m.low));
      b.push_back(real(m.high));
      b.push_back(real(m.within_km));
      return "(s.code = ? AND s.low BETWEEN ? AND ? AND cb_distance_km(s.low, s.high, ?, ?) <= ?)";
    }
  }
  return "1 = 0";
}

void append(std::vector<SqlBinding>& to, std::vector<SqlBinding>& from) {
  for (auto& v : from) to.push_back(std::move(v));
}

// Values compared as one bound JSON list (json_each), by what a row compares them with.
enum class ListKind { None, TokenCode, TokenPair, ReferenceKey, ReferenceId, Uri, Exact };
constexpr ListKind kListKinds[] = {ListKind::TokenCode, ListKind::TokenPair, ListKind::ReferenceKey,
                                   ListKind::ReferenceId, ListKind::Uri, ListKind::Exact};

bool has_nul(const std::string& text) { return text.find('\0') != std::string::npos; }

// The list a value can go in (None: compared on its own). JSON cannot carry a NUL through json_each.
ListKind list_kind(const ValueMatch& m) {
  using K = ValueMatch::Kind;
  if (!m.code_prefix.empty() || !m.system_prefix.empty() || !m.system_suffix.empty()) return ListKind::None;
  switch (m.kind) {
    case K::Token:
      if (m.code.empty() || has_nul(m.code) || has_nul(m.system)) return ListKind::None;
      return m.any_system ? ListKind::TokenCode : ListKind::TokenPair;
    case K::Reference:
      if (has_nul(m.code)) return ListKind::None;
      return m.code.find('/') != std::string::npos ? ListKind::ReferenceKey : ListKind::ReferenceId;
    case K::Uri: return has_nul(m.text) ? ListKind::None : ListKind::Uri;
    case K::StringExact: return has_nul(m.text) ? ListKind::None : ListKind::Exact;
    default: return ListKind::None;
  }
}

// The condition that a row's column is one of `values` (of one list kind): one bind
// whatever their number, so the SQL and its plan stay the same.
std::string list_sql(ListKind kind, const std::vector<const ValueMatch*>& values, std::vector<SqlBinding>& b) {
  std::string json = "[";
  for (const ValueMatch* m : values) {
    if (json.size() > 1) json += ',';
    if (kind == ListKind::TokenPair) {
      json += '[';
      fhir::json::append_json_string(json, m->code);
      json += ',';
      fhir::json::append_json_string(json, m->system);
      json += ']';
    } else {
      bool by_text = kind == ListKind::Uri || kind == ListKind::Exact;
      fhir::json::append_json_string(json, by_text ? m->text : m->code);
    }
  }
  b.push_back(text(json + "]"));
  constexpr const char* kValues = " IN (SELECT value FROM json_each(?))";
  switch (kind) {
    case ListKind::TokenPair:
      return "(s.code, s.system) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))";
    case ListKind::ReferenceId: return std::string("substr(s.code, instr(s.code, '/') + 1)") + kValues;
    case ListKind::Uri: return std::string("s.norm") + kValues;
    case ListKind::Exact: return std::string("s.text") + kValues;
    default: return std::string("s.code") + kValues;
  }
}

// The condition on a row that one of `values` matches: the values of a list kind in one
// list (when several), the others each on its own.
std::string values_condition(const std::vector<const ValueMatch*>& values, std::vector<SqlBinding>& b);

// The condition on a row of `table` that some value of the clause matches. With a local
// base, a reference row matches a local value only when it is written as a local one, and
// a value naming another server only when it is written as that URL (versioned or not).
std::string table_condition(const Clause& clause, IndexTable table, const std::string& local_base,
                            std::vector<SqlBinding>& b) {
  std::vector<const ValueMatch*> local, foreign;
  for (const auto& m : clause.any_of) {
    if (table_for(m.kind) == table) (is_foreign(m, local_base) ? foreign : local).push_back(&m);
  }
  std::vector<std::string> terms;  // binds in the order of the terms
  if (!local.empty()) {
    std::string values = values_condition(local, b);
    if (table == IndexTable::Reference && !local_base.empty()) {
      values = "(" + values + " AND " + local_reference_sql("s.text", local_base, b) + ")";
    }
    terms.push_back(values);
  }
  for (const ValueMatch* m : foreign) {
    b.push_back(text(m->text));
    b.push_back(text(m->text + "/_history/"));
    b.push_back(text(m->text + "/_history/"));
    terms.push_back("(s.text = ? OR substr(s.text, 1, length(?)) = ?)");
  }
  return balanced(terms, "OR");
}

std::string values_condition(const std::vector<const ValueMatch*>& values, std::vector<SqlBinding>& b) {
  std::vector<std::vector<const ValueMatch*>> lists(std::size(kListKinds) + 1);
  std::vector<const ValueMatch*> single;
  for (const ValueMatch* m : values) lists[static_cast<size_t>(list_kind(*m))].push_back(m);
  std::vector<std::string> terms;
  for (ListKind kind : kListKinds) {
    auto& listed = lists[static_cast<size_t>(kind)];
    if (listed.size() > 1) terms.push_back(list_sql(kind, listed, b));
    if (listed.size() == 1) single.push_back(listed[0]);
  }
  single.insert(single.end(), lists[0].begin(), lists[0].end());
  for (const ValueMatch* m : single) terms.push_back(match_sql(*m, b));
  return balanced(terms, "OR");
}

// The parameters whose rows a clause reads: its own, and a union's members.
std::vector<std::string> params_of(const Clause& clause) {
  std::vector<std::string> params{clause.param};
  params.insert(params.end(), clause.also.begin(), clause.also.end());
  return params;
}

// The ids (pid) of parameters: of one type, or of every type for a system search.
std::string pids_sql(const std::string& column, const std::string& type, const std::vector<std::string>& params,
                     std::vector<SqlBinding>& b) {
  std::string names;
  for (size_t i = 0; i < params.size(); ++i) names += i ? ", ?" : "?";
  if (type.empty()) {
    for (const auto& p : params) b.push_back(text(p));
    return column + " IN (SELECT pid FROM search_param WHERE param IN (" + names + "))";
  }
  b.push_back(text(type));
  for (const auto& p : params) b.push_back(text(p));
  if (params.size() == 1) return column + " = (SELECT pid FROM search_param WHERE type = ? AND param = ?)";
  return column + " IN (SELECT pid FROM search_param WHERE type = ? AND param IN (" + names + "))";
}

// Whether the resource `alias` has a row of `params` in `table` meeting `condition`
// (whose values are in `condition_binds`); the rows are read by parameter straight
// from the table's key.
std::string has_row(IndexTable table, const std::string& alias, const std::string& type,
                    const std::vector<std::string>& params, const std::string& condition,
                    std::vector<SqlBinding>& condition_binds, std::vector<SqlBinding>& b) {
  std::string sql = alias + ".rid IN (SELECT s.rid FROM " + table_name(table) + " s WHERE " + pids_sql("s.pid", type, params, b);
  if (!condition.empty()) sql += " AND " + condition;
  append(b, condition_binds);
  return sql + ")";
}

// Resources with any row of `params`, whatever its kind.
std::string has_any_row(const std::string& alias, const std::string& type, const std::vector<std::string>& params,
                        std::vector<SqlBinding>& b) {
  std::string sql;
  std::vector<SqlBinding> none;
  for (IndexTable t : kIndexTables) sql += (sql.empty() ? "" : " OR ") + has_row(t, alias, type, params, "", none, b);
  return "(" + sql + ")";
}

// What a caller may see applies to every resource a query reads: the matches and
// the resources chains and _has look into (else a hidden resource would still
// decide which visible ones match).
struct SqlScope {
  const Visibility* visible = nullptr;
  std::string local_base;  // SearchQuery::local_base
  // " AND " the reference written in `column` is to this server's resource; empty without a base.
  std::string local(const std::string& column, std::vector<SqlBinding>& b) const {
    return local_base.empty() ? std::string() : " AND " + local_reference_sql(column, local_base, b);
  }
  // " AND cb_visible(...)" for the resource `alias`, binding the visibility; empty when none.
  std::string condition(const std::string& alias, std::vector<SqlBinding>& b) const {
    if (!visible) return {};
    b.push_back(visibility_binding(visible));
    return " AND cb_visible(" + alias + ".type, " + alias + ".access, ?)";
  }
};

std::string clause_sql(const Clause& clause, const std::string& alias, const std::string& type, const SqlScope& scope,
                       std::vector<SqlBinding>& b);

bool is_has(const Clause& clause) { return !clause.has_type.empty() && clause.chain; }

// _has:A:p:_has:B:q:...:param=value: resources an A refers to through p, that a B
// refers to through q, ..., the last matching the innermost clause. One join over
// the levels rather than a subquery per level, so the SQL nests no deeper with them.
std::string has_sql(const Clause& clause, const std::string& alias, const SqlScope& scope, std::vector<SqlBinding>& b) {
  std::string prefix = "h" + std::to_string(b.size()) + "_";
  std::string from, where, referred = "(" + alias + ".type || '/' || " + alias + ".id)";
  const Clause* level = &clause;
  for (int i = 0;; ++i) {
    std::string r = prefix + "r" + std::to_string(i), h = prefix + std::to_string(i);
    from += (i ? " JOIN search_reference " + r + " ON " + r + ".code = " + referred : "search_reference " + r) +
            " JOIN resource_current " + h + " ON " + h + ".rid = " + r + ".rid";
    where += (i ? " AND " : "") + pids_sql(r + ".pid", level->has_type, {level->param}, b) + " AND " + h + ".deleted = 0";
    where += scope.condition(h, b);
    where += scope.local(r + ".text", b);
    referred = "(" + h + ".type || '/' || " + h + ".id)";
    if (!is_has(*level->chain) || level->chain->negate) {
      where += " AND " + clause_sql(*level->chain, h, level->has_type, scope, b);
      break;
    }
    level = level->chain.get();
  }
  std::string sql = "(" + alias + ".type || '/' || " + alias + ".id) IN (SELECT " + prefix + "r0.code FROM " + from +
                    " WHERE " + where + ")";
  return (clause.negate ? "NOT " : "") + sql;
}

// _id and _type: the resource's own column (`alias`.id or .type).
std::string own_column_sql(const Clause& clause, const std::string& column, std::vector<SqlBinding>& b) {
  if (clause.any_of.empty()) return "1 = 1";
  std::string sql = std::string(clause.negate ? "NOT " : "") + column;
  if (clause.any_of.size() == 1) {
    const ValueMatch& m = clause.any_of[0];
    b.push_back(text(m.code.empty() ? m.text : m.code));
    return sql + " = ?";
  }
  std::string json = "[";
  for (const auto& m : clause.any_of) {
    if (json.size() > 1) json += ',';
    fhir::json::append_json_string(json, m.code.empty() ? m.text : m.code);
  }
  b.push_back(text(json + "]"));
  return sql + " IN (SELECT value FROM json_each(?))";
}

// Whether `link` continues a chain with a typed link of its own, which the join of the
// links before it can take on (an untyped link is several chains, one per target type).
bool continues_typed_chain(const Clause& link) {
  return link.chain && !link.chain_type.empty() && link.either.empty() && !link.negate && link.has_type.empty();
}

// A chained search (subject:Patient.organization.name=x): a reference row of the first link
// to a resource of its type, whose row of the next link refers on, the last one matching
// the chain's end. Typed links one after another are one join, so the SQL nests no deeper
// with them (a subquery per link overflowed SQLite's parser stack at three links). Alias
// names grow from `alias`, so a chain inside a chain's end never takes an outer one's.
std::string chain_sql(const Clause& clause, const std::string& alias, const std::string& type, const SqlScope& scope,
                      std::vector<SqlBinding>& b) {
  const std::string prefix = alias + "c" + std::to_string(b.size()) + "_";
  const std::string references = table_name(IndexTable::Reference);
  std::string from, where, previous, link_type = type;
  std::vector<SqlBinding> from_binds, where_binds;  // each in its part's order: the FROM's come first
  for (const Clause* link = &clause;; link = link->chain.get()) {
    std::string n = std::to_string(from_binds.size() / 2);
    std::string r = prefix + "r" + n, t = prefix + "t" + n;
    from += previous.empty() ? references + " " + r : " JOIN " + references + " " + r + " ON " + r + ".rid = " + previous + ".rid";
    from += " JOIN resource_current " + t + " ON " + t + ".type = ? AND " + r + ".code = ? || " + t + ".id";
    from_binds.push_back(text(link->chain_type));
    from_binds.push_back(text(link->chain_type + "/"));
    where += (previous.empty() ? "" : " AND ") + pids_sql(r + ".pid", link_type, params_of(*link), where_binds);
    // One statement each: the operands of + are evaluated in no set order, and the binds
    // must follow the SQL's order.
    where += " AND " + t + ".deleted = 0";
    where += scope.condition(t, where_binds);
    where += scope.local(r + ".text", where_binds);
    previous = t;
    link_type = link->chain_type;
    if (!continues_typed_chain(*link->chain)) {
      where += " AND " + clause_sql(*link->chain, t, link_type, scope, where_binds);
      break;
    }
  }
  append(b, from_binds);
  append(b, where_binds);
  return alias + ".rid IN (SELECT " + prefix + "r0.rid FROM " + from + " WHERE " + where + ")";
}

// `type` names the resource type when the query has one; empty for system searches.
std::string clause_sql(const Clause& clause, const std::string& alias, const std::string& type, const SqlScope& scope,
                       std::vector<SqlBinding>& b) {
  if (clause.param == "_id" || clause.param == "_type") return own_column_sql(clause, alias + "." + clause.param.substr(1), b);
  if (clause.param == "_lastUpdated") {
    std::vector<std::string> terms;
    std::string seconds = "(" + alias + ".updated_ms / 1000.0)";
    for (const auto& m : clause.any_of) terms.push_back(range_sql(m, seconds, seconds, b));
    return terms.empty() ? "1 = 1" : balanced(terms, "OR");
  }
  if (is_has(clause)) return has_sql(clause, alias, scope, b);
  if (!clause.either.empty()) {
    std::vector<std::string> terms;
    for (const Clause& one : clause.either) terms.push_back(clause_sql(one, alias, type, scope, b));
    return (clause.negate ? "NOT (" : "(") + balanced(terms, "OR") + ")";
  }
  if (clause.any_of.size() == 1 && clause.any_of[0].kind == ValueMatch::Kind::Missing) {
    return std::string(clause.any_of[0].missing ? "NOT " : "") + has_any_row(alias, type, params_of(clause), b);
  }
  std::vector<std::string> tables;
  if (clause.chain) {
    tables.push_back(chain_sql(clause, alias, type, scope, b));
  } else {
    // The matches of each table, OR'ed within the table; tables OR'ed together.
    for (IndexTable t : kIndexTables) {
      std::vector<SqlBinding> condition_binds;
      std::string condition = table_condition(clause, t, scope.local_base, condition_binds);
      if (!condition.empty()) tables.push_back(has_row(t, alias, type, params_of(clause), condition, condition_binds, b));
    }
    if (tables.empty()) return clause.negate ? "1 = 1" : "1 = 0";
  }
  std::string sql = balanced(tables, "OR");
  return (clause.negate ? "NOT (" : "(") + sql + ")";
}

}  // namespace

std::string search_conditions(const SearchQuery& query, const std::string& alias, std::vector<SqlBinding>& binds) {
  std::string where = alias + ".deleted = 0";
  if (!query.type.empty()) {
    where += " AND " + alias + ".type = ?";
    binds.push_back(text(query.type));
  } else if (!query.types.empty()) {
    where += " AND " + alias + ".type IN (";
    for (size_t i = 0; i < query.types.size(); ++i) {
      where += i ? ", ?" : "?";
      binds.push_back(text(query.types[i]));
    }
    where += ")";
  }
  if (query.snapshot > 0) {
    // The resources that existed at the snapshot: unchanged since, or changed since but
    // created before it. Leaving out those changed between two pages shifted every later
    // one back, and the record that moved onto the page already read was never shown.
    where += " AND (" + alias + ".seq <= ? OR EXISTS (SELECT 1 FROM resource_version f WHERE f.type = " + alias +
             ".type AND f.id = " + alias + ".id AND f.version = 1 AND f.seq <= ?))";
    binds.push_back({SqlBinding::Kind::Integer, {}, query.snapshot});
    binds.push_back({SqlBinding::Kind::Integer, {}, query.snapshot});
  }
  SqlScope scope{query.visible.get(), query.local_base};
  where += scope.condition(alias, binds);
  std::vector<std::string> clauses;
  for (const auto& clause : query.clauses) clauses.push_back(clause_sql(clause, alias, query.type, scope, binds));
  if (!clauses.empty()) where += " AND " + balanced(clauses, "AND");
  return where;
}

namespace {

// The point a `near` search of `param` asks about, when the query has one (to sort by distance).
const ValueMatch* near_point(const SearchQuery& query, const std::string& param) {
  for (const Clause& clause : query.clauses)
    if (clause.param == param && !clause.negate && clause.any_of.size() == 1 && clause.any_of[0].kind == ValueMatch::Kind::Near)
      return &clause.any_of[0];
  return nullptr;
}

}  // namespace

SortSql search_order(const SearchQuery& query) {
  SortSql out;
  for (size_t i = 0; i < query.sort.size(); ++i) {
    const SortKey& key = query.sort[i];
    if (!out.order.empty()) out.order += ", ";
    if (key.param == "_lastUpdated") {
      out.order += "c.updated_ms";
    } else if (key.param == "_id") {
      out.order += "c.id";
    } else if (const ValueMatch* point = near_point(query, key.param)) {
      // Location's near: by the distance from the searched point, closest first, as HAPI
      // sorts it (the position's row keeps latitude in low, longitude in high).
      std::string k = "k" + std::to_string(i);
      out.binds.push_back(real(point->low));
      out.binds.push_back(real(point->high));
      out.binds.push_back(text(std::string(fhir::search::kPositionCode)));
      std::string pids = pids_sql("s.pid", query.type, {key.param}, out.binds);
      out.joins += std::string(" LEFT JOIN (SELECT s.rid, MIN(cb_distance_km(s.low, s.high, ?, ?)) AS v FROM ") +
                   table_name(IndexTable::Range) + " s WHERE s.code = ? AND " + pids + " GROUP BY s.rid) " + k + " ON " +
                   k + ".rid = c.rid";
      out.order += k + ".v";
    } else {
      // Each resource's smallest (largest when descending) value of the parameter as written
      // (not a quantity's canonical UCUM row), from every index table, grouped once and joined by id.
      std::string k = "k" + std::to_string(i);
      std::string values;
      for (IndexTable t : kIndexTables) {
        values += std::string(values.empty() ? "" : " UNION ALL ") + "SELECT s.rid, s." + sort_column(t) + " AS v FROM " +
                  table_name(t) + " s WHERE " + pids_sql("s.pid", query.type, {key.param}, out.binds);
        if (t == IndexTable::Range) {
          values += " AND s.system <> ?";
          out.binds.push_back(text(std::string(fhir::search::kCanonicalUcumSystem)));
        }
      }
      out.joins += " LEFT JOIN (SELECT rid, " + std::string(key.descending ? "MAX" : "MIN") + "(v) AS v FROM (" + values +
                   ") GROUP BY rid) " + k + " ON " + k + ".rid = c.rid";
      out.order += k + ".v";
    }
    out.order += key.descending ? " DESC" : " ASC";
  }
  // Ties (and searches without _sort) in the order the resources were created, which an
  // update does not change: the pages of one search keep their places.
  if (!out.order.empty()) out.order += ", ";
  out.order += "c.rid ASC";
  return out;
}

}  // namespace carebridge::gateway::store
